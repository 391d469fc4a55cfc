"""What Stage 2 investigations and Stage 3 panels cost: the appointments' costs (complaints.costs)
with the fees brought in from earlier records, by year, internal or external and service area;
and the tables the dashboard and the annual report print from them.

The council of tests/reporting/conftest.py already holds fees from earlier records: A's Stage 2
£1,500 + £500, B's Stage 2 £2,500 (both answered in 2025/26), and A's Stage 3 panel £1,000 plus
three members at £200."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.models import (
    Appointment,
    Invoice,
    Level,
    Part,
    PoolMember,
    Remedy,
    RemedyKind,
    TimeEntry,
)
from complaints.periods import Period
from reporting import services
from reporting.annual_report import render_pdf
from reporting.dashboard import dashboard_tables
from reporting.statistics import figures, figures_for
from reporting.tables import build
from tests.factories import PoolMemberFactory, category
from tests.reporting.test_annual_report import pdf_text

D = dt.date
Y = Period.year(2025)
pytestmark = pytest.mark.django_db


def _appoint(stage, part, *, engagement, rate="300", on=None):
    member = PoolMemberFactory(engagement=engagement, rate=Decimal(rate))
    return Appointment.objects.create(
        stage=stage,
        member=member,
        part=part,
        appointed_on=on or stage.requested_on,
        rate=member.rate,
        rate_unit=member.rate_unit,
    )


def _time(appointment, days, expenses="0"):
    TimeEntry.objects.create(
        appointment=appointment,
        worked_on=appointment.appointed_on,
        quantity=Decimal(days),
        expenses=Decimal(expenses),
    )


def _invoice(appointment, amount, number="1", approved=True):
    Invoice.objects.create(
        appointment=appointment,
        number=number,
        received_on=appointment.appointed_on,
        amount=Decimal(amount),
        approved_on=appointment.appointed_on if approved else None,
    )


def _stage(council, level, area=None):
    case = council.case(D(2025, 6, 2), area=area)
    return council.stage(case, level, D(2025, 7, 1), D(2025, 9, 1), "upheld")


def _a2(council):
    return council.area.cases.get(reference="T0001").stages.get(level=Level.INVESTIGATION)


def test_a_stage_with_appointments_and_fees_counts_each_once(council):
    a2 = _a2(council)
    staff = _appoint(a2, Part.INVESTIGATING_OFFICER, engagement=PoolMember.Engagement.INTERNAL)
    _time(staff, "2")  # £600 accrued
    agency = _appoint(a2, Part.INDEPENDENT_PERSON, engagement=PoolMember.Engagement.AGENCY)
    _time(agency, "5")  # £1,500 accrued, replaced by the approved invoice
    _invoice(agency, "700")
    _invoice(agency, "9999", number="2", approved=False)  # not approved: counts for nothing
    year = figures_for(Y, service_area=council.area)
    assert year.investigations_costed == 2  # A's and B's Stage 2, A's not twice
    assert year.investigation_costs == Decimal("5800.00")  # £4,500 fees + £600 + £700
    assert (
        year.investigation_costs_internal,
        year.investigation_costs_external,
        year.investigation_costs_imported,
    ) == (Decimal("600.00"), Decimal("700.00"), Decimal("4500.00"))


def test_a_stage_with_neither_is_not_costed(council):
    bare = _stage(council, Level.INVESTIGATION)
    # Appointed, but nothing recorded against the appointment yet.
    _appoint(bare, Part.INVESTIGATING_OFFICER, engagement=PoolMember.Engagement.FRAMEWORK)
    year = figures_for(Y, service_area=council.area)
    assert year.investigations_costed == 2
    assert year.investigation_costs == Decimal("4500.00")


def test_a_stage_costed_only_by_its_appointments_is_costed(council):
    stage = _stage(council, Level.INVESTIGATION)
    io = _appoint(
        stage, Part.INVESTIGATING_OFFICER, engagement=PoolMember.Engagement.SELF_EMPLOYED
    )
    _time(io, "1.5", "42.10")  # £450 + £42.10
    year = figures_for(Y, service_area=council.area)
    assert year.investigations_costed == 3
    assert year.investigation_costs_external == Decimal("492.10")
    assert year.investigation_costs == Decimal("4992.10")


def test_panel_costs_add_the_panels_appointments(council):
    a3 = council.area.cases.get(reference="T0001").stages.get(level=Level.REVIEW_PANEL)
    chair = _appoint(a3, Part.PANEL_CHAIR, engagement=PoolMember.Engagement.SELF_EMPLOYED)
    _invoice(chair, "450")
    year = figures_for(Y, service_area=council.area)
    assert (year.panels_costed, year.panel_costs) == (1, Decimal("2050.00"))
    assert (year.panel_costs_external, year.panel_costs_imported) == (
        Decimal("450.00"),
        Decimal("1600.00"),
    )


def test_remedy_payments_are_not_costs(council):
    a2 = _a2(council)
    Remedy.objects.create(
        stage=a2, kind=category(RemedyKind, "financial_payment"), amount=Decimal("300.00")
    )
    year = figures_for(Y, service_area=council.area)
    assert (year.payments_made, year.payments) == (2, Decimal("550.00"))
    assert year.investigation_costs == Decimal("4500.00")


def test_costs_by_service_area_and_by_quarter(council):
    early_help = _stage(council, Level.INVESTIGATION, area=council.other_area)
    io = _appoint(early_help, Part.INVESTIGATING_OFFICER, engagement="agency")
    _time(io, "1")
    year, *quarters = figures([Y, *Y.quarters()])
    assert dict(year.investigation_costs_by_area) == {
        "Children in Care": Decimal("4500.00"),
        "Early Help": Decimal("300.00"),
    }
    assert dict(year.investigations_costed_by_area) == {"Children in Care": 2, "Early Help": 1}
    assert dict(year.panel_costs_by_area) == {"Children in Care": Decimal("1600.00")}
    # A year is its quarters summed.
    assert sum(q.investigation_costs for q in quarters) == year.investigation_costs
    assert sum(q.investigation_costs_external for q in quarters) == Decimal("300.00")


def test_the_costs_tables(council):
    early_help = _stage(council, Level.INVESTIGATION, area=council.other_area)
    _time(_appoint(early_help, Part.INVESTIGATING_OFFICER, engagement="agency"), "1")
    tables = build(figures([Y, Period.year(2024)]))
    costs = tables["costs"]
    assert costs.value("investigation_costs") == Decimal("4800.00")
    assert costs.value("investigation_costs_external") == Decimal("300.00")
    assert costs.value("investigation_costs_internal") == Decimal("0.00")
    assert costs.value("investigation_costs_imported") == Decimal("4500.00")
    assert costs.value("investigation_average") == Decimal("1600.00")
    assert costs.value("panel_costs") == Decimal("1600.00")
    assert costs.value("investigation_costs", 1) == Decimal("0.00")  # 2024/25
    by_area = tables["costs_by_area"]
    assert by_area.value("early-help", 1) == Decimal("300.00")
    assert by_area.value("children-in-care", 0) == 2
    assert by_area.value("total", 1) == Decimal("4800.00")
    assert by_area.value("total", 3) == Decimal("1600.00")


def test_the_dashboard_shows_the_years_costs(council):
    tables = dashboard_tables(Y, None).tables
    assert tables["costs"].value("investigation_costs") == Decimal("4500.00")
    assert "costs_by_area" in tables


def test_the_annual_report_prints_the_costs_by_year_and_by_service_area(
    council, complaints_manager, tmp_path
):
    early_help = _stage(council, Level.INVESTIGATION, area=council.other_area)
    _invoice(_appoint(early_help, Part.INVESTIGATING_OFFICER, engagement="framework"), "682.60")
    edition = services.edition_start(year=2025, by=complaints_manager)
    text = pdf_text(render_pdf(edition), tmp_path)
    assert "Cost of Stage 2 investigations (£) £5,182.60" in text
    assert "of which fees from earlier records (£) £4,500.00" in text
    assert "by service area, 2025/26" in text
    # The service area's count of one investigation is suppressed, and its cost with it: it
    # would be near enough one person's fee.
    assert "Early Help fewer than 5" in text
    assert "Early Help fewer than 5 £682.60" not in text


def test_the_dashboard_page_and_its_download_show_the_costs(client, officer, council):
    _time(_appoint(_a2(council), Part.INVESTIGATING_OFFICER, engagement="internal"), "1")
    client.force_login(officer)
    page = client.get("/dashboard/?kind=year&year=2025").content.decode()
    assert "Costs of independent investigations and review panels" in page
    assert "£4,800.00" in page and "£300.00" in page  # the total, and council staff's part
    csv = client.get(
        reverse("dashboard-table", args=["costs_by_area", "csv"]) + "?kind=year&year=2025"
    )
    assert csv.status_code == 200
    assert "Children in Care" in csv.content.decode()
    api = client.get(reverse("api-statistics"), {"year": 2025}).json()
    by_key = {t["key"]: t for t in api["tables"]}
    rows = {r["key"]: r["values"] for r in by_key["costs"]["rows"]}
    assert rows["investigation_costs_internal"][0] == "300.00"
    assert "costs_by_area" in by_key
