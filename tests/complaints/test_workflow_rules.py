"""Bad input gets a clear error and loses nothing."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from freezegun import freeze_time

from complaints import services, workflow
from complaints.errors import DomainError
from complaints.models import (
    Case,
    Deadline,
    EligibilityGround,
    ExtensionReason,
    Finding,
    Level,
    Procedure,
    RemedyKind,
    Stage,
)
from complaints.models.cases import Event
from tests.conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
D = dt.date


@pytest.fixture
def frozen():
    with freeze_time(TODAY):
        yield


def _snapshot(case):
    case.refresh_from_db()
    return (
        case.state,
        case.events.count(),
        case.current_stage_id,
        list(Deadline.objects.filter(stage__case=case).values_list("due_on", "extended_due_on")),
    )


def test_a_response_dated_before_the_complaint_was_received(build, officer):
    case = build.case(Case.State.APPROVED, received_on=D(2025, 6, 2))
    before = _snapshot(case)
    with pytest.raises(DomainError, match="cannot be before") as error:
        workflow.issue_response(case, by=officer, responded_on=D(2025, 5, 30))
    assert error.value.field == "responded_on"
    assert _snapshot(case) == before


def test_a_date_in_the_future_is_refused(build, officer):
    case = build.case(Case.State.APPROVED)
    with pytest.raises(DomainError, match="cannot be in the future"):
        workflow.issue_response(case, by=officer, responded_on=TODAY + dt.timedelta(days=1))


def test_an_extension_beyond_the_maximum(build, officer):
    case = build.case(received_on=D(2025, 6, 2))  # Stage 1: max 20 working days → 30 Jun
    before = _snapshot(case)
    with pytest.raises(DomainError, match="beyond the maximum.*30 June 2025") as error:
        workflow.extend(
            case,
            by=officer,
            new_due_on=D(2025, 7, 1),
            reason=ExtensionReason.objects.get(code="complexity"),
        )
    assert error.value.field == "new_due_on"
    assert _snapshot(case) == before


def test_a_finding_on_an_element_the_stage_did_not_consider(build, officer):
    case = build.case(Case.State.RESPONDED, elements=1)
    case = build.escalate(case)
    stage1 = case.stages.get(level=Level.LOCAL_RESOLUTION)
    late = services.element_add(
        case=case, summary="Raised only at Stage 2.", nature=case.elements.first().nature
    )
    with pytest.raises(DomainError, match="Element 2 was not considered at Stage 1"):
        services.finding_record(
            stage=stage1, element=late, finding=Finding.objects.get(code="upheld")
        )


def test_findings_are_final_once_the_response_is_issued(build):
    case = build.case(Case.State.RESPONDED)
    stage = case.current_stage
    with pytest.raises(DomainError, match="findings are final"):
        services.finding_record(
            stage=stage,
            element=case.elements.first(),
            finding=Finding.objects.get(code="not_upheld"),
        )


def test_a_draft_response_needs_a_finding_on_every_element(build, officer):
    case = build.case(Case.State.IN_PROGRESS, elements=3)
    stage = case.current_stage
    first = stage.element_findings.get(element__number=1)
    services.finding_record(
        stage=stage, element=first.element, finding=Finding.objects.get(code="upheld")
    )
    with pytest.raises(DomainError, match=r"missing: 2, 3"):
        workflow.submit_for_qa(case, by=officer)
    case.refresh_from_db()
    assert case.state == Case.State.IN_PROGRESS


def test_a_stage_that_needs_a_quality_check_cannot_skip_it(build, officer):
    case = build.case(Case.State.IN_PROGRESS)
    with pytest.raises(DomainError, match="quality check"):
        workflow.issue_response(case, by=officer, responded_on=TODAY)


def test_a_complaint_made_after_a_year_needs_a_reason_to_accept_it(build, officer):
    case = build.log(grounds_arose_on=D(2023, 1, 1))
    with pytest.raises(DomainError, match="more than a year") as error:
        build.accept(case)
    assert error.value.field == "late_acceptance_reason"
    case.refresh_from_db()
    assert case.state == Case.State.RECEIVED and not case.stages.exists()
    workflow.accept(
        case,
        by=officer,
        procedure=Procedure.STATUTORY,
        eligibility_ground=EligibilityGround.objects.get(code="parent"),
        late_acceptance_reason="The child has only now been able to tell us.",
    )


def test_sufficient_interest_needs_a_test_ticked(build, officer):
    case = build.log()
    with pytest.raises(DomainError, match="sufficient interest"):
        workflow.accept(
            case,
            by=officer,
            procedure=Procedure.STATUTORY,
            eligibility_ground=EligibilityGround.objects.get(code="sufficient_interest"),
        )


def test_a_payment_needs_an_amount(build):
    case = build.case(Case.State.APPROVED)
    payment = RemedyKind.objects.get(code="financial_payment")
    with pytest.raises(DomainError, match="Enter the amount"):
        services.remedy_add(stage=case.current_stage, kind=payment)
    assert services.remedy_add(
        stage=case.current_stage, kind=payment, amount=Decimal("300")
    ).amount == Decimal("300")


def test_an_escalation_after_the_window_must_be_accepted_late(build, officer):
    with freeze_time("2025-05-01"):
        case = build.case(Case.State.RESPONDED)
    with pytest.raises(DomainError, match="escalation window closed on 2 June 2025"):
        build.escalate(case)
    case = workflow.escalate(case, by=officer, requested_on=TODAY, accept_late=True)
    assert case.current_stage.accepted_late


def test_the_last_stage_points_to_the_ombudsman(build):
    case = build.case(Case.State.RESPONDED, level=Level.REVIEW_PANEL)
    with pytest.raises(DomainError, match="Ombudsman"):
        build.escalate(case)


def test_the_independent_person_cannot_investigate(build, officer, investigator):
    case = build.case(level=Level.INVESTIGATION)
    with pytest.raises(DomainError, match="cannot also be"):
        workflow.appoint_investigators(
            case, by=officer, investigating_officer=investigator, independent_person=investigator
        )


def test_a_complaint_cannot_be_closed_unscreened(build, officer):
    case = build.log()
    with pytest.raises(DomainError, match="Screen a complaint"):
        workflow.close(case, by=officer)


def test_a_failed_transition_leaves_nothing_behind(build, officer):
    """Escalation writes a stage, its findings, deadlines, the case and an event: all or none."""
    case = build.case(Case.State.RESPONDED)
    before = _snapshot(case)
    stages = Stage.objects.count()
    with (
        mock.patch.object(Event.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        build.escalate(case)
    assert _snapshot(case) == before
    assert Stage.objects.count() == stages


def test_a_stale_copy_cannot_move_a_case_someone_else_moved(build, officer):
    case = build.case(Case.State.AWAITING_QA)
    stale = Case.objects.get(pk=case.pk)
    workflow.approve_draft(case, by=officer)
    with pytest.raises(workflow.InvalidTransition, match="approved"):
        workflow.return_draft(stale, by=officer, reason="Too late.")


def test_an_extension_to_a_saturday_proposes_the_next_working_day(build, officer):
    case = build.case(received_on=D(2025, 6, 2))  # Stage 1 due 16 Jun; at most 30 Jun
    before = _snapshot(case)
    with pytest.raises(DomainError, match="Saturday 21 June 2025.*Monday 23 June 2025") as error:
        workflow.extend(
            case,
            by=officer,
            new_due_on=D(2025, 6, 21),
            reason=ExtensionReason.objects.get(code="complexity"),
        )
    assert error.value.field == "new_due_on"
    assert _snapshot(case) == before


def _stage_3(build, officer, requested):
    with freeze_time(requested):
        case = build.case(Case.State.IN_PROGRESS, level=Level.LOCAL_RESOLUTION)
        case = build.respond(case)
        case = build.escalate(case)
        build.prepare_stage(case)
        case = build.respond(case)
        case = build.escalate(case)
    return case


def test_a_panel_beyond_30_working_days_needs_a_reason(build, officer):
    case = _stage_3(build, officer, D(2025, 6, 2))
    limit = case.current_stage.deadlines.get(step="panel_held").effective_due_on
    late = limit + dt.timedelta(days=7)
    with freeze_time(D(2025, 6, 3)):
        seats = build.panel_seats()
        with pytest.raises(DomainError, match="30 working days") as error:
            workflow.schedule_panel(case, by=officer, panel_date=late, members=seats)
        assert error.value.field == "late_reason"
        workflow.schedule_panel(
            case, by=officer, panel_date=late, members=seats, late_reason="Chair on leave."
        )
    case.current_stage.refresh_from_db()
    assert case.current_stage.panel_late_reason == "Chair on leave."


def test_a_panel_cannot_be_held_before_the_date_it_was_scheduled_for(build, officer):
    case = _stage_3(build, officer, D(2025, 6, 2))
    with freeze_time(D(2025, 6, 3)):
        workflow.schedule_panel(
            case, by=officer, panel_date=D(2025, 6, 20), members=build.panel_seats()
        )
    with freeze_time(D(2025, 6, 30)):
        with pytest.raises(DomainError, match="scheduled for 20 June 2025"):
            workflow.record_panel_held(case, by=officer, on=D(2025, 6, 19))
        workflow.record_panel_held(case, by=officer, on=D(2025, 6, 20))
