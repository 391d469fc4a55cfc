"""The filters beside a list. Laying out twenty-odd GOV.UK fields costs more than the list
they filter, so each layout is kept, keyed by the filters chosen, every option offered and the
markup's templates: a new team or a renamed officer changes the key, never a stale page."""

import functools
import hashlib
from importlib.metadata import version
from pathlib import Path

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.conf import settings
from django.core.cache import cache

register = template.Library()

KEPT_FOR = 24 * 60 * 60  # seconds; the key, not the age, keeps it right


@register.simple_tag
def filter_fields(filterset):
    form = filterset.form
    if form.is_bound and form.errors:
        return as_crispy_form(form)  # errors name what was typed: never kept
    hashed = hashlib.sha256(_markup().encode())
    for name, field in form.fields.items():
        if hasattr(field, "queryset"):  # read the options once, for the key and the layout
            field.widget.choices = [choice for choice in field.widget.choices]  # no COUNT
        hashed.update(repr((name, form.data.getlist(name) if form.is_bound else None)).encode())
        hashed.update(
            repr(
                [(str(v), str(label)) for v, label in getattr(field.widget, "choices", [])]
            ).encode()
        )
    key = f"filter-fields:{type(filterset).__qualname__}:{hashed.hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = as_crispy_form(form)
        cache.set(key, html, KEPT_FOR)
    return html


@functools.cache
def _markup() -> str:
    """What the layout is drawn with: the GDS template pack and this service's own copies."""
    parts = [version("crispy-forms-gds")]
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder, "gds").rglob("*.html")):
            parts.append(path.read_text())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
