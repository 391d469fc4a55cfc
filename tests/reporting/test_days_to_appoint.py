"""Days from a Stage 2 request to appointing its investigating officer: the delay Redcar &
Cleveland reported, counted in reporting.statistics and shown on the dashboard."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.models import Appointment, Part
from complaints.periods import Period
from reporting.counting import Basis, Counting
from reporting.dashboard import SECTIONS
from reporting.statistics import figures, figures_for
from reporting.tables import build
from tests.factories import PoolMemberFactory

D = dt.date
Y = Period.year(2025)


def _appoint(stage, member, on, part=Part.INVESTIGATING_OFFICER):
    return Appointment.objects.create(
        stage=stage, member=member, part=part, appointed_on=on, rate=400, rate_unit="day"
    )


@pytest.fixture
def appointed(db):
    """Two Stage 2s of a fresh council: 10 and 5 working days to appoint (2 Jun 2025 is a
    Monday), one reassigned later; an independent person; a Stage 2 appointed a year before."""
    from tests.reporting.conftest import Council

    c = Council()
    io, other, ip = (PoolMemberFactory(parts=["investigates"]) for _ in range(3))
    a = c.stage(c.case(D(2025, 4, 1)), 2, D(2025, 6, 2))
    _appoint(a, io, D(2025, 6, 16))  # 10 working days
    _appoint(a, ip, D(2025, 6, 3), Part.INDEPENDENT_PERSON)  # not the investigator
    b = c.stage(c.case(D(2025, 5, 1)), 2, D(2025, 7, 1))
    _appoint(b, io, D(2025, 7, 8))  # 5 working days
    _appoint(b, other, D(2025, 9, 1))  # a reassignment: not a second appointment
    earlier = c.stage(c.case(D(2024, 4, 1)), 2, D(2024, 6, 3))
    _appoint(earlier, io, D(2024, 6, 4))
    corporate = c.stage(c.case(D(2025, 4, 1), procedure="corporate"), 2, D(2025, 6, 2))
    _appoint(corporate, io, D(2025, 6, 30))
    return c


def test_days_to_appoint_are_counted_once_per_stage_in_working_days(appointed):
    year = figures_for(Y)
    assert (year.appointments_made, year.days_to_appoint_total) == (2, 15)
    assert year.average_days_to_appoint == Decimal("7.5")
    before = figures_for(Period.year(2024))
    assert (before.appointments_made, before.days_to_appoint_total) == (1, 1)
    other_area = figures_for(Y, service_area=appointed.other_area)
    assert other_area.appointments_made == 0
    assert other_area.average_days_to_appoint is None


def test_a_quarter_counts_the_appointments_made_in_it(appointed):
    q1, q2, *_ = figures(Y.quarters())
    assert (q1.appointments_made, q1.days_to_appoint_total) == (1, 10)  # April to June
    assert (q2.appointments_made, q2.days_to_appoint_total) == (1, 5)


def test_on_the_intake_basis_by_the_cases_receipt(appointed):
    intake = Counting(basis=Basis.INTAKE)
    q1 = figures([Y.quarters()[0]], counting=intake)[0]
    assert (q1.appointments_made, q1.days_to_appoint_total) == (2, 15)  # received April, May


def test_the_table_reads_by_stable_keys_and_is_on_the_dashboard(appointed):
    table = build([figures_for(Y), figures_for(Period.year(2024))])["days_to_appoint"]
    assert table.value("appointments_made") == 2
    assert table.value("average_days_to_appoint") == Decimal("7.5")
    assert table.value("average_days_to_appoint", 1) == 1
    assert any("days_to_appoint" in keys for _, keys in SECTIONS)


def test_the_dashboard_shows_the_average(appointed, client, complaints_manager):
    client.force_login(complaints_manager)
    page = client.get(reverse("dashboard"), {"year": 2025})
    body = page.content.decode()
    assert page.status_code == 200
    assert (
        "Average working days from Stage 2 request to appointing the investigating officer" in body
    )
