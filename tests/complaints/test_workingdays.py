import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.models import NonWorkingDay
from complaints.workingdays import (
    Calendar,
    OutOfRange,
    add_working_days,
    add_working_days_many,
    is_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = dt.date

# The worked examples the statutory timescales must reproduce.
WORKED_EXAMPLES = [
    (D(2024, 12, 16), 10, D(2025, 1, 2)),  # Christmas, Boxing Day, New Year's Day
    (D(2024, 12, 16), 20, D(2025, 1, 16)),
    (D(2024, 3, 28), 25, D(2024, 5, 7)),  # Good Friday, Easter Monday, Early May
    (D(2024, 3, 28), 65, D(2024, 7, 3)),  # ... and the Spring bank holiday
    (D(2022, 9, 12), 10, D(2022, 9, 27)),  # State Funeral, 19 Sep 2022
    (D(2023, 4, 28), 10, D(2023, 5, 16)),  # Early May and the Coronation, 8 May 2023
]


@pytest.mark.parametrize(("start", "days", "due"), WORKED_EXAMPLES)
def test_worked_examples(start, days, due):
    assert add_working_days(start, days) == due


def test_day_one_is_the_first_working_day_after_receipt():
    saturday = D(2024, 12, 14)
    assert add_working_days(saturday, 1) == D(2024, 12, 16)
    assert add_working_days(D(2024, 12, 13), 1) == D(2024, 12, 16)  # Friday → Monday
    assert add_working_days(D(2024, 12, 16), 0) == D(2024, 12, 16)


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(D(2024, 12, 16), D(2025, 1, 2)) == 10
    assert working_days_between(D(2025, 1, 2), D(2024, 12, 16)) == -10
    assert working_days_between(D(2025, 1, 2), D(2025, 1, 2)) == 0


def test_many_agrees_with_one_at_a_time():
    starts = [s for s, _, _ in WORKED_EXAMPLES]
    days = [n for _, n, _ in WORKED_EXAMPLES]
    assert add_working_days_many(starts, days) == [d for _, _, d in WORKED_EXAMPLES]
    assert add_working_days_many([D(2024, 12, 14)], 0) == [D(2024, 12, 14)]


def test_closure_days_count_only_on_the_corporate_calendar():
    NonWorkingDay.objects.create(date=D(2024, 12, 24), kind="closure", name="Council closed")
    assert add_working_days(D(2024, 12, 16), 10) == D(2025, 1, 2)
    assert add_working_days(D(2024, 12, 16), 10, Calendar.CORPORATE) == D(2025, 1, 3)
    assert is_working_day(D(2024, 12, 24))
    assert not is_working_day(D(2024, 12, 24), Calendar.CORPORATE)


def test_a_proclaimed_bank_holiday_counts_for_every_deadline():
    NonWorkingDay.objects.create(date=D(2030, 6, 3), kind="bank_holiday", name="One-off")
    assert not is_working_day(D(2030, 6, 3))
    assert not is_working_day(D(2030, 6, 3), Calendar.CORPORATE)
    NonWorkingDay.objects.filter(date=D(2030, 6, 3)).delete()
    assert is_working_day(D(2030, 6, 3))


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(OutOfRange, match="outside the calendar"):
        add_working_days(D(1999, 12, 31), 1)


_BANK = holidays.country_holidays("GB", subdiv="ENG", years=range(2012, 2032))


def _count_day_by_day(start: dt.date, days: int) -> dt.date:
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in _BANK:
            counted += 1
    return day


@settings(max_examples=400, deadline=None)
@given(
    start=st.dates(min_value=D(2012, 1, 1), max_value=D(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=100),
)
def test_calculator_agrees_with_a_plain_day_by_day_count(start, days):
    assert add_working_days(start, days) == _count_day_by_day(start, days)


@pytest.mark.django_db
def test_a_new_closure_day_counts_at_once_on_a_machine_just_booted(monkeypatch):
    # time.monotonic() counts from boot: a few seconds on a fresh machine.
    monkeypatch.setattr("complaints.workingdays.time.monotonic", lambda: 12.0)
    start = dt.date(2024, 12, 16)
    assert add_working_days(start, 10, Calendar.CORPORATE) == dt.date(2025, 1, 2)
    NonWorkingDay.objects.create(date="2024-12-24", kind="closure", name="Council closed")
    assert add_working_days(start, 10, Calendar.CORPORATE) == dt.date(2025, 1, 3)


def test_many_pairs_count_as_one_pair_at_a_time():
    import itertools

    from complaints.workingdays import working_days_between, working_days_between_many

    days = [dt.date(2024, 12, 18) + dt.timedelta(days=n) for n in range(0, 21, 3)]
    pairs = list(itertools.product(days, days))
    for calendar in ("statutory", "corporate"):
        many = working_days_between_many([a for a, _ in pairs], [b for _, b in pairs], calendar)
        assert list(many) == [working_days_between(a, b, calendar) for a, b in pairs]
