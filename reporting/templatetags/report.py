"""Formatting a table's cells the same way on the dashboard, in the preview and in the PDF."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from reporting.tables import DAYS, MONEY, PERCENT, cell_kind

register = template.Library()


def format_cell(value, kind: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind == PERCENT:
        return f"{value}%"
    if kind == MONEY:
        return f"£{intcomma(Decimal(value).quantize(Decimal('0.01')))}"
    if kind == DAYS:
        return str(value)
    return intcomma(value)


@register.simple_tag
def cells(table, row):
    """The row's values, formatted, with their kind (for right-aligning numbers)."""
    return [
        (format_cell(value, cell_kind(table, row, i)), cell_kind(table, row, i))
        for i, value in enumerate(row.values)
    ]
