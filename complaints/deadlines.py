"""Deadlines: from a stage's facts and its timescales to the dates each step is due.

Rules, in one place:
- Each step's clock runs from the stage fact its Timescale names (ClockStart). Until that fact
  is recorded, it runs from the due date of the step that will record it (the panel report is
  provisionally due 5 days after the panel's own deadline), or else from the request date.
- Statutory targets use the statutory calendar; a Timescale may count council closure days only
  for non-statutory steps, and internal service targets always count them.
- A pause moves every date after it on by the working days it lasted, so the stage resumes with
  the days it had left (reg 8 deferral).
- An extension sets a later date, never beyond the step's maximum.
"""

import datetime as dt

from complaints.errors import DomainError
from complaints.models import (
    Case,
    ClockStart,
    Deadline,
    Stage,
    StageDefinition,
    Step,
    Timescale,
)
from complaints.workingdays import (
    Calendar,
    add_working_days,
    next_working_day,
    working_days_between,
)

# The stage fact that meets each step. The escalation window is met by the next stage.
STEP_MET_BY: dict[str, str | None] = {
    Step.ACKNOWLEDGE: "acknowledged_on",
    Step.RESPOND: "responded_on",
    Step.PANEL_HELD: "panel_held_on",
    Step.PANEL_REPORT: "panel_report_on",
    Step.COUNCIL_RESPONSE: "responded_on",
    Step.ESCALATION_WINDOW: None,
}

# The step that, once met, records each clock-start fact.
_FACT_RECORDED_BY: dict[str, tuple[str, ...]] = {
    ClockStart.ACKNOWLEDGED: (Step.ACKNOWLEDGE,),
    ClockStart.PANEL_HELD: (Step.PANEL_HELD,),
    ClockStart.PANEL_REPORT_RECEIVED: (Step.PANEL_REPORT,),
    ClockStart.RESPONDED: (Step.RESPOND, Step.COUNCIL_RESPONSE),
}

# The steps a case's "next due" date and chasing look at while the stage is open.
CHASED_STEPS = tuple(step for step, fact in STEP_MET_BY.items() if fact)

_PLANNING_ORDER = (
    Step.ACKNOWLEDGE,
    Step.RESPOND,
    Step.PANEL_HELD,
    Step.PANEL_REPORT,
    Step.COUNCIL_RESPONSE,
    Step.ESCALATION_WINDOW,
)

# Where a stage's clock runs.
ACTIVE_STATES = {Case.State.IN_PROGRESS, Case.State.AWAITING_QA, Case.State.APPROVED}
# Every state with work still to do: the dashboard's "Open cases" and the list's "open" filter.
OPEN_STATES = ACTIVE_STATES | {Case.State.RECEIVED, Case.State.PAUSED}


def calendar_of(ts: Timescale) -> str:
    """The calendar a step's days are counted on: statutory steps never skip closure days."""
    return Calendar.CORPORATE if ts.counts_closure_days else Calendar.STATUTORY


def step_calendars() -> dict[tuple[str, int, str], str]:
    """calendar_of for every (procedure, level, step), for jobs that count many at once."""
    return {
        (ts.stage.procedure, ts.stage.level, ts.step): calendar_of(ts)
        for ts in Timescale.objects.select_related("stage").order_by("effective_from")
    }


def require_working_day(day: dt.date, label: str, *, field: str) -> None:
    """A due date someone sets falls on a working day; if not, say which working day follows."""
    proposal = next_working_day(day)
    if proposal != day:
        raise DomainError(
            f"{label} must be a working day: {day:%A %-d %B %Y} is not. The next working "
            f"day is {proposal:%A %-d %B %Y}.",
            field=field,
        )


def in_force(timescales, on: dt.date | None) -> dict[str, Timescale]:
    """Of the versions of each step's timescale, the one in force for a stage requested `on`
    (the latest version for None; the first for a stage older than every version)."""
    chosen: dict[str, Timescale] = {}
    for ts in sorted(timescales, key=lambda t: t.effective_from):
        if ts.step not in chosen or on is None or ts.effective_from <= on:
            chosen[ts.step] = ts
    return chosen


def timescales_for(procedure: str, level: int, on: dt.date | None = None) -> list[Timescale]:
    versions = Timescale.objects.filter(stage__procedure=procedure, stage__level=level)
    return list(in_force(versions.select_related("stage"), on).values())


