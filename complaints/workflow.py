"""Every change of a case's state: one guarded, atomic function per move.

Each move locks the case row, checks the move is allowed from the current state (TRANSITIONS),
checks the procedure's own rules (raising DomainError with a message for the user), applies the
change, re-plans the deadlines and writes exactly one Event. Nothing else sets Case.state.

    move                      from                                          to
    ------------------------  --------------------------------------------  -----------
    receive                   (new)                                         received
    accept                    received                                      in_progress
    refuse                    received                                      refused
    acknowledge               in_progress, paused, awaiting_qa, approved    (same)
    allocate                  in_progress, paused                           (same)
    appoint_investigators     in_progress, paused            (Stage 2)      (same)
    record_statement_agreed   in_progress, paused            (Stage 2)      (same)
    record_report_received    in_progress                    (Stage 2)      (same)
    schedule_panel            in_progress                    (Stage 3)      (same)
    record_panel_held         in_progress                    (Stage 3)      (same)
    record_panel_report       in_progress                    (Stage 3)      (same)
    extend                    in_progress, paused, awaiting_qa, approved    (same)
    pause                     in_progress                                   paused
    resume                    paused                                        in_progress
    submit_for_qa             in_progress                                   awaiting_qa
    return_draft              awaiting_qa                                   in_progress
    approve_draft             awaiting_qa                                   approved
    issue_response            approved; in_progress if the stage needs no
                              quality check                                 responded
    escalate                  responded, closed; in_progress at Stage 0     in_progress
    withdraw                  received, in_progress, paused, awaiting_qa,
                              approved                                      withdrawn
    close                     received (not a complaint), responded         closed
    reopen                    responded, closed, withdrawn, refused         in_progress
    arrange_call_back         received (a call-back request)                (same)
    resolve_call_back         received (a call-back request)                closed
    convert_call_back         received (a call-back request)                received, as a
                                                                            complaint

A move replayed from a council's history (complaints.history_import) runs inside `as_of(day)`:
its event is dated that day, nothing is queued to send, and no lessons-learnt form is made owed
for a response long past. What the previous system did not record (the eligibility
ground, who responded, who investigated unless the file names their account here, who sat on
a panel) is left unrecorded rather than invented.

`escalate` from closed is the reopening Lancashire asks for: the record closes when the response
goes out and reopens if the complainant asks for the next stage. `reopen` starts a fresh stage
at a level an officer chooses, e.g. after the Ombudsman refers a complaint back as premature.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from complaints import chasing, deadlines, learning, panels, pool
from complaints.errors import DomainError, InvalidTransition
from complaints.models import (
    Case,
    ElementFinding,
    EscalationReason,
    ExtensionReason,
    Finding,
    Level,
    PanelMember,
    Part,
    Pause,
    PoolMember,
    Procedure,
    RefusalReason,
    ResponseMethod,
    Stage,
    Step,
    Team,
    WithdrawalReason,
)
from complaints.models.cases import Event
from complaints.references import next_reference
from complaints.workingdays import add_working_days, working_days_between

State = Case.State


class Move(models.TextChoices):
    RECEIVE = "receive", "Receive"
    ACCEPT = "accept", "Accept"
    REFUSE = "refuse", "Refuse"
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    ALLOCATE = "allocate", "Allocate"
    APPOINT_INVESTIGATORS = "appoint_investigators", "Appoint investigators"
    RECORD_STATEMENT_AGREED = "record_statement_agreed", "Record statement agreed"
    RECORD_REPORT_RECEIVED = "record_report_received", "Record report received"
    SCHEDULE_PANEL = "schedule_panel", "Schedule review panel"
    RECORD_PANEL_HELD = "record_panel_held", "Record panel held"
    RECORD_PANEL_REPORT = "record_panel_report", "Record panel report"
    EXTEND = "extend", "Extend"
    PAUSE = "pause", "Pause"
    RESUME = "resume", "Resume"
    SUBMIT_FOR_QA = "submit_for_qa", "Submit for quality check"
    RETURN_DRAFT = "return_draft", "Return draft"
    APPROVE_DRAFT = "approve_draft", "Approve draft"
    ISSUE_RESPONSE = "issue_response", "Issue response"
    ESCALATE = "escalate", "Escalate"
    WITHDRAW = "withdraw", "Withdraw"
    CLOSE = "close", "Close"
    REOPEN = "reopen", "Reopen"
    ARRANGE_CALL_BACK = "arrange_call_back", "Arrange the call-back"
    RESOLVE_CALL_BACK = "resolve_call_back", "Call-back resolved it"
    CONVERT_CALL_BACK = "convert_call_back", "Call-back became a complaint"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state does not change


def _t(sources: Iterable[str], target: str | None = None) -> Transition:
    return Transition(frozenset(sources), target)


_OPEN = (State.IN_PROGRESS, State.PAUSED)
_RUNNING = (State.IN_PROGRESS, State.PAUSED, State.AWAITING_QA, State.APPROVED)

TRANSITIONS: dict[Move, Transition] = {
    Move.RECEIVE: _t((), State.RECEIVED),
    Move.ACCEPT: _t([State.RECEIVED], State.IN_PROGRESS),
    Move.REFUSE: _t([State.RECEIVED], State.REFUSED),
    Move.ACKNOWLEDGE: _t(_RUNNING),
    Move.ALLOCATE: _t(_OPEN),
    Move.APPOINT_INVESTIGATORS: _t(_OPEN),
    Move.RECORD_STATEMENT_AGREED: _t(_OPEN),
    Move.RECORD_REPORT_RECEIVED: _t([State.IN_PROGRESS]),
    Move.SCHEDULE_PANEL: _t([State.IN_PROGRESS]),
    Move.RECORD_PANEL_HELD: _t([State.IN_PROGRESS]),
    Move.RECORD_PANEL_REPORT: _t([State.IN_PROGRESS]),
    Move.EXTEND: _t(_RUNNING),
    Move.PAUSE: _t([State.IN_PROGRESS], State.PAUSED),
    Move.RESUME: _t([State.PAUSED], State.IN_PROGRESS),
    Move.SUBMIT_FOR_QA: _t([State.IN_PROGRESS], State.AWAITING_QA),
    Move.RETURN_DRAFT: _t([State.AWAITING_QA], State.IN_PROGRESS),
    Move.APPROVE_DRAFT: _t([State.AWAITING_QA], State.APPROVED),
    Move.ISSUE_RESPONSE: _t([State.APPROVED, State.IN_PROGRESS], State.RESPONDED),
    Move.ESCALATE: _t([State.RESPONDED, State.CLOSED, State.IN_PROGRESS], State.IN_PROGRESS),
    Move.WITHDRAW: _t([State.RECEIVED, *_RUNNING], State.WITHDRAWN),
    Move.CLOSE: _t([State.RECEIVED, State.RESPONDED], State.CLOSED),
    Move.REOPEN: _t(
        [State.RESPONDED, State.CLOSED, State.WITHDRAWN, State.REFUSED], State.IN_PROGRESS
    ),
    Move.ARRANGE_CALL_BACK: _t([State.RECEIVED]),
    Move.RESOLVE_CALL_BACK: _t([State.RECEIVED], State.CLOSED),
    Move.CONVERT_CALL_BACK: _t([State.RECEIVED]),
}


def allowed_moves(case: Case) -> list[Move]:
    """Moves the state allows now (the procedure's own checks may still refuse one)."""
    return [m for m, t in TRANSITIONS.items() if case.state in t.sources]


def _issue_without_approval_allowed(case: Case) -> bool:
    return case.state != State.IN_PROGRESS or (
        case.current_stage is not None and not _requires_qa(case, case.current_stage)
    )


def _escalation_allowed(case: Case) -> bool:
    stage = case.current_stage
    if stage is None:
        return False
    if case.state == State.IN_PROGRESS and stage.level != Level.EARLY_RESOLUTION:
        return False
    if case.state != State.IN_PROGRESS and stage.responded_on is None:
        return False
    return deadlines.stage_definition(case.procedure, stage.level + 1) is not None


def _closing_allowed(case: Case) -> bool:
    return case.state != State.RECEIVED or case.kind != Case.Kind.COMPLAINT


def _is_call_back(case: Case) -> bool:
    return case.kind == Case.Kind.CALL_BACK and not case.callback_outcome


# Conditions beyond the state that the moves check, for pages to offer only what will work.
# The moves themselves check them again, with a message for the user.
MOVE_CONDITIONS = {
    Move.ISSUE_RESPONSE: _issue_without_approval_allowed,
    Move.ESCALATE: _escalation_allowed,
    Move.CLOSE: _closing_allowed,
    Move.ARRANGE_CALL_BACK: _is_call_back,
    Move.RESOLVE_CALL_BACK: _is_call_back,
    Move.CONVERT_CALL_BACK: _is_call_back,
}


# --- the machinery every move uses -------------------------------------------------------

_history_day: ContextVar[dt.date | None] = ContextVar("history_day", default=None)


@contextmanager
def as_of(day: dt.date) -> Iterator[None]:
    """Replay a move that happened on `day`, as an import of the council's history does."""
    token = _history_day.set(day)
    try:
        yield
    finally:
        _history_day.reset(token)


def replaying_history() -> bool:
    return _history_day.get() is not None


def _event_time() -> dt.datetime:
    day = _history_day.get()
    if day is None:
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _event_data(data: dict) -> dict:
    # Marks what came from history, so a re-import can tell it from work done here since.
    return {**data, "imported": True} if replaying_history() else data


def _today() -> dt.date:
    return timezone.localdate()


def _lock(case: Case, move: Move) -> Case:
    """Lock the row and check the state; a stale copy in a form is refused here."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("current_stage")
        .get(pk=case.pk)
    )
    if locked.state not in TRANSITIONS[move].sources:
        raise InvalidTransition(locked, move)
    if locked.anonymised_on:
        # Reopened, it would gather new personal data that retention never looks at again.
        raise DomainError(
            f"{locked.reference}'s personal data was removed on "
            f"{locked.anonymised_on:%-d %B %Y} at the end of its retention period, so it "
            "cannot be reopened or moved on. Log a new representation instead."
        )
    return locked


def _stage(case: Case, move: Move, *, levels: Iterable[int] | None = None) -> Stage:
    stage = case.current_stage
    if stage is None:
        raise DomainError(f"{case.reference} has no stage in progress.")
    if levels is not None and stage.level not in set(levels):
        allowed = " or ".join(Level(lv).label for lv in levels)
        raise DomainError(
            f"“{move.label}” applies at {allowed}; {case.reference} is at "
            f"{stage.get_level_display()}."
        )
    return stage


def _check_date(
    value: dt.date | None,
    label: str,
    *,
    not_before: dt.date | None = None,
    not_before_label: str = "",
    field: str = "on",
) -> dt.date:
    if value is None:
        raise DomainError(f"Enter the date {label}.", field=field)
    if value > _today():
        raise DomainError(f"The date {label} cannot be in the future.", field=field)
    if not_before and value < not_before:
        raise DomainError(
            f"The date {label} ({value:%-d %B %Y}) cannot be before {not_before_label} "
            f"({not_before:%-d %B %Y}).",
            field=field,
        )
    return value


def _commit(
    case: Case,
    move: Move,
    *,
    by,
    from_state: str,
    stage: Stage | None = None,
    reason: str = "",
    data: dict | None = None,
) -> Event:
    target = TRANSITIONS[move].target or from_state
    case.state = target
    if stage is not None:
        case.current_stage = stage
    case.next_due_on = deadlines.next_due_on(case, case.current_stage)
    case._history_user = by
    case.save()
    event = Event.objects.create(
        case=case,
        stage=stage or case.current_stage,
        move=move,
        from_state=from_state,
        to_state=target,
        actor=by,
        at=_event_time(),
        reason=reason,
        data=_event_data(data or {}),
    )
    if not replaying_history():
        chasing.on_move(event)  # into the outbox now; sent after the commit
    return event


def _replan(case: Case, stage: Stage) -> None:
    stage.save()
    deadlines.plan_deadlines(stage, case.procedure)


def _start_stage(case: Case, level: int, requested_on: dt.date, **fields) -> Stage:
    definition = deadlines.stage_definition(case.procedure, level)
    if definition is None:
        raise DomainError(
            f"The {Procedure(case.procedure).label} procedure has no {Level(level).label}."
        )
    stage = Stage.objects.create(case=case, level=level, requested_on=requested_on, **fields)
    # Every element of the statement of complaint is considered afresh at each stage.
    ElementFinding.objects.bulk_create(
        [ElementFinding(stage=stage, element=e) for e in case.elements.all()]
    )
    deadlines.plan_deadlines(stage, case.procedure)
    return stage


def _requires_qa(case: Case, stage: Stage) -> bool:
    definition = deadlines.stage_definition(case.procedure, stage.level)
    return definition is None or definition.requires_quality_assurance


def _close_open_pause(stage: Stage, on: dt.date) -> int:
    """End the stage's open pause, if any; returns the working days it lasted."""
    days = 0
    for open_pause in stage.pauses.filter(ended_on__isnull=True):
        open_pause.ended_on = on
        open_pause.working_days = max(0, working_days_between(open_pause.started_on, on))
        open_pause.save()
        days += open_pause.working_days
    stage.paused_working_days += days
    return days


# --- the moves -------------------------------------------------------------------------


@transaction.atomic
def receive(case: Case, *, by) -> Case:
    """Log a new representation: give it a reference and its first event."""

    _check_date(case.received_on, "received", field="received_on")
    if not (replaying_history() and case.reference):  # a re-import keeps its reference
        case.reference = next_reference(case.received_on)
    case.state = State.RECEIVED
    case.logged_by = by
    if case.kind == Case.Kind.CALL_BACK:
        case.callback_due_on = add_working_days(case.received_on, settings.CALL_BACK_WORKING_DAYS)
    case.next_due_on = deadlines.next_due_on(case, None)
    case._history_user = by
    case.save()
    Event.objects.create(
        case=case,
        move=Move.RECEIVE,
        from_state="",
        to_state=State.RECEIVED,
        actor=by,
        at=_event_time(),
        data=_event_data({}),
    )
    return case


@transaction.atomic
def accept(
    case: Case,
    *,
    by,
    procedure: str,
    level: int = Level.LOCAL_RESOLUTION,
    eligibility_ground=None,
    sufficient_interest_tests: Iterable = (),
    late_acceptance_reason: str = "",
    on: dt.date | None = None,
    earlier_stages: str = "",
    requested_on: dt.date | None = None,
) -> Case:
    """Screening accepts the representation into a procedure at Stage 0 or Stage 1.

    A case whose earlier stages were answered elsewhere (another system, or before the council
    kept this record) is accepted at the stage it has reached, with `earlier_stages` saying
    where they were answered; they are not invented here. Its stage starts on `requested_on`,
    the date that stage was asked for (the first stage starts on the date received).
    """
    case = _lock(case, Move.ACCEPT)
    on = _check_date(
        on or _today(),
        "screened",
        not_before=case.received_on,
        not_before_label="the date received",
    )
    if level not in (Level.EARLY_RESOLUTION, Level.LOCAL_RESOLUTION):
        if deadlines.stage_definition(procedure, level) is None:
            raise DomainError(
                f"The {Procedure(procedure).label} procedure has no {Level(level).label}.",
                field="level",
            )
        if not earlier_stages.strip():
            raise DomainError(
                "A representation is accepted at Stage 0 or Stage 1, unless its earlier stages "
                "were answered elsewhere: say where.",
                field="earlier_stages",
            )
    requested_on = _check_date(
        requested_on or case.received_on,
        "the stage was requested",
        not_before=case.received_on,
        not_before_label="the date received",
        field="requested_on",
    )
    tests = list(sufficient_interest_tests)
    unrecorded = replaying_history() and eligibility_ground is None
    if procedure == Procedure.STATUTORY and not unrecorded:
        if eligibility_ground is None:
            raise DomainError(
                "Record who may complain: the eligibility ground under the Children Act 1989.",
                field="eligibility_ground",
            )
        if eligibility_ground.needs_sufficient_interest and not tests:
            raise DomainError(
                "Tick at least one sufficient interest test, or route it to the corporate "
                "procedure.",
                field="sufficient_interest_tests",
            )
    if (
        case.grounds_arose_on
        and case.received_on > case.grounds_arose_on + relativedelta(years=1)
        and not late_acceptance_reason.strip()
    ):
        raise DomainError(
            "The complaint was made more than a year after the matter arose; record why it is "
            "accepted late (reg 9) or refuse it as out of time.",
            field="late_acceptance_reason",
        )
    from_state = case.state
    case.procedure = procedure
    case.eligibility_ground = eligibility_ground
    case.late_acceptance_reason = late_acceptance_reason
    case.screened_on, case.screened_by = on, by
    case.save()
    case.sufficient_interest_tests.set(tests)
    stage = _start_stage(case, level, requested_on)
    _commit(
        case,
        Move.ACCEPT,
        by=by,
        from_state=from_state,
        stage=stage,
        reason=earlier_stages.strip(),
        data={"procedure": procedure, "level": level},
    )
    return case


@transaction.atomic
def refuse(
    case: Case,
    *,
    by,
    reason: RefusalReason,
    detail: str = "",
    on: dt.date | None = None,
    procedure: str = "",
) -> Case:
    """Screening refuses the representation. `procedure` is the one it was made under, when
    known: a refused complaint is still a complaint received under that procedure."""
    case = _lock(case, Move.REFUSE)
    on = _check_date(
        on or _today(),
        "refused",
        not_before=case.received_on,
        not_before_label="the date received",
    )
    if reason is None:
        raise DomainError("Choose the reason for refusing.", field="reason")
    from_state = case.state
    case.refusal_reason = reason
    if not procedure and case.kind == Case.Kind.COMPLAINT:
        # A reason only one procedure has (court proceedings) says which it was made under.
        procedure = "" if reason.procedure == RefusalReason.Procedure.BOTH else reason.procedure
    case.procedure = procedure or case.procedure
    case.screened_on, case.screened_by = on, by
    _commit(
        case,
        Move.REFUSE,
        by=by,
        from_state=from_state,
        reason=detail,
        data={"refusal_reason": reason.code, "on": on.isoformat()},
    )
    return case


@transaction.atomic
def acknowledge(case: Case, *, by, on: dt.date | None = None) -> Case:
    case = _lock(case, Move.ACKNOWLEDGE)
    stage = _stage(case, Move.ACKNOWLEDGE)
    stage.acknowledged_on = _check_date(
        on or _today(),
        "acknowledged",
        not_before=stage.requested_on,
        not_before_label="the date the stage was requested",
    )
    _replan(case, stage)
    _commit(
        case,
        Move.ACKNOWLEDGE,
        by=by,
        from_state=case.state,
        data={"on": stage.acknowledged_on.isoformat()},
    )
    return case


@transaction.atomic
def allocate(case: Case, *, by, team: Team, manager=None, on: dt.date | None = None) -> Case:
    case = _lock(case, Move.ALLOCATE)
    stage = _stage(case, Move.ALLOCATE)
    on = _check_date(
        on or _today(),
        "allocated",
        not_before=stage.requested_on,
        not_before_label="the date the stage was requested",
    )
    if team is None:
        raise DomainError("Choose the team to allocate to.", field="team")
    manager = manager or team.manager
    if manager is None and not replaying_history():
        raise DomainError(f"{team.name} has no manager; choose who will respond.", field="manager")
    stage.team, stage.responding_manager = team, manager
    stage.allocated_on = stage.allocated_on or on
    if case.service_area_id is None:
        case.service_area = team.service
    stage.save()
    _commit(
        case,
        Move.ALLOCATE,
        by=by,
        from_state=case.state,
        data={"team": team.pk, "manager": manager.pk if manager else None, "on": on.isoformat()},
    )
    return case


def _pool_member(person, field: str) -> PoolMember | None:
    """The pool member named, by membership or by their sign-in. A council's history may name
    an account that was never in the pool: it is replayed with no appointment recorded."""
    if person is None or isinstance(person, PoolMember):
        return person
    member = PoolMember.objects.filter(user=person).first()
    if member is None and not replaying_history():
        raise DomainError(
            f"{person} is not in the pool: add them to it before appointing them.", field=field
        )
    return member


def _appoint_part(stage: Stage, member: PoolMember | None, part: str, *, by, on: dt.date):
    """Appoint `member` to `part` unless they hold it already, standing down whoever held it
    before (a reassignment)."""
    held = stage.appointments.filter(part=part, ended_on__isnull=True)
    if member is not None and any(a.member_id == member.pk for a in held):
        return
    if member is not None:
        if replaying_history():
            pool.record_past_appointment(stage, member, part, by=by, on=on)
        else:
            pool.appoint(stage, member, part, by=by, on=on, field=part)
    reason = f"Replaced by {member}." if member is not None else "No longer needed."
    pool.stand_down(held.exclude(member=member), on=on, reason=reason)


@transaction.atomic
def appoint_investigators(
    case: Case,
    *,
    by,
    investigating_officer,
    independent_person=None,
    adjudicating_officer=None,
    on: dt.date | None = None,
) -> Case:
    """Appoint the investigating officer and independent person, each a pool member (or their
    user) checked by complaints.pool; appointing someone else to a part stands down whoever
    held it. Under a history replay, a named account outside the pool is recorded on the stage
    with no appointment."""
    case = _lock(case, Move.APPOINT_INVESTIGATORS)
    stage = _stage(case, Move.APPOINT_INVESTIGATORS, levels=[Level.INVESTIGATION])
    on = _check_date(
        on or _today(),
        "appointed",
        not_before=stage.requested_on,
        not_before_label="the date Stage 2 was requested",
    )
    if investigating_officer is None:
        raise DomainError("Choose the investigating officer.", field="investigating_officer")
    if case.procedure == Procedure.STATUTORY and independent_person is None:
        raise DomainError(
            "A Stage 2 investigation needs an independent person (reg 17(2)).",
            field="independent_person",
        )
    officer = _pool_member(investigating_officer, "investigating_officer")
    independent = _pool_member(independent_person, "independent_person")
    officer_user = officer.user if officer else investigating_officer
    independent_user = independent.user if independent else independent_person
    if independent_user is not None and independent_user == officer_user:
        raise DomainError(
            "The independent person cannot also be the investigating officer.",
            field="independent_person",
        )
    _check_not_both(case, stage, officer_user, independent_user)
    _appoint_part(stage, officer, Part.INVESTIGATING_OFFICER, by=by, on=on)
    _appoint_part(stage, independent, Part.INDEPENDENT_PERSON, by=by, on=on)
    # The stage names their sign-ins, so who may see the case (cases_visible_to) is unchanged.
    stage.investigating_officer = officer_user
    stage.independent_person = independent_user
    stage.adjudicating_officer = adjudicating_officer
    stage.allocated_on = stage.allocated_on or on
    stage.save()
    _commit(
        case, Move.APPOINT_INVESTIGATORS, by=by, from_state=case.state, data={"on": on.isoformat()}
    )
    return case


def _check_not_both(case: Case, stage: Stage, officer, independent) -> None:
    """Nobody investigates a case on which they are its independent person, at any stage."""
    others = case.stages.exclude(pk=stage.pk)
    if independent is not None and others.filter(investigating_officer=independent).exists():
        raise DomainError(
            f"{independent} investigated this case at another stage, so cannot be its "
            "independent person.",
            field="independent_person",
        )
    if others.filter(independent_person=officer).exists():
        raise DomainError(
            f"{officer} was this case's independent person at another stage, so cannot "
            "investigate it.",
            field="investigating_officer",
        )


@transaction.atomic
def record_statement_agreed(case: Case, *, by, on: dt.date | None = None) -> Case:
    case = _lock(case, Move.RECORD_STATEMENT_AGREED)
    stage = _stage(case, Move.RECORD_STATEMENT_AGREED, levels=[Level.INVESTIGATION])
    stage.statement_agreed_on = _check_date(
        on or _today(),
        "the statement of complaint was agreed",
        not_before=stage.requested_on,
        not_before_label="the date Stage 2 was requested",
    )
    _replan(case, stage)
    _commit(
        case,
        Move.RECORD_STATEMENT_AGREED,
        by=by,
        from_state=case.state,
        data={"on": stage.statement_agreed_on.isoformat()},
    )
    return case


@transaction.atomic
def record_report_received(case: Case, *, by, on: dt.date | None = None) -> Case:
    case = _lock(case, Move.RECORD_REPORT_RECEIVED)
    stage = _stage(case, Move.RECORD_REPORT_RECEIVED, levels=[Level.INVESTIGATION])
    if stage.investigating_officer_id is None and not replaying_history():
        raise DomainError("Appoint the investigating officer before recording their report.")
    stage.report_received_on = _check_date(
        on or _today(),
        "the report was received",
        not_before=stage.requested_on,
        not_before_label="the date Stage 2 was requested",
    )
    stage.save()
    _commit(
        case,
        Move.RECORD_REPORT_RECEIVED,
        by=by,
        from_state=case.state,
        data={"on": stage.report_received_on.isoformat()},
    )
    return case


@dataclass
class PanelSeat:
    """A seat on a review panel: a pool member, or (in imported history) a name only.
    `field` names the form field a refusal of this seat is shown against."""

    name: str = ""
    role: str = PanelMember.Role.MEMBER
    user: object = None
    fee: object = None
    member: object = None  # a complaints.models.PoolMember
    field: str = "members"

    @classmethod
    def from_pool(cls, member, role: str = PanelMember.Role.MEMBER, *, field: str = "members"):
        return cls(name=str(member), role=role, user=member.user, member=member, field=field)


def _check_panel_in_time(stage: Stage, day: dt.date, late_reason: str) -> str:
    return panels.check_date(stage, day, late_reason)


def _check_seats(case: Case, members: list[PanelSeat]) -> None:
    """Three independent people, one of them chairing, each once, none from Stage 2."""
    if len(members) != 3:
        raise DomainError(
            "A review panel has three independent members: a chair and two others.",
            field="members",
        )
    if sum(m.role == PanelMember.Role.CHAIR for m in members) != 1:
        raise DomainError("A review panel needs one independent chair.", field="chair")
    if not replaying_history() and any(m.member is None for m in members):
        raise DomainError("Choose each member of the panel from the pool.", field="members")
    seen = set()
    for seat in members:
        who = seat.member.pk if seat.member else (seat.user.pk if seat.user else seat.name)
        if who in seen:
            raise DomainError(
                f"{seat.name} is chosen twice: a panel has three different people.",
                field=seat.field,
            )
        seen.add(who)
    stage2 = case.stages.filter(level=Level.INVESTIGATION).order_by("-requested_on").first()
    barred = (
        {
            stage2.independent_person_id: "independent person",
            stage2.investigating_officer_id: "investigating officer",
        }
        if stage2
        else {}
    )
    for seat in members:
        part = barred.get(getattr(seat.user, "pk", None))
        if seat.user is not None and part:
            raise DomainError(
                f"{seat.name} was the Stage 2 {part} and cannot sit on the panel.",
                field=seat.field,
            )


def _seat_appointments(stage: Stage, members: list[PanelSeat], *, by, on: dt.date) -> list:
    """Each pool seat's appointment: kept if the same person already holds that part on this
    panel (a rearrangement), otherwise made after the pool's checks. Those no longer on the
    panel are stood down."""
    held = {
        (a.member_id, a.part): a
        for a in stage.appointments.filter(
            ended_on__isnull=True, part__in=[Part.PANEL_CHAIR, Part.PANEL_MEMBER]
        )
    }
    found = []
    for seat in members:
        if seat.member is None:
            found.append(None)
            continue
        part = Part.PANEL_CHAIR if seat.role == PanelMember.Role.CHAIR else Part.PANEL_MEMBER
        kept = held.pop((seat.member.pk, part), None)
        found.append(
            kept or pool.appoint(stage, seat.member, part, by=by, on=on, field=seat.field)
        )
    pool.stand_down(held.values(), on=on, reason="No longer on the review panel.")
    return found


@transaction.atomic
def schedule_panel(
    case: Case,
    *,
    by,
    panel_date: dt.date,
    members: list[PanelSeat],
    late_reason: str = "",
    meeting: "panels.Meeting | None" = None,
) -> Case:
    """Set the review panel's date and its three independent members from the pool, one of
    them chairing, and (with `meeting`) arrange its meeting and send the invitations. Run
    again, it changes the panel: a live meeting is rearranged, not duplicated."""
    case = _lock(case, Move.SCHEDULE_PANEL)
    stage = _stage(case, Move.SCHEDULE_PANEL, levels=[Level.REVIEW_PANEL])
    panels.check_not_before_request(stage, panel_date)
    stage.panel_late_reason = _check_panel_in_time(stage, panel_date, late_reason)
    _check_seats(case, members)
    on = _history_day.get() or _today()
    appointments = _seat_appointments(stage, members, by=by, on=on)
    was_on_panel = set(stage.panel_members.exclude(user=None).values_list("user_id", flat=True))
    stage.panel_scheduled_for = panel_date
    stage.save()
    stage.panel_members.all().delete()
    PanelMember.objects.bulk_create(
        [
            PanelMember(
                stage=stage, name=m.name, role=m.role, user=m.user, fee=m.fee, appointment=a
            )
            for m, a in zip(members, appointments, strict=True)
        ]
    )
    data = {"panel_date": panel_date.isoformat()}
    if meeting is not None:
        arranged = panels.arrange(
            stage, day=panel_date, meeting=meeting, by=by, left_the_panel=was_on_panel
        )
        data["meeting"] = arranged.pk
    _commit(case, Move.SCHEDULE_PANEL, by=by, from_state=case.state, data=data)
    return case


@transaction.atomic
def record_panel_held(case: Case, *, by, on: dt.date | None = None, late_reason: str = "") -> Case:
    case = _lock(case, Move.RECORD_PANEL_HELD)
    stage = _stage(case, Move.RECORD_PANEL_HELD, levels=[Level.REVIEW_PANEL])
    if not stage.panel_members.exists() and not replaying_history():
        raise DomainError("Schedule the panel and its members first.")
    held = _check_date(
        on or _today(),
        "the panel was held",
        not_before=stage.requested_on,
        not_before_label="the date Stage 3 was requested",
    )
    if stage.panel_scheduled_for and held < stage.panel_scheduled_for:
        raise DomainError(
            f"The panel was scheduled for {stage.panel_scheduled_for:%-d %B %Y}. If it met "
            "earlier, schedule it again with the date it met, then record it as held.",
            field="on",
        )
    stage.panel_late_reason = _check_panel_in_time(stage, held, late_reason)
    stage.panel_held_on = held
    _replan(case, stage)
    _commit(
        case,
        Move.RECORD_PANEL_HELD,
        by=by,
        from_state=case.state,
        data={"on": stage.panel_held_on.isoformat()},
    )
    return case


@transaction.atomic
def record_panel_report(case: Case, *, by, on: dt.date | None = None) -> Case:
    case = _lock(case, Move.RECORD_PANEL_REPORT)
    stage = _stage(case, Move.RECORD_PANEL_REPORT, levels=[Level.REVIEW_PANEL])
    if stage.panel_held_on is None:
        raise DomainError("Record the date the panel was held first.")
    stage.panel_report_on = _check_date(
        on or _today(),
        "the panel report was received",
        not_before=stage.panel_held_on,
        not_before_label="the date the panel was held",
    )
    _replan(case, stage)
    _commit(
        case,
        Move.RECORD_PANEL_REPORT,
        by=by,
        from_state=case.state,
        data={"on": stage.panel_report_on.isoformat()},
    )
    return case


@transaction.atomic
def extend(
    case: Case,
    *,
    by,
    new_due_on: dt.date,
    reason: ExtensionReason,
    detail: str = "",
    complainant_agreed: bool | None = None,
    informed_on: dt.date | None = None,
) -> Case:
    """Extend the stage's response deadline, never beyond the maximum the timescale allows."""
    case = _lock(case, Move.EXTEND)
    stage = _stage(case, Move.EXTEND)
    if reason is None:
        raise DomainError("Choose the reason for the extension.", field="reason")
    deadline = stage.deadlines.filter(step=Step.RESPOND).first()
    if deadline is None or deadline.max_due_on is None:
        raise DomainError(
            f"The {stage.get_level_display()} response deadline cannot be extended.",
            field="new_due_on",
        )
    if new_due_on is None or new_due_on <= deadline.effective_due_on:
        raise DomainError(
            "The new date must be after the current due date "
            f"({deadline.effective_due_on:%-d %B %Y}).",
            field="new_due_on",
        )
    deadlines.require_working_day(new_due_on, "The new due date", field="new_due_on")
    if new_due_on > deadline.max_due_on:
        raise DomainError(
            f"The extension goes beyond the maximum allowed for {stage.get_level_display()}: "
            f"the latest date is {deadline.max_due_on:%-d %B %Y}.",
            field="new_due_on",
        )
    previous = deadline.effective_due_on
    deadline.extended_due_on = new_due_on
    deadline.save()
    stage.extension_reason, stage.extension_detail = reason, detail
    stage.complainant_agreed_extension = complainant_agreed
    stage.complainant_informed_of_extension_on = informed_on
    _replan(case, stage)  # the internal service target moves with the extension
    _commit(
        case,
        Move.EXTEND,
        by=by,
        from_state=case.state,
        reason=detail,
        data={
            "from": previous.isoformat(),
            "to": new_due_on.isoformat(),
            "extension_reason": reason.code,
            "complainant_agreed": complainant_agreed,
        },
    )
    return case


@transaction.atomic
def pause(case: Case, *, by, reason: str, on: dt.date | None = None) -> Case:
    """Stop the clock, e.g. a reg 8 deferral while court or criminal proceedings run."""
    case = _lock(case, Move.PAUSE)
    stage = _stage(case, Move.PAUSE)
    on = _check_date(
        on or _today(),
        "paused",
        not_before=stage.requested_on,
        not_before_label="the date the stage was requested",
    )
    if not reason.strip():
        raise DomainError("Say why the case is paused.", field="reason")
    Pause.objects.create(stage=stage, started_on=on, reason=reason)
    _commit(
        case, Move.PAUSE, by=by, from_state=case.state, reason=reason, data={"on": on.isoformat()}
    )
    return case


@transaction.atomic
def resume(case: Case, *, by, on: dt.date | None = None) -> Case:
    """Restart the clock with the working days the stage had left."""
    case = _lock(case, Move.RESUME)
    stage = _stage(case, Move.RESUME)
    paused_on = stage.pauses.get(ended_on__isnull=True).started_on
    on = _check_date(
        on or _today(), "resumed", not_before=paused_on, not_before_label="the date it was paused"
    )
    paused_days = _close_open_pause(stage, on)
    _replan(case, stage)
    _commit(
        case,
        Move.RESUME,
        by=by,
        from_state=case.state,
        data={"on": on.isoformat(), "paused_working_days": paused_days},
    )
    return case


def _check_findings_complete(stage: Stage) -> None:
    """From Stage 1 on, a response answers every element of the statement of complaint."""
    if stage.level < Level.LOCAL_RESOLUTION:
        return
    missing = [
        ef.element.number
        for ef in stage.element_findings.select_related("element")
        if ef.finding_id is None
    ]
    if missing:
        numbers = ", ".join(str(n) for n in missing)
        raise DomainError(
            f"Record a finding on every element considered at this stage (missing: {numbers})."
        )


@transaction.atomic
def submit_for_qa(case: Case, *, by) -> Case:
    case = _lock(case, Move.SUBMIT_FOR_QA)
    stage = _stage(case, Move.SUBMIT_FOR_QA)
    _check_findings_complete(stage)
    _commit(case, Move.SUBMIT_FOR_QA, by=by, from_state=case.state)
    return case


@transaction.atomic
def return_draft(case: Case, *, by, reason: str) -> Case:
    case = _lock(case, Move.RETURN_DRAFT)
    if not reason.strip():
        raise DomainError("Say what needs changing in the draft.", field="reason")
    _commit(case, Move.RETURN_DRAFT, by=by, from_state=case.state, reason=reason)
    return case


@transaction.atomic
def approve_draft(case: Case, *, by) -> Case:
    case = _lock(case, Move.APPROVE_DRAFT)
    _commit(case, Move.APPROVE_DRAFT, by=by, from_state=case.state)
    return case


@transaction.atomic
def issue_response(
    case: Case, *, by, responded_on: dt.date, outcome: Finding | None = None
) -> Case:
    """The stage's response (Stage 2 adjudication, Stage 3 council response) goes out."""
    case = _lock(case, Move.ISSUE_RESPONSE)
    stage = _stage(case, Move.ISSUE_RESPONSE)
    if case.state == State.IN_PROGRESS and _requires_qa(case, stage):
        raise DomainError(
            f"A {stage.get_level_display()} response must pass its quality check before it is "
            "issued: submit the draft first."
        )
    _check_date(
        responded_on,
        "of the response",
        not_before=max(stage.requested_on, case.received_on),
        not_before_label="the date the stage was requested",
        field="responded_on",
    )
    if (
        case.procedure == Procedure.STATUTORY
        and stage.level == Level.INVESTIGATION
        and stage.report_received_on is None
    ):
        raise DomainError("Record the investigating officer's report before the adjudication.")
    if stage.level == Level.REVIEW_PANEL and stage.panel_report_on is None:
        raise DomainError("Record the panel's report before the council's response.")
    _check_findings_complete(stage)
    from_state = case.state
    stage.responded_on = responded_on
    stage.outcome = outcome
    _replan(case, stage)
    _commit(
        case,
        Move.ISSUE_RESPONSE,
        by=by,
        from_state=from_state,
        data={"on": responded_on.isoformat(), "outcome": outcome.code if outcome else None},
    )
    if not replaying_history():
        learning.lessons_owed(stage)  # a response that found fault makes the form owed
    return case


@transaction.atomic
def escalate(
    case: Case,
    *,
    by,
    requested_on: dt.date,
    reason: EscalationReason | None = None,
    previous_response_method: ResponseMethod | None = None,
    detail: str = "",
    accept_late: bool = False,
) -> Case:
    """The complainant asks for the next stage (or Stage 0 moves on to Stage 1 unresolved)."""
    case = _lock(case, Move.ESCALATE)
    current = _stage(case, Move.ESCALATE)
    if case.state == State.IN_PROGRESS and current.level != Level.EARLY_RESOLUTION:
        raise InvalidTransition(case, Move.ESCALATE)
    if case.state == State.CLOSED and current.responded_on is None:
        raise DomainError("Only a case closed after its response can be escalated.")
    next_level = current.level + 1
    if deadlines.stage_definition(case.procedure, next_level) is None:
        raise DomainError(
            f"{current.get_level_display()} is the last stage of the "
            f"{Procedure(case.procedure).label} procedure; the complainant may go to the "
            "Local Government and Social Care Ombudsman."
        )
    _check_date(
        requested_on,
        "of the request",
        not_before=current.responded_on or current.requested_on,
        not_before_label="the previous stage's response",
        field="requested_on",
    )
    window = current.deadlines.filter(step=Step.ESCALATION_WINDOW).first()
    late = window is not None and requested_on > window.effective_due_on
    if late and not accept_late:
        raise DomainError(
            f"The request came after the escalation window closed on "
            f"{window.effective_due_on:%-d %B %Y}; confirm the council accepts it late.",
            field="accept_late",
        )
    from_state = case.state
    stage = _start_stage(
        case,
        next_level,
        requested_on,
        escalation_reason=reason,
        previous_response_method=previous_response_method,
        escalation_detail=detail,
        accepted_late=late,
    )
    _commit(
        case,
        Move.ESCALATE,
        by=by,
        from_state=from_state,
        stage=stage,
        reason=detail,
        data={"level": next_level, "late": late, "reopened": from_state == State.CLOSED},
    )
    return case


@transaction.atomic
def withdraw(
    case: Case, *, by, reason: WithdrawalReason, detail: str = "", on: dt.date | None = None
) -> Case:
    case = _lock(case, Move.WITHDRAW)
    on = _check_date(
        on or _today(),
        "withdrawn",
        not_before=case.received_on,
        not_before_label="the date received",
    )
    if reason is None:
        raise DomainError("Choose the reason for withdrawal.", field="reason")
    from_state = case.state
    stage = case.current_stage
    if stage is not None:
        _close_open_pause(stage, on)
        stage.withdrawn_on, stage.withdrawal_reason = on, reason
        stage.save()
    _commit(
        case,
        Move.WITHDRAW,
        by=by,
        from_state=from_state,
        reason=detail,
        data={"withdrawal_reason": reason.code, "on": on.isoformat()},
    )
    return case


@transaction.atomic
def close(case: Case, *, by, reason: str = "", on: dt.date | None = None) -> Case:
    case = _lock(case, Move.CLOSE)
    if case.state == State.RECEIVED and case.kind == Case.Kind.COMPLAINT:
        raise DomainError("Screen a complaint before closing it: accept, refuse or withdraw it.")
    on = _check_date(
        on or _today(), "closed", not_before=case.received_on, not_before_label="the date received"
    )
    _commit(
        case, Move.CLOSE, by=by, from_state=case.state, reason=reason, data={"on": on.isoformat()}
    )
    return case


@transaction.atomic
def reopen(
    case: Case,
    *,
    by,
    level: int,
    reason: str,
    on: dt.date | None = None,
    procedure: str | None = None,
) -> Case:
    """Start a fresh stage at the chosen level, e.g. after a premature Ombudsman referral."""
    case = _lock(case, Move.REOPEN)
    if not reason.strip():
        raise DomainError("Say why the case is reopened.", field="reason")
    on = _check_date(
        on or _today(),
        "reopened",
        not_before=case.received_on,
        not_before_label="the date received",
    )
    from_state = case.state
    if procedure:
        case.procedure = procedure
    if not case.procedure:
        raise DomainError("Choose the procedure the reopened case runs under.", field="procedure")
    case.save()
    stage = _start_stage(case, level, on)
    _commit(
        case,
        Move.REOPEN,
        by=by,
        from_state=from_state,
        stage=stage,
        reason=reason,
        data={"level": level, "on": on.isoformat()},
    )
    return case


# --- call-back requests ----------------------------------------------------------------------


def _call_back(case: Case, move: Move) -> Case:
    case = _lock(case, move)
    if not _is_call_back(case):
        raise DomainError(
            f"{case.reference} is not a call-back request waiting for its call-back, so it has "
            "no call-back outcome to record."
        )
    return case


@transaction.atomic
def arrange_call_back(case: Case, *, by, person) -> Case:
    """Name who will call the person back (a manager of the team, usually)."""
    case = _call_back(case, Move.ARRANGE_CALL_BACK)
    if person is None:
        raise DomainError("Choose who will make the call-back.", field="person")
    case.callback_by = person
    _commit(case, Move.ARRANGE_CALL_BACK, by=by, from_state=case.state, data={"person": person.pk})
    return case


def _call_back_outcome(case, move: Move, outcome, *, by, on, note) -> Case:
    case = _call_back(case, move)
    on = _check_date(
        on or _today(),
        "of the call-back",
        not_before=case.received_on,
        not_before_label="the date received",
    )
    case.callback_outcome, case.callback_outcome_on = outcome, on
    if outcome == Case.CallBackOutcome.COMPLAINT:
        case.kind = Case.Kind.COMPLAINT
    _commit(case, move, by=by, from_state=case.state, reason=note, data={"on": on.isoformat()})
    return case


@transaction.atomic
def resolve_call_back(case: Case, *, by, on: dt.date | None = None, note: str = "") -> Case:
    """The call-back settled it: the request closes, and the person may still complain later."""
    return _call_back_outcome(
        case, Move.RESOLVE_CALL_BACK, Case.CallBackOutcome.RESOLVED, by=by, on=on, note=note
    )


@transaction.atomic
def convert_call_back(case: Case, *, by, on: dt.date | None = None, note: str = "") -> Case:
    """The person still wants to complain: the request becomes a complaint awaiting screening,
    with the reference and the date received it already has, so its clock runs from then."""
    return _call_back_outcome(
        case, Move.CONVERT_CALL_BACK, Case.CallBackOutcome.COMPLAINT, by=by, on=on, note=note
    )
