import datetime as dt

import pytest
from freezegun import freeze_time

from complaints import workflow
from complaints.deadlines import working_days_left
from complaints.models import (
    Case,
    ExtensionReason,
    Level,
    NonWorkingDay,
    PanelMember,
    Procedure,
    Timescale,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _due(case, step="respond"):
    case.refresh_from_db()
    return case.current_stage.deadlines.get(step=step)


@freeze_time("2024-12-20")
def test_stage_1_deadlines_from_receipt_across_christmas(build):
    case = build.case(received_on=D(2024, 12, 16))
    respond = _due(case)
    assert (respond.due_on, respond.max_due_on) == (D(2025, 1, 2), D(2025, 1, 16))
    assert respond.service_target_on == D(2024, 12, 30)  # 8 working days, asked of the service
    assert case.next_due_on == D(2024, 12, 18)  # the acknowledgement comes first


@freeze_time("2024-12-20")
def test_closure_days_move_internal_targets_but_never_statutory_ones(build):
    NonWorkingDay.objects.create(date=D(2024, 12, 24), kind="closure", name="Closed")
    case = build.case(received_on=D(2024, 12, 16))
    respond = _due(case)
    assert respond.due_on == D(2025, 1, 2)
    assert respond.service_target_on == D(2024, 12, 31)


@freeze_time("2025-01-20")
def test_pause_and_resume_keep_the_working_days_left(build, officer):
    case = build.case(received_on=D(2025, 1, 6))  # due Mon 20 Jan
    assert _due(case).due_on == D(2025, 1, 20)
    with freeze_time("2025-01-13"):
        workflow.pause(case, by=officer, reason="Care proceedings (reg 8).")
    case.refresh_from_db()
    assert case.state == Case.State.PAUSED and case.next_due_on is None
    with freeze_time("2025-01-20"):  # paused for 5 working days
        workflow.resume(case, by=officer)
    respond = _due(case)
    assert respond.due_on == D(2025, 1, 27)
    assert respond.max_due_on == D(2025, 2, 10)
    assert case.current_stage.paused_working_days == 5
    assert case.events.get(move="resume").data["paused_working_days"] == 5


@freeze_time("2025-01-10")
def test_extension_up_to_the_maximum(build, officer):
    case = build.case(received_on=D(2025, 1, 6))
    workflow.extend(
        case,
        by=officer,
        new_due_on=D(2025, 1, 31),
        reason=ExtensionReason.objects.get(code="complexity"),
        complainant_agreed=True,
    )
    respond = _due(case)
    assert respond.effective_due_on == D(2025, 1, 31)
    assert case.next_due_on == min(D(2025, 1, 8), D(2025, 1, 31))
    event = case.events.get(move="extend")
    assert event.data["from"] == "2025-01-20" and event.data["to"] == "2025-01-31"


@freeze_time("2025-06-30")
def test_stage_2_clock_from_request_or_from_the_statement_agreed(build, officer):
    case = build.case(level=Level.INVESTIGATION)
    requested = case.current_stage.requested_on
    assert _due(case).starts_on == requested
    Timescale.objects.filter(stage__procedure="statutory", stage__level=2, step="respond").update(
        clock_start="statement_agreed_on"
    )
    with freeze_time("2025-07-07"):
        workflow.record_statement_agreed(case, by=officer)
    respond = _due(case)
    assert respond.starts_on == D(2025, 7, 7)
    assert respond.due_on == D(2025, 8, 11)  # 25 working days; 4 Aug is not a holiday in England


@freeze_time("2025-06-30")
def test_stage_3_steps_chain_provisionally_until_each_fact_is_known(build, officer):
    case = build.case(level=Level.REVIEW_PANEL)
    held = _due(case, "panel_held")
    report = _due(case, "panel_report")
    council = _due(case, "council_response")
    assert held.due_on == D(2025, 8, 11)  # 30 working days from 30 Jun (25 Aug is later)
    assert report.starts_on == held.due_on
    assert council.starts_on == report.due_on
    with freeze_time("2025-07-21"):
        workflow.record_panel_held(case, by=officer)
    assert _due(case, "panel_report").due_on == D(2025, 7, 28)


@freeze_time("2025-06-30")
def test_the_escalation_window_opens_with_the_response(build):
    case = build.case(Case.State.RESPONDED)
    window = _due(case, "escalation_window")
    assert window.starts_on == D(2025, 6, 30) and window.due_on == D(2025, 7, 28)
    assert case.next_due_on is None  # nothing is owed by the council while it waits


@freeze_time("2025-06-30")
def test_corporate_stage_1_counts_from_acknowledgement(build, officer):
    case = build.log(received_on=D(2025, 6, 23))
    case = build.accept(case, procedure=Procedure.CORPORATE)
    # Until acknowledged, the clock runs from the day the acknowledgement is due (5 days).
    assert _due(case).starts_on == D(2025, 6, 30)
    case = workflow.acknowledge(case, by=officer, on=D(2025, 6, 25))
    respond = _due(case)
    assert respond.starts_on == D(2025, 6, 25) and respond.due_on == D(2025, 7, 9)


def test_working_days_left_in_words_of_days():
    assert working_days_left(D(2025, 1, 2), D(2024, 12, 16)) == 10
    assert working_days_left(D(2024, 12, 16), D(2025, 1, 2)) == -10
    assert working_days_left(None, D(2025, 1, 2)) is None


def test_panel_members_are_three_with_one_chair(build, officer):
    with freeze_time("2025-06-30"):
        case = build.case(level=Level.REVIEW_PANEL)
        assert case.current_stage.panel_members.filter(role=PanelMember.Role.CHAIR).count() == 1
        with pytest.raises(workflow.DomainError, match="three independent members"):
            workflow.schedule_panel(
                case,
                by=officer,
                panel_date=D(2025, 7, 1),
                members=build.panel_seats()[:2],
            )