def stage_definition(procedure: str, level: int) -> StageDefinition | None:
    return StageDefinition.objects.filter(procedure=procedure, level=level, active=True).first()


def is_met(deadline: Deadline, stage: Stage) -> bool:
    fact = STEP_MET_BY[deadline.step]
    return fact is not None and getattr(stage, fact) is not None


def _shift_for_pause(day: dt.date | None, paused_on: dt.date, resumed_on: dt.date, cal: str):
    if day is None or day <= paused_on:
        return day
    remaining = working_days_between(paused_on, day, cal)
    return add_working_days(resumed_on, remaining, cal)


def compute_deadlines(
    stage: Stage,
    timescales: dict[str, Timescale],
    *,
    pauses: list = (),
    existing: dict[str, Deadline] | None = None,
) -> dict[str, Deadline]:
    """The stage's deadlines (unsaved) from its facts, timescales and ended pauses."""
    existing = existing or {}
    planned: dict[str, Deadline] = {}

    def clock_start(ts: Timescale) -> dt.date | None:
        fact = getattr(stage, ts.clock_start)
        if fact is not None:
            return fact
        if ts.clock_start == ClockStart.RESPONDED:
            return None  # the escalation window opens only once a response is issued
        for step in _FACT_RECORDED_BY.get(ts.clock_start, ()):
            if step in planned:
                return planned[step].effective_due_on
        return stage.requested_on

    for step in _PLANNING_ORDER:  # predecessors first, so provisional starts can read them
        ts = timescales.get(step)
        start = clock_start(ts) if ts else None
        if start is None:
            continue
        cal = calendar_of(ts)
        later_pauses = [p for p in pauses if p.ended_on and p.started_on >= start]

        def dated(days, calendar=cal, start=start, later_pauses=later_pauses):
            if days is None:
                return None
            day = add_working_days(start, days, calendar)
            for p in later_pauses:
                day = _shift_for_pause(day, p.started_on, p.ended_on, calendar)
            return day

        deadline = existing.get(step) or Deadline(stage=stage, step=step)
        deadline.starts_on = start
        deadline.due_on = dated(ts.target_days)
        deadline.max_due_on = dated(ts.max_days)
        deadline.service_target_on = dated(ts.service_target_days, Calendar.CORPORATE)
        if deadline.extended_due_on is not None:
            for p in later_pauses:
                deadline.extended_due_on = _shift_for_pause(
                    deadline.extended_due_on, p.started_on, p.ended_on, cal
                )
            if deadline.extended_due_on <= deadline.due_on:
                deadline.extended_due_on = None
        if deadline.extended_due_on and deadline.service_target_on:
            # The internal target keeps its distance from the date the stage is due by.
            extra = working_days_between(deadline.due_on, deadline.extended_due_on, cal)
            deadline.service_target_on = add_working_days(
                deadline.service_target_on, extra, Calendar.CORPORATE
            )
        planned[step] = deadline
    return planned


def plan_deadlines(stage: Stage, procedure: str) -> list[Deadline]:
    """Create or update the stage's deadlines from its facts and timescales. Idempotent."""
    # A stage keeps the timescales in force when it was requested, whatever changed since.
    timescales = {t.step: t for t in timescales_for(procedure, stage.level, stage.requested_on)}
    planned = compute_deadlines(
        stage,
        timescales,
        pauses=list(stage.pauses.all()),
        existing={d.step: d for d in stage.deadlines.all()},
    )
    for deadline in planned.values():
        deadline.save()
    return list(planned.values())


def next_due_on(case: Case, stage: Stage | None) -> dt.date | None:
    """The nearest unmet deadline of the open stage (or a call-back request's call-back);
    nothing is due on a case not in progress."""
    if case.kind == Case.Kind.CALL_BACK and case.state == Case.State.RECEIVED:
        return None if case.callback_outcome else case.callback_due_on
    if stage is None or case.state not in ACTIVE_STATES:
        return None
    due = [
        d.effective_due_on
        for d in stage.deadlines.all()
        if d.step in CHASED_STEPS and not is_met(d, stage)
    ]
    return min(due, default=None)


def working_days_left(due_on: dt.date | None, today: dt.date) -> int | None:
    """Working days from today to the due date: 0 on the day, negative once overdue."""
    if due_on is None:
        return None
    return working_days_between(today, due_on)
