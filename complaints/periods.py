"""Reporting periods. Councils report by financial year, 1 April to 31 March, and by its
quarters (April–June is Q1)."""

import datetime as dt
from dataclasses import dataclass


def financial_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    start = financial_year_start(day)
    return start, dt.date(start.year + 1, 3, 31)


def financial_year_label(start: dt.date) -> str:
    return f"{start.year}/{str(start.year + 1)[2:]}"


def quarter_of(day: dt.date) -> int:
    """Financial-year quarter: April–June is Q1, January–March is Q4."""
    return (day.month - 4) % 12 // 3 + 1


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    """A closed range of dates, both ends counted, with the name reports give it."""

    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def year(cls, year: int) -> "Period":
        """The financial year starting 1 April `year`."""
        start = dt.date(year, 4, 1)
        return cls(start, dt.date(year + 1, 3, 31), financial_year_label(start))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if quarter not in (1, 2, 3, 4):
            raise ValueError("A quarter is 1, 2, 3 or 4.")
        month = 4 + 3 * (quarter - 1)
        start = dt.date(year + (month > 12), (month - 1) % 12 + 1, 1)
        after = dt.date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
        label = f"Q{quarter} {financial_year_label(dt.date(year, 4, 1))}"
        return cls(start, after - dt.timedelta(days=1), label)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> "Period":
        if end < start:
            raise ValueError("The period ends before it starts.")
        return cls(start, end, f"{start:%-d %b %Y} to {end:%-d %b %Y}")

    @property
    def is_financial_year(self) -> bool:
        return self == Period.year(financial_year_start(self.start).year)

    @property
    def is_quarter(self) -> bool:
        fy = financial_year_start(self.start).year
        return self == Period.quarter(fy, quarter_of(self.start))

    def years_before(self, count: int) -> list["Period"]:
        """The same period in each of the `count` years before, most recent first."""
        fy = financial_year_start(self.start).year
        earlier = []
        for back in range(1, count + 1):
            if self.is_financial_year:
                earlier.append(Period.year(fy - back))
            elif self.is_quarter:
                earlier.append(Period.quarter(fy - back, quarter_of(self.start)))
            else:
                earlier.append(
                    Period.between(_shift_years(self.start, -back), _shift_years(self.end, -back))
                )
        return earlier

    def quarters(self) -> list["Period"]:
        """The financial year's four quarters; empty for any other period."""
        if not self.is_financial_year:
            return []
        return [Period.quarter(self.start.year, q) for q in (1, 2, 3, 4)]
