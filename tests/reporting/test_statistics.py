"""Every figure of reporting.statistics for the council of tests/reporting/conftest.py,
counted by hand there."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from complaints.periods import Period
from reporting.counting import Basis, Counting
from reporting.statistics import figures, figures_for, recent_figures

Y = Period.year(2025)
S, C = "statutory", "corporate"


@pytest.fixture
def year(council):
    return figures_for(Y, service_area=council.area)


def test_representations_by_kind_and_procedure(year):
    assert dict(year.representations) == {
        "complaint": 9,
        "pre_complaint": 2,
        "call_back": 1,
        "comment": 1,
    }
    # Z came the year before; R, refused out of time, is a complaint received all the same,
    # under no procedure, since out of time applies to both.
    assert dict(year.complaints) == {S: 6, C: 2, "": 1}
    assert dict(year.refusals) == {"Out of time (over 12 months)": 1}


def test_stages_received_completed_withdrawn(year):
    assert dict(year.stages_requested) == {(S, 1): 6, (S, 2): 2, (S, 3): 1, (C, 1): 2}
    assert dict(year.stages_completed) == {(S, 1): 5, (S, 2): 2, (S, 3): 1, (C, 1): 1}
    assert dict(year.stages_withdrawn) == {(S, 1): 1}


def test_escalation_rates(year):
    assert dict(year.escalated) == {(S, 1): 2, (S, 2): 1}
    assert year.escalation_rate(S, 1) == 40  # 2 of the 5 Stage 1 responses
    assert year.escalation_rate(S, 2) == 50
    assert year.escalation_rate(C, 1) == 0


def test_stage_1_timeliness_bands_and_average(year):
    t = year.timeliness[(S, 1)]
    assert (t.target_days, t.max_days) == (10, 20)
    assert (t.completed, t.within_target, t.within_maximum, t.beyond_maximum) == (5, 1, 2, 2)
    assert t.average_days == Decimal("16.6")  # (10 + 11 + 20 + 21 + 21) / 5
    assert (t.extended, t.extended_agreed) == (2, 2)
    assert (t.within_target_percent, t.within_maximum_percent, t.beyond_maximum_percent) == (
        20,
        40,
        40,
    )


def test_stage_2_and_3_timeliness(year):
    t2 = year.timeliness[(S, 2)]
    assert (t2.target_days, t2.max_days) == (25, 65)
    assert (t2.completed, t2.within_target, t2.within_maximum, t2.beyond_maximum) == (2, 1, 0, 1)
    assert t2.average_days == Decimal("47.0")  # (25 + 69) / 2
    t3 = year.timeliness[(S, 3)]
    assert (t3.target_days, t3.max_days) == (50, None)  # 30 + 5 + 15
    assert (t3.completed, t3.within_target, t3.beyond_maximum) == (1, 1, 0)
    assert t3.average_days == Decimal("33.0")
    assert year.panel_steps == {
        "panel_held": [1, 1],
        "panel_report": [0, 1],
        "council_response": [1, 1],
    }


def test_corporate_timeliness_runs_from_acknowledgement(year):
    t = year.timeliness[(C, 1)]
    assert (t.completed, t.within_target, t.total_days) == (1, 1, 10)


def test_outcomes_per_case_and_findings_per_element(year):
    assert dict(year.outcomes) == {
        (S, 1, "upheld"): 1,
        (S, 1, "partially_upheld"): 1,
        (S, 1, "not_upheld"): 3,
        (S, 2, "upheld"): 1,
        (S, 2, "not_upheld"): 1,
        (S, 3, "upheld"): 1,
        (C, 1, "not_upheld"): 1,
    }
    assert dict(year.findings) == {
        (S, 1, "upheld"): 1,
        (S, 1, "partially_upheld"): 1,
        (S, 1, "not_upheld"): 3,
    }
    assert year.findings_by_nature[(1, "Poor communication", "not_upheld")] == 1


def test_natures_groups_routes_and_channels(year):
    assert year.natures[(S, "Poor communication")] == 3
    assert year.natures[(S, "Quality / standard of service")] == 1
    assert sum(year.natures.values()) == 5  # Z's elements: none
    # Who complained, per procedure: R, refused before a procedure was chosen, with the
    # Children Act's; the two corporate complaints apart.
    statutory, corporate = year.profiles[S], year.profiles[C]
    assert dict(statutory.relationships) == {
        "Parent": 5,
        "Child / young person": 1,
        "Grandparent": 1,
    }
    assert dict(corporate.relationships) == {"Parent": 2}
    assert (dict(statutory.routes), dict(corporate.routes)) == (
        {"direct": 6, "mp": 1},
        {"direct": 2},
    )
    assert (dict(statutory.channels), dict(corporate.channels)) == ({"Email": 7}, {"Email": 2})
    assert dict(year.service_areas) == {
        (S, "Children in Care"): 6,
        (C, "Children in Care"): 2,
        ("", "Children in Care"): 1,
    }
    assert dict(year.teams) == {"Looked After Children 1 (Children in Care)": 8}


def test_children_and_advocacy(year):
    s = year.statutory
    assert (s.from_children, s.advocacy_offered, s.advocacy_referred) == (1, 2, 1)
    assert dict(s.advocacy_providers) == {"Council children's rights service": 1}
    assert year.profiles[C].advocacy_offered == 0


def test_equality_answers_not_recorded_are_counted_as_such(year):
    assert dict(year.statutory.equality["gender"]) == {"Female": 1, "Not recorded": 6}
    assert dict(year.statutory.equality["ethnicity"]) == {"Not recorded": 7}
    assert dict(year.profiles[C].equality["gender"]) == {"Not recorded": 2}


def test_outcome_sought_remedies_payments_and_costs(year):
    assert dict(year.statutory.outcome_sought) == {
        "Apology": 2,
        "Explanation": 1,
        "Financial payment / compensation": 1,
    }
    assert dict(year.remedies) == {
        "Apology": 1,
        "Explanation": 1,
        "Financial payment / compensation": 1,
    }
    assert (year.payments_made, year.payments) == (1, Decimal("250.00"))
    assert (year.investigations_costed, year.investigation_costs) == (2, Decimal("4500.00"))
    assert (year.panels_costed, year.panel_costs) == (1, Decimal("1600.00"))


def test_compliments_learning_and_ombudsman(year):
    assert dict(year.compliments) == {"Children in Care": 2}
    assert year.lessons.owed == 1 and year.lessons.returned_on_time == 1
    assert (year.ombudsman.received, year.ombudsman.upheld, year.ombudsman.uphold_rate) == (
        1,
        1,
        100,
    )


def test_without_a_service_area_every_area_counts(council):
    everything = figures_for(Y)
    assert everything.representations["complaint"] == 10
    assert everything.total_compliments == 3


def test_several_periods_are_counted_apart(council):
    this, last = figures([Y, Period.year(2024)], service_area=council.area)
    assert this.representations["complaint"] == 9
    assert dict(last.representations) == {"complaint": 1}  # Z
    assert last.stages_completed[(S, 1)] == 0  # Z was answered on 1 Apr 2025


def test_quarters_split_the_year(council):
    q1, q2, q3, q4 = figures(Y.quarters(), service_area=council.area)
    assert q1.stages_completed[(S, 1)] == 4  # Z, A, B and C; D on 1 July
    assert q2.stages_completed[(S, 1)] == 1
    assert q2.stages_completed[(S, 2)] == 1 and q3.stages_completed[(S, 2)] == 1
    assert q4.total_representations == 0


def test_overlapping_periods_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        figures([Period.year(2025), Period.quarter(2025, 2)])


def test_query_count_does_not_grow_with_cases(council, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        figures_for(Y)
    for _ in range(5):
        council.case(dt.date(2025, 7, 1))
    with django_assert_max_num_queries(len(few)):
        figures_for(Y)


def test_a_year_counted_with_its_quarters_is_their_sum(council):
    year, area = Period.year(2025), council.area
    alone = figures_for(year, service_area=area)
    together = figures([year, *year.quarters(), Period.year(2024)], service_area=area)[0]
    assert dict(together.complaints) == {"statutory": 6, "corporate": 2, "": 1}  # by hand
    assert replace(together, counted_at=None) == replace(alone, counted_at=None)


def test_periods_that_overlap_otherwise_are_refused(council):
    year = Period.year(2025)
    with pytest.raises(ValueError, match="overlap"):
        figures([year, *year.quarters()[:3]])


def test_a_cache_that_is_down_slows_the_figures_but_does_not_stop_them(council, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    counted = recent_figures([Y], service_area=council.area)[0]
    assert dict(counted.complaints) == {S: 6, C: 2, "": 1}
    assert "The figures cache is unavailable" in caplog.text


def test_an_accepted_pre_complaint_counts_as_a_complaint(build, team):
    """Once accepted into a procedure, a representation is a complaint, whatever it came in
    as: one accepted pre-complaint and three complaints are four complaints, as Stage 1
    received says; the conversion is counted by the kind it came in as."""
    from complaints.models import Case

    received = dt.date(2025, 6, 2)
    for kind in ["pre_complaint", "complaint", "complaint", "complaint"]:
        case = build.log(kind=kind, received_on=received, service_area=team.service)
        build.accept(case)
    build.log(kind="pre_complaint", received_on=received, service_area=team.service)
    counted = figures_for(Y, service_area=team.service)
    assert sum(counted.complaints.values()) == 4
    assert counted.stages_requested[(S, 1)] == 4
    assert sum(n for (_, area), n in counted.service_areas.items()) == 4
    assert dict(counted.accepted_from) == {"pre_complaint": 1, "complaint": 3}
    assert Case.objects.filter(kind="pre_complaint").count() == 2


def test_each_stage_is_measured_against_the_timescale_in_force_when_it_began(build, officer):
    """Stage 1 becomes 15 working days from 1 September 2025: a stage begun in June keeps its
    10 (and its due date), one begun in September is given 15, and neither is re-banded."""
    from freezegun import freeze_time

    from complaints import workflow
    from complaints.models import Finding, StageDefinition, Timescale
    from complaints.workingdays import add_working_days

    definition = StageDefinition.objects.get(procedure=S, level=1)
    old = Timescale.objects.get(stage=definition, step="respond")
    Timescale.objects.create(
        stage=definition,
        step="respond",
        target_days=15,
        max_days=25,
        clock_start=old.clock_start,
        effective_from=dt.date(2025, 9, 1),
    )
    answered = {}
    for received in (dt.date(2025, 6, 2), dt.date(2025, 9, 1)):
        with freeze_time(received):
            case = build.case(received_on=received, elements=1)
        due = case.current_stage.deadlines.get(step="respond").due_on
        days = 10 if received.month == 6 else 15
        assert due == add_working_days(received, days)
        responded = add_working_days(received, 12)
        with freeze_time(responded):
            build.record_findings(case)
            workflow.submit_for_qa(case, by=officer)
            workflow.approve_draft(case, by=officer)
            workflow.issue_response(
                case, by=officer, responded_on=responded, outcome=Finding.objects.first()
            )
        answered[received.month] = case
    counted = figures_for(Y)
    stage1 = counted.timeliness[(S, 1)]
    assert (stage1.completed, stage1.within_target, stage1.within_maximum) == (2, 1, 1)


def test_an_ombudsman_enquiry_logged_as_a_representation_has_a_row_of_its_own(build):
    from complaints.models import Case
    from reporting.tables import build as build_tables

    build.log(kind=Case.Kind.OMBUDSMAN_ENQUIRY, received_on=dt.date(2025, 6, 2))
    counted = figures_for(Y)
    table = build_tables([counted])["representations"]
    assert table.value("ombudsman_enquiry") == 1
    assert table.row("ombudsman_enquiry").label == "Ombudsman enquiry"


# The dashboard's periods: the year, the two years before, and the year's quarters.
DASHBOARD = [Y, Period.year(2024), Period.year(2023), *Y.quarters()]


def test_counting_many_periods_takes_no_more_queries_than_one(
    council, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        figures([Y], service_area=council.area)
    with django_assert_max_num_queries(len(one)):
        figures(DASHBOARD, service_area=council.area)
    six_years = [q for year in range(2020, 2026) for q in Period.year(year).quarters()]
    with django_assert_max_num_queries(len(one)):
        figures(six_years)


@pytest.mark.parametrize("counting", [Counting(), Counting(basis=Basis.INTAKE)])
@pytest.mark.parametrize("area", [False, True])
def test_periods_counted_together_are_counted_as_each_alone(council, counting, area):
    area = council.area if area else None
    together = figures(DASHBOARD, service_area=area, counting=counting)
    for counted in together:
        alone = figures_for(counted.period, service_area=area, counting=counting)
        assert replace(counted, counted_at=None) == replace(alone, counted_at=None)


def test_a_complaint_reopened_at_a_stage_it_had_keeps_its_first_answer(council):
    before = figures_for(Y, service_area=council.area).complaint_outcomes
    reopened = council.case(dt.date(2025, 6, 2))
    council.stage(reopened, 1, dt.date(2025, 6, 2), dt.date(2025, 6, 16), "upheld")
    council.stage(reopened, 1, dt.date(2025, 11, 3))  # sent back by the Ombudsman as premature
    after = figures_for(Y, service_area=council.area).complaint_outcomes
    assert after - before == {(S, "upheld"): 1}
