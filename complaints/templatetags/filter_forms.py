"""The filters beside a list. Laying out twenty-odd GOV.UK fields, and reading every option
they offer, costs more than the list they filter, so each layout is kept, keyed by the filters
chosen, the markup's templates and the version of the options: saving or deleting anything a
filter offers (OPTION_MODELS) makes a new version once it commits, so a new team or a renamed
officer is offered at once, never a stale page."""

import functools
import hashlib
import secrets
from importlib.metadata import version
from pathlib import Path

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

register = template.Library()

KEPT_FOR = 24 * 60 * 60  # seconds; the key, not the age, keeps it right
VERSION_KEY = "filter-options-version"
# What the filters offer, and what their labels show (a person's teams and services, and
# their roles, which are groups): a test checks that every filter's options are here.
OPTION_MODELS = {
    "accounts.User",
    "auth.Group",
    "complaints.Team",
    "complaints.ServiceArea",
    "complaints.Nature",
    "complaints.Relationship",
    "compliments.ComplimentSource",
    "compliments.ComplimentTheme",
}


def options_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), KEPT_FOR)
        version = cache.get(VERSION_KEY)
    return version


def options_changed() -> None:
    """After commit: a layout drawn before then may hold the old options, under the old key."""
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))


@register.simple_tag
def filter_fields(filterset):
    form = filterset.form
    if form.is_bound and form.errors:
        return as_crispy_form(form)  # errors name what was typed: never kept
    hashed = hashlib.sha256(_markup().encode())
    hashed.update(options_version().encode())  # before any option is read
    for name in form.fields:
        hashed.update(repr((name, form.data.getlist(name) if form.is_bound else None)).encode())
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
