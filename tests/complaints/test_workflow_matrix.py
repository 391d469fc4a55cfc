"""Every (state, move) pair: allowed moves succeed with exactly one event; the rest are refused
with an error naming the state and the move, and change nothing."""

import datetime as dt
from functools import partial

import pytest
from freezegun import freeze_time

from complaints import workflow
from complaints.errors import InvalidTransition
from complaints.models import (
    Case,
    EscalationReason,
    ExtensionReason,
    Finding,
    Level,
    Procedure,
    RefusalReason,
    WithdrawalReason,
)
from complaints.workflow import TRANSITIONS, Move
from tests.conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
State = Case.State


@pytest.fixture
def frozen():
    with freeze_time(TODAY):
        yield


def _get(model, code):
    return model.objects.get(code=code)


# For each move: the level its allowed states are tested at, and how to call it.
def _call(move, case, officer, build):
    f = getattr(workflow, move.value)
    today = dt.date.today()
    args = {
        Move.ACCEPT: lambda: dict(
            procedure=Procedure.STATUTORY,
            eligibility_ground=_get(
                workflow.Case._meta.get_field("eligibility_ground").related_model, "parent"
            ),
        ),
        Move.REFUSE: lambda: dict(reason=_get(RefusalReason, "out_of_time")),
        Move.ALLOCATE: lambda: dict(team=build.team),
        Move.APPOINT_INVESTIGATORS: lambda: dict(
            investigating_officer=build.investigator, independent_person=build.independent_person
        ),
        Move.SCHEDULE_PANEL: lambda: dict(
            panel_date=today,
            members=build.panel_seats(),
        ),
        Move.EXTEND: lambda: dict(
            new_due_on=_latest_extension(case) or today,
            reason=_get(ExtensionReason, "complexity"),
            complainant_agreed=True,
        ),
        Move.PAUSE: lambda: dict(reason="Criminal proceedings (reg 8)."),
        Move.ARRANGE_CALL_BACK: lambda: dict(person=build.team.manager),
        Move.RETURN_DRAFT: lambda: dict(reason="Answer element 2."),
        Move.ISSUE_RESPONSE: lambda: dict(responded_on=today, outcome=_get(Finding, "upheld")),
        Move.ESCALATE: lambda: dict(
            requested_on=today, reason=_get(EscalationReason, "response_errors")
        ),
        Move.WITHDRAW: lambda: dict(reason=_get(WithdrawalReason, "complainant_withdrew")),
        Move.REOPEN: lambda: dict(
            level=Level.LOCAL_RESOLUTION,
            reason="Ombudsman: premature.",
            procedure=Procedure.STATUTORY,
        ),
    }.get(move, dict)()
    return partial(f, case, by=officer, **args)


def _latest_extension(case):
    stage = case.current_stage
    deadline = stage and stage.deadlines.filter(step="respond").first()
    return deadline and deadline.max_due_on


LEVEL_FOR = {
    Move.APPOINT_INVESTIGATORS: Level.INVESTIGATION,
    Move.RECORD_STATEMENT_AGREED: Level.INVESTIGATION,
    Move.RECORD_REPORT_RECEIVED: Level.INVESTIGATION,
    Move.SCHEDULE_PANEL: Level.REVIEW_PANEL,
    Move.RECORD_PANEL_HELD: Level.REVIEW_PANEL,
    Move.RECORD_PANEL_REPORT: Level.REVIEW_PANEL,
}


def _prepare(move, case, build, officer):
    """What an allowed move needs beyond its state (findings before a draft goes, …)."""
    if move == Move.RECORD_PANEL_REPORT:
        workflow.record_panel_held(case, by=officer)
    if move == Move.SUBMIT_FOR_QA:
        build.record_findings(case)


def _level(move, state):
    if move == Move.ESCALATE and state == State.IN_PROGRESS:
        return Level.EARLY_RESOLUTION  # Stage 0 moves on to Stage 1 without a response
    if move == Move.ISSUE_RESPONSE and state == State.IN_PROGRESS:
        return Level.EARLY_RESOLUTION  # no quality check at Stage 0
    return LEVEL_FOR.get(move, Level.LOCAL_RESOLUTION)


CALL_BACK_MOVES = {Move.ARRANGE_CALL_BACK, Move.RESOLVE_CALL_BACK, Move.CONVERT_CALL_BACK}
PAIRS = [(state, move) for move in Move if move != Move.RECEIVE for state in State]


@pytest.mark.parametrize(("state", "move"), PAIRS, ids=[f"{s}-{m}" for s, m in PAIRS])
def test_transition_matrix(state, move, build, officer):
    kind = (
        Case.Kind.COMMENT if (state, move) == (State.RECEIVED, Move.CLOSE) else Case.Kind.COMPLAINT
    )
    if state == State.RECEIVED and move in CALL_BACK_MOVES:
        kind = Case.Kind.CALL_BACK
    case = build.case(state, level=_level(move, state), kind=kind)
    assert case.state == state
    allowed = state in TRANSITIONS[move].sources
    events_before = case.events.count()

    if not allowed:
        with pytest.raises(InvalidTransition) as error:
            _call(move, case, officer, build)()
        assert error.value.state == state and error.value.move == move
        assert state in str(error.value) and move.value in str(error.value)
        case.refresh_from_db()
        assert case.state == state
        assert case.events.count() == events_before
        return

    _prepare(move, case, build, officer)
    events_before = case.events.count()
    result = _call(move, case, officer, build)()
    result.refresh_from_db()
    expected = TRANSITIONS[move].target or state
    assert result.state == expected
    new_events = list(result.events.order_by("id")[events_before:])
    assert [(e.move, e.from_state, e.to_state) for e in new_events] == [(move, state, expected)]
    assert new_events[0].actor == officer


def test_receive_creates_the_first_event(build, officer):
    case = build.log()
    assert case.state == State.RECEIVED
    assert list(case.events.values_list("move", "from_state", "to_state")) == [
        ("receive", "", "received")
    ]


def test_escalating_from_stage_1_in_progress_is_refused(build):
    case = build.case(State.IN_PROGRESS, level=Level.LOCAL_RESOLUTION)
    with pytest.raises(InvalidTransition, match="in_progress"):
        build.escalate(case)


def test_allowed_moves_follow_the_table(build):
    case = build.case(State.AWAITING_QA)
    assert set(workflow.allowed_moves(case)) == {
        Move.ACKNOWLEDGE,
        Move.EXTEND,
        Move.RETURN_DRAFT,
        Move.APPROVE_DRAFT,
        Move.WITHDRAW,
    }
