"""The months kept (reporting.models.CountedMonth): added up, they give the figures counting the
periods from the cases gives, and every change to what they are counted from forgets the
months it touches, so they never give figures from before it."""

import datetime as dt
from dataclasses import replace

import pytest
from django.db import transaction

from complaints.models import Case, ElementFinding, Finding, Gender, Remedy, RemedyKind, Stage
from complaints.periods import Period
from compliments.models import Compliment
from reporting import statistics
from reporting.counting import DEFAULT, Basis, Counting
from reporting.models import CountedMonth
from reporting.statistics import figures, recent_figures
from tests.factories import category

D = dt.date
Y = Period.year(2025)
DASHBOARD = [Y, Period.year(2024), Period.year(2023), *Y.quarters()]
CUSTOM = Period.between(D(2025, 5, 10), D(2025, 11, 20))  # months cut at either end
INTAKE = Counting(basis=Basis.INTAKE)


def assert_kept_months_add_up(area=None, counting=DEFAULT):
    """The dashboard's periods and a period of dates chosen, from the months kept (counting
    those not kept), are as counted from the cases."""
    for periods in (DASHBOARD, [CUSTOM, *CUSTOM.years_before(2)]):
        kept = recent_figures(periods, service_area=area, counting=counting)
        fresh = figures(periods, service_area=area, counting=counting)
        for a, b in zip(kept, fresh, strict=True):
            assert replace(a, counted_at=None) == replace(b, counted_at=None), a.period.label


def kept_months() -> set[dt.date]:
    return set(CountedMonth.objects.values_list("month", flat=True))


@pytest.fixture
def kept(council):
    """The council's months, counted and kept, whole council and one service area."""
    recent_figures(DASHBOARD)
    recent_figures(DASHBOARD, service_area=council.area, counting=INTAKE)
    assert D(2023, 4, 1) in kept_months()
    return council


@pytest.mark.parametrize("counting", [DEFAULT, INTAKE])
def test_months_added_up_are_the_periods_counted(council, counting):
    assert not kept_months()
    assert_kept_months_add_up(counting=counting)  # every month counted, and kept
    assert len(kept_months()) == 36
    assert_kept_months_add_up(council.area, counting)
    assert_kept_months_add_up(counting=counting)  # now read back


def test_a_dashboard_from_months_kept_reads_no_cases(kept, django_assert_max_num_queries):
    from django.core.cache import cache

    cache.clear()
    # The months, each period's agreed actions and the Ombudsman's figures, and no more.
    with django_assert_max_num_queries(10) as queries:
        recent_figures(DASHBOARD)
    assert not any("complaints_case" in q["sql"] for q in queries.captured_queries)


# Changes, each through the models as a page or an import makes them (save signals and all).


def new_complaint(council):
    case = council.case(D(2025, 8, 4))
    council.stage(case, 1, D(2025, 8, 4), D(2025, 8, 20), "not_upheld")


def response_date_corrected(council):
    stage = Stage.objects.get(case__complainant__name="Dorian Ashcombe", level=1)
    stage.responded_on = D(2025, 11, 3)  # was 1 July
    stage.save()


def open_stage_answered(council):
    stage = Stage.objects.get(case__complainant__relationship__code="grandparent")
    stage.responded_on = D(2025, 12, 1)
    stage.outcome = Finding.objects.get(code="upheld")
    stage.save()


def equality_answer_recorded(council):
    case = Case.objects.get(complainant__name="Bartholomew Quill")
    case.complainant.gender = category(Gender, "male")
    case.complainant.save()


def procedure_changed(council):
    case = Case.objects.filter(procedure="corporate", stages__responded_on=None).get()
    case.procedure = "statutory"
    case.save()


def case_deleted(council):
    Case.objects.get(service_area=council.other_area, kind="complaint").delete()


def element_finding_changed(council):
    finding = ElementFinding.objects.get(
        stage__case__complainant__name="Agatha Fernsby", element__nature__code="staff_conduct"
    )
    finding.finding = Finding.objects.get(code="upheld")
    finding.save()


def remedy_added(council):
    stage = Stage.objects.get(case__complainant__name="Cressida Vantongeren", level=1)
    Remedy.objects.create(stage=stage, kind=category(RemedyKind, "financial_payment"), amount=100)


def stage_withdrawn(council):
    stage = Stage.objects.get(case__complainant__name="Dorian Ashcombe", level=1)
    stage.responded_on, stage.withdrawn_on = None, D(2025, 6, 20)
    stage.save()


def received_date_moved_a_year_back(council):
    case = Case.objects.get(complainant__name="Cressida Vantongeren")
    case.received_on = D(2024, 5, 1)
    case.save()


def escalated(council):
    case = Case.objects.get(complainant__name="Cressida Vantongeren")
    council.stage(case, 2, D(2025, 7, 14))


def stage_deleted(council):
    Stage.objects.get(case__complainant__name="Bartholomew Quill", level=2).delete()


def compliment_moved(council):
    compliment = Compliment.objects.filter(service_area=council.area).first()
    compliment.received_on = D(2024, 2, 1)
    compliment.save()


def team_changed(council):
    from tests.factories import TeamFactory

    stage = Stage.objects.get(case__complainant__name="Bartholomew Quill", level=2)
    stage.team = TeamFactory(service=council.area, name="Looked After Children 2")
    stage.save()


def joint_area_added(council):
    Case.objects.get(complainant__name="Agatha Fernsby").joint_service_areas.add(
        council.other_area
    )


def outcome_sought_removed(council):
    Case.objects.get(complainant__name="Bartholomew Quill").outcome_sought.clear()


CHANGES = [
    new_complaint,
    response_date_corrected,
    open_stage_answered,
    equality_answer_recorded,
    procedure_changed,
    case_deleted,
    element_finding_changed,
    remedy_added,
    stage_withdrawn,
    received_date_moved_a_year_back,
    escalated,
    stage_deleted,
    compliment_moved,
    team_changed,
    joint_area_added,
    outcome_sought_removed,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_change_is_never_added_up_from_months_counted_before_it(kept, change):
    change(kept)
    assert_kept_months_add_up()
    assert_kept_months_add_up(kept.area, INTAKE)


def test_a_change_forgets_only_the_months_it_touches(kept):
    before = kept_months()
    open_stage_answered(kept)  # received, and Stage 1 requested, 2 June 2025; answered 1 Dec
    statistics._forget_pending()
    forgotten = before - kept_months()
    # Its months, and as at the end of every month since it was answered (stages ongoing).
    assert forgotten == {
        D(2025, 6, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
        D(2026, 3, 1),
    }


def test_a_category_changed_forgets_every_month(kept):
    parent = category(Finding, "upheld")
    parent.label = "Upheld in full"
    parent.save()
    statistics._forget_pending()
    assert not kept_months()


def test_months_counted_while_anything_changed_are_not_kept(council, monkeypatch):
    count = statistics._count

    def changing_meanwhile(*args):
        counted = count(*args)
        statistics.figures_changed()  # as a move committed by someone else meanwhile
        return counted

    monkeypatch.setattr(statistics, "_count", changing_meanwhile)
    recent_figures(DASHBOARD)
    assert not kept_months()


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_forgets_its_months_for_every_reader(council):
    recent_figures(DASHBOARD)
    assert D(2025, 12, 1) in kept_months()
    with transaction.atomic():
        open_stage_answered(council)
        assert D(2025, 12, 1) in kept_months()  # until it commits
    assert D(2025, 12, 1) not in kept_months()
    assert D(2025, 5, 1) in kept_months()
    assert_kept_months_add_up()
