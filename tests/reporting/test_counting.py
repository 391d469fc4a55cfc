"""How a period is counted (reporting.counting, reporting.statistics): the two bases, the base
of "% on time", what is as at the period's last day, complaints not yet accepted, and joint
complaints. Cases come in through the history import, as a council's would."""

import pytest

from complaints.history_import import import_cases
from complaints.periods import Period
from reporting.counting import Basis, Counting, OnTimeBase
from reporting.statistics import figures, figures_for, recent_figures
from tests.factories import ServiceAreaFactory, TeamFactory
from tests.support.history import case_row, csv_bytes

pytestmark = pytest.mark.django_db

S1 = ("statutory", 1)
YEAR = Period.year(2024)  # 1 April 2024 to 31 March 2025
INTAKE = Counting(basis=Basis.INTAKE)


@pytest.fixture
def history(complaints_manager):
    area = ServiceAreaFactory(name="Safeguarding")
    TeamFactory(service=area, name="East")
    ServiceAreaFactory(name="Fostering")

    def bring_in(*rows):
        result = import_cases("h.csv", csv_bytes(list(rows)), by=complaints_manager)
        assert result.ok, result.problems

    return bring_in


def answered(reference, received, responded, **values):
    return case_row(
        reference,
        received,
        stage1_team="East",
        stage1_responded_on=responded,
        stage1_outcome="not_upheld",
        **values,
    )


def test_ongoing_is_as_at_the_periods_last_day_not_today(history):
    # Requested in March 2025, answered in April 2025: open on 31 March 2025.
    history(answered("A", "2025-03-24", "2025-04-04"))

    year = figures_for(YEAR).timeliness[S1]
    assert (year.completed, year.ongoing) == (0, 1)
    after = figures_for(Period.year(2025)).timeliness[S1]
    assert (after.completed, after.ongoing) == (1, 0)


def test_a_year_counted_with_its_quarters_is_as_at_its_own_end(history):
    history(
        answered("A", "2024-12-02", "2025-01-06"),
        case_row("B", "2025-03-24", stage1_team="East"),
    )
    year, *quarters = recent_figures([YEAR, *YEAR.quarters()])

    assert [q.timeliness[S1].ongoing for q in quarters] == [0, 0, 1, 1]
    assert year.timeliness[S1].ongoing == 1  # not the quarters' sum


def test_the_intake_basis_counts_the_years_complaints_whenever_they_were_answered(history):
    history(
        answered("A", "2025-03-24", "2025-04-04"),  # this year's, answered next year
        answered("B", "2024-03-25", "2024-04-05"),  # last year's, answered this year
    )

    completions = figures_for(YEAR).stages_completed[S1]
    intake = figures_for(YEAR, counting=INTAKE)
    assert completions == 1  # B
    assert intake.stages_completed[S1] == 1  # A
    assert intake.timeliness[S1].ongoing == 0  # A has been answered since


def test_on_time_is_a_share_of_the_base_the_council_names(history):
    history(
        answered("A", "2024-06-03", "2024-06-07"),
        case_row(
            "B",
            "2024-06-03",
            stage1_team="East",
            withdrawn_on="2024-06-05",
            withdrawal_reason="complainant_withdrew",
        ),
    )

    responded = figures_for(YEAR).timeliness[S1]
    both = figures_for(
        YEAR, counting=Counting(on_time_base=OnTimeBase.RESPONDED_OR_WITHDRAWN)
    ).timeliness[S1]
    assert (responded.within_target, responded.withdrawn) == (1, 1)
    assert responded.within_target_percent == 100
    assert both.within_target_percent == 50


def test_refused_and_unscreened_complaints_are_complaints_received(history):
    history(
        case_row("A", "2024-06-03", refused_on="2024-06-04", refusal_reason="court_proceedings"),
        case_row("B", "2024-06-03", procedure=""),  # not yet screened
    )

    year = figures_for(YEAR)
    assert dict(year.complaints) == {"statutory": 1, "": 1}
    assert sum(year.service_areas.values()) == 2
    assert year.complaint_outcomes[("statutory", "unable_to_proceed")] == 1
    assert year.complaint_outcomes[("", "ongoing")] == 1


def test_a_joint_complaint_counts_under_each_service_area(history):
    history(answered("A", "2024-06-03", "2024-06-07", joint_service_areas="Fostering"))

    year = figures_for(YEAR)
    assert dict(year.service_areas) == {
        ("statutory", "Safeguarding"): 1,
        ("statutory", "Fostering"): 1,
    }
    assert year.joint_complaints["statutory"] == 1
    assert year.total_complaints == 1


def test_figures_cached_for_one_basis_are_not_read_for_the_other(history):
    history(answered("A", "2025-03-24", "2025-04-04"))

    first = recent_figures([YEAR])[0]
    other = recent_figures([YEAR], counting=INTAKE)[0]
    assert first.stages_completed[S1] == 0
    assert other.stages_completed[S1] == 1


@pytest.fixture
def actions(complaints_manager):
    """Five actions agreed over two years, as at 31 March 2025."""
    import datetime as dt

    from django.utils import timezone

    from complaints.models import AgreedAction

    def action(agreed, due, done=None):
        made = AgreedAction.objects.create(
            source="complaint",
            description="Train the team",
            owner=complaints_manager,
            due_on=due,
            completed_on=done,
            status="done" if done else "open",
        )
        at = timezone.make_aware(dt.datetime.combine(agreed, dt.time(12)))
        AgreedAction.objects.filter(pk=made.pk).update(created_at=at)

    D = dt.date
    action(D(2024, 5, 1), D(2024, 7, 1), done=D(2024, 6, 20))  # done
    action(D(2025, 2, 1), D(2025, 6, 1))  # open, not yet due
    action(D(2024, 9, 1), D(2024, 12, 1), done=D(2025, 5, 1))  # overdue at 31 March 2025
    action(D(2023, 10, 1), D(2024, 1, 1), done=D(2024, 8, 1))  # last year's, done since
    action(D(2023, 11, 1), D(2024, 2, 1))  # last year's, still open


def test_agreed_actions_progress_this_years_and_last_years_as_at_the_periods_end(actions):
    from reporting.tables import build

    year = figures_for(YEAR)

    assert dict(year.actions_progress) == {
        "done": 1,
        "open": 1,
        "overdue": 1,
        "earlier_done": 1,
        "earlier_open": 1,
    }
    table = build([year])["learning"]
    assert (table.value("agreed_overdue"), table.value("earlier_open")) == (1, 1)


def test_a_year_counted_with_its_quarters_has_its_own_actions_progress(actions):
    year, *quarters = figures([YEAR, *YEAR.quarters(), Period.year(2023)])

    assert year.actions_progress == figures_for(YEAR).actions_progress  # not the quarters' sum
    assert (year.actions_agreed, year.actions_completed) == (3, 2)
    assert [q.actions_agreed for q in quarters[:4]] == [1, 1, 0, 1]
