"""Reporting periods. Councils report by financial year, 1 April to 31 March."""

import datetime as dt


def financial_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    start = financial_year_start(day)
    return start, dt.date(start.year + 1, 3, 31)


def financial_year_label(start: dt.date) -> str:
    return f"{start.year}/{str(start.year + 1)[2:]}"
