from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from complaints.deadlines import working_days_left

register = template.Library()


@register.simple_tag
def due(due_on, today):
    """Working days left, in words; the colour and border only repeat what the words say."""
    days = working_days_left(due_on, today)
    if days is None:
        return mark_safe('<span class="app-due app-due--none">Nothing due</span>')  # nosec B308
    if days < 0:
        n = -days
        text, style = f"Overdue by {n} working day{'s' if n != 1 else ''}", "overdue"
    elif days == 0:
        text, style = "Due today", "today"
    else:
        text = f"{days} working day{'s' if days != 1 else ''} left"
        style = "soon" if days <= 3 else "later"
    return format_html(
        '<span class="app-due app-due--{}">{}</span> <span class="govuk-body-s">({})</span>',
        style,
        text,
        f"{due_on:%-d %b %Y}",
    )


@register.filter
def person(user):
    if user is None:
        return "–"
    return user.get_full_name() or user.username


@register.filter
def pounds(amount):
    """£1,234.50"""
    return "–" if amount is None else f"£{amount:,.2f}"
