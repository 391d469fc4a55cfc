"""Template text that a complaints manager writes in the admin: letter templates, letter
paragraphs and chase e-mails.

It is rendered in a sandbox:
- only the tags and filters a letter needs (no `load`, `include`, `extends`, `debug`, `url`);
- autoescape on, then the result is turned back into the plain text a letter or an e-mail is
  (`html.unescape` exactly undoes the escaping), so the text never becomes markup anywhere;
- the context holds plain values (strings, numbers, dates, lists and dicts) chosen for
  letters, never model instances, so `{{ officer.password }}` is empty rather than a hash.
"""

import datetime as dt
import html

from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)

ALLOWED_TAGS = frozenset(
    {"if", "for", "with", "firstof", "comment", "spaceless", "now", "cycle", "ifchanged"}
)
# Filters that mark text safe would only matter if the output became markup; padding filters
# can be asked for gigabytes of spaces. Leave them all out.
REFUSED_FILTERS = frozenset(
    {"safe", "safeseq", "escape", "force_escape", "json_script", "ljust", "rjust", "center"}
)


def short_date(value) -> str:
    """ "24 Dec" this year, "24 Dec 2024" in any other: an e-mail subject about a date a year
    old must say so."""
    if not isinstance(value, dt.date):
        return ""
    from django.utils import timezone

    return defaultfilters.date(
        value, "j M" if value.year == timezone.localdate().year else "j M Y"
    )


def _sandbox() -> Engine:
    library = Library()
    library.tags = {k: v for k, v in defaulttags.register.tags.items() if k in ALLOWED_TAGS}
    library.filters = {
        k: v for k, v in defaultfilters.register.filters.items() if k not in REFUSED_FILTERS
    }
    library.filters["short_date"] = short_date
    engine = Engine(autoescape=True, libraries={}, loaders=[])
    engine.template_builtins = [library]
    return engine


_ENGINE = _sandbox()


class TemplateTextError(ValueError):
    """The text does not compile; the message says where, for the admin form."""


def compile_text(text: str):
    try:
        return _ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise TemplateTextError(f"The text has a template error: {error}") from None


def render_text(template, context: dict) -> str:
    """Render compiled template text with plain values, as plain text."""
    try:
        return html.unescape(template.render(Context(context, autoescape=True)))
    except Exception as error:  # a filter given a bad argument, e.g. divisibleby:0
        raise TemplateTextError(f"The text cannot be filled in: {error!r}") from None


def render(text: str, context: dict) -> str:
    return render_text(compile_text(text), context)


def check(text: str) -> None:
    """Compile the text and fill it in once with nothing: what the admin's form checks, so a
    mistake shows there and not in every letter or e-mail afterwards."""
    render(text, {})
