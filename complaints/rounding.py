"""How every percentage and average in the service is rounded, stated once so the report can
say it: half up, to REPORT_PERCENT_DECIMALS places (whole numbers by default), as the seed
reports print them."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings


def percent(part: int, whole: int) -> int | Decimal | None:
    """`part` as a percentage of `whole`; None when there is nothing to divide by."""
    if not whole:
        return None
    places = settings.REPORT_PERCENT_DECIMALS
    value = (Decimal(100) * part / whole).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return int(value) if places == 0 else value


def average(total: int | Decimal, count: int) -> Decimal | None:
    """A mean to one decimal place, as reports give average working days."""
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP)


def rounding_statement() -> str:
    places = settings.REPORT_PERCENT_DECIMALS
    how = "the nearest whole number" if places == 0 else f"{places} decimal places"
    return f"Percentages are rounded to {how}, so they may not add up to 100."
