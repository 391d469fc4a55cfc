"""Working days, as the Children Act 1989 regulations (reg 2) define them.

A working day is not a Saturday, Sunday, Christmas Day, Good Friday or English bank holiday.
Bank holidays come from the `holidays` package (GB, subdivision ENG, which includes one-off days
such as 19 Sep 2022 and substitute days), plus any NonWorkingDay a manager adds in the admin.
Council closure days are skipped only on the corporate calendar, never for statutory deadlines.

Day 1 is the first working day after the start date, so 10 working days from receipt is the
tenth working day after it.
"""

import datetime as dt
import threading
import time
from functools import cache

import holidays
import numpy as np
from django.db import models

FIRST_YEAR = 2000
LAST_YEAR = 2060
_CACHE_SECONDS = 300


class Calendar(models.TextChoices):
    STATUTORY = "statutory", "Statutory (weekends and bank holidays)"
    CORPORATE = "corporate", "Corporate (also council closure days)"


class OutOfRange(ValueError):
    pass


@cache
def _bank_holidays() -> frozenset[dt.date]:
    return frozenset(
        holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    )


class _Calendars:
    """numpy business-day calendars, rebuilt when NonWorkingDay rows change (signal) or after a
    few minutes (so a web process sees a closure day a worker process added)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # None until built, and after a change: the monotonic clock starts at boot, so "long
        # ago" cannot be written as a time.
        self._built_at: float | None = None
        self._calendars: dict[str, np.busdaycalendar] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._built_at = None

    def get(self, calendar: str) -> np.busdaycalendar:
        with self._lock:
            if self._built_at is None or time.monotonic() - self._built_at > _CACHE_SECONDS:
                self._calendars = self._build()
                self._built_at = time.monotonic()
            return self._calendars[Calendar(calendar)]

    @staticmethod
    def _build() -> dict[str, np.busdaycalendar]:
        from complaints.models import NonWorkingDay

        extra_bank, closures = set(), set()
        for day, kind in NonWorkingDay.objects.values_list("date", "kind"):
            (extra_bank if kind == NonWorkingDay.Kind.BANK_HOLIDAY else closures).add(day)
        statutory = _bank_holidays() | extra_bank
        return {
            Calendar.STATUTORY: np.busdaycalendar(holidays=sorted(statutory)),
            Calendar.CORPORATE: np.busdaycalendar(holidays=sorted(statutory | closures)),
        }


calendars = _Calendars()


def _check(day: dt.date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR - 1:
        raise OutOfRange(f"{day:%d %b %Y} is outside the calendar ({FIRST_YEAR}–{LAST_YEAR - 1}).")


def add_working_days(start: dt.date, days: int, calendar: str = Calendar.STATUTORY) -> dt.date:
    """The `days`-th working day after `start` (or `start` itself for 0)."""
    _check(start)
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start
    # Rolling a non-working start back to the previous working day makes day 1 the first
    # working day after it, which is what the regulations' counting needs.
    result = np.busday_offset(
        np.datetime64(start, "D"), days, roll="backward", busdaycal=calendars.get(calendar)
    )
    return result.astype(dt.date)


def add_working_days_many(
    starts: list[dt.date], days: list[int] | int, calendar: str = Calendar.STATUTORY
) -> list[dt.date]:
    """add_working_days for many dates at once, for bulk jobs (demo data, chasing)."""
    if not starts:
        return []
    array = np.array(starts, dtype="datetime64[D]")
    offsets = np.asarray(days)
    result = np.busday_offset(array, offsets, roll="backward", busdaycal=calendars.get(calendar))
    # A zero offset must return the start itself, not the rolled-back working day.
    result = np.where(offsets == 0, array, result)
    return list(result.astype(dt.date))


def working_days_between(start: dt.date, end: dt.date, calendar: str = Calendar.STATUTORY) -> int:
    """Working days after `start` up to and including `end`; negative if `end` is earlier."""
    _check(start)
    _check(end)
    cal = calendars.get(calendar)
    one = np.timedelta64(1, "D")
    a, b = np.datetime64(start, "D") + one, np.datetime64(end, "D") + one
    if end >= start:
        return int(np.busday_count(a, b, busdaycal=cal))
    return -int(np.busday_count(b, a, busdaycal=cal))


def working_days_between_many(starts, ends, calendar: str = Calendar.STATUTORY) -> np.ndarray:
    """working_days_between for many pairs at once (the statistics, the chase): `ends` may be
    one date for all. Negative where the end is before the start."""
    one = np.timedelta64(1, "D")
    a = _numpy_days(starts) + one
    b = _numpy_days(ends if isinstance(ends, list | tuple) else [ends] * len(starts)) + one
    cal = calendars.get(calendar)
    # As working_days_between: numpy's own negative count is off by one from it.
    forward = np.busday_count(a, b, busdaycal=cal)
    backward = -np.busday_count(b, a, busdaycal=cal)
    return np.where(a <= b, forward, backward)


def _numpy_days(dates) -> np.ndarray:
    # By ordinal: numpy converts date objects one by one, many times slower.
    ordinals = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))
    return (ordinals - _EPOCH).astype("datetime64[D]")


_EPOCH = dt.date(1970, 1, 1).toordinal()


def is_working_day(day: dt.date, calendar: str = Calendar.STATUTORY) -> bool:
    _check(day)
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=calendars.get(calendar)))


def next_working_day(day: dt.date, calendar: str = Calendar.STATUTORY) -> dt.date:
    """The day itself if it is a working day, else the first working day after it."""
    _check(day)
    result = np.busday_offset(
        np.datetime64(day, "D"), 0, roll="forward", busdaycal=calendars.get(calendar)
    )
    return result.astype(dt.date)
