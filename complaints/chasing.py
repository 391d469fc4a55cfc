"""Chasing: which rules have come due today, the outbox they write to, and delivery.

`run(today)` is the daily job (Celery beat, or `manage.py chase`):
1. On a working day only, each active ChaseRule finds the cases it applies to in one query
   per rule (batched: the number of queries does not grow with the cases), decides exactly
   which have come due with numpy's working-day arithmetic, and leaves out any (stage, rule)
   already in the outbox.
2. Each due chase becomes a Notification with a unique key; inserting with
   ignore_conflicts makes a second run, or two runs at once, write nothing new.
3. `deliver()` sends what is pending, one row at a time under a row lock, so a worker killed
   mid-run leaves the rest pending for the next run.

Move rules fire from the workflow as it commits (`on_move`), through the same outbox.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import Role
from complaints import deadlines, templating
from complaints.deadlines import ACTIVE_STATES, OPEN_STATES, STEP_MET_BY
from complaints.handoff import hand_off
from complaints.models import (
    AgreedAction,
    Case,
    ChaseRule,
    ChaseRun,
    Complainant,
    Deadline,
    LessonsLearnt,
    Level,
    Notification,
    Recipient,
    Stage,
)
from complaints.workingdays import Calendar, is_working_day, working_days_between_many

log = logging.getLogger(__name__)
BATCH = 2000
MAX_ATTEMPTS = 5


@dataclass
class Outcome:
    for_date: dt.date
    planned: list[Notification] = field(default_factory=list)
    queued: int = 0
    sent: int = 0
    failed: int = 0
    skipped_reason: str = ""


# --- who receives a chase -----------------------------------------------------------------

# Every planner reads rows of one shape: `about_id` (the stage or action chased), `stage_id`,
# `case_id`, `reference`, `level`, `anchor_on` (the date the rule counts from) and one address
# column per person below, so recipients, keys and e-mails are worked out in one place.
_PERSON_COLUMNS = {
    Recipient.RESPONDING_MANAGER: "responding_manager_email",
    Recipient.HEAD_OF_SERVICE: "head_of_service_email",
    Recipient.CASE_OFFICER: "case_officer_email",
    Recipient.INVESTIGATING_OFFICER: "investigating_officer_email",
    Recipient.ACTION_OWNER: "action_owner_email",
    Recipient.CALL_BACK_BY: "callback_by_email",
}
_GROUPS = {
    Recipient.COMPLAINTS_MANAGERS: Role.COMPLAINTS_MANAGER,
    Recipient.SENIOR_MANAGERS: Role.SENIOR_MANAGER,
}


def _stage_people(stage: str = "stage__", case: str = "stage__case__") -> dict:
    """The address columns, for a query whose rows reach the stage and case by these paths.
    A named responding manager first, else the team's manager."""
    return {
        "responding_manager_email": Coalesce(
            f"{stage}responding_manager__email", f"{stage}team__manager__email"
        ),
        "head_of_service_email": F(f"{case}service_area__head_of_service__email"),
        "case_officer_email": F(f"{case}officer__email"),
        "investigating_officer_email": F(f"{stage}investigating_officer__email"),
    }


class _Addresses:
    """Resolves recipient roles to addresses; group look-ups happen once per run."""

    def __init__(self):
        self._groups: dict[str, list[str]] = {}

    def group(self, recipient: str) -> list[str]:
        if recipient not in self._groups:
            self._groups[recipient] = list(
                get_user_model()
                .objects.filter(is_active=True, groups__name=_GROUPS[recipient].label)
                .exclude(email="")
                .order_by("email")
                .values_list("email", flat=True)
                .distinct()
            )
        return self._groups[recipient]

    def resolve(self, recipients: list[str], row: dict) -> list[str]:
        found: list[str] = []
        for recipient in recipients:
            if recipient in _GROUPS:
                found += self.group(recipient)
            elif row.get(_PERSON_COLUMNS.get(recipient, "")):
                found.append(row[_PERSON_COLUMNS[recipient]])
        return list(dict.fromkeys(found))


# --- rendering ----------------------------------------------------------------------------


def _compiled(rule: ChaseRule, cache: dict):
    if rule.pk not in cache:
        cache[rule.pk] = (
            templating.compile_text(rule.subject),
            templating.compile_text(rule.body),
        )
    return cache[rule.pk]


def case_link(reference: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/cases/{reference}/"


def _learning_link() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/learning/"


def _notification(
    rule, key, row, addresses, templates, context, *, to_the_team: bool = False
) -> Notification | None:
    """The message, or None if the rule names no one with an address here. With
    `to_the_team`, it goes to the complaints team's shared address instead, saying why."""
    to = addresses.resolve(rule.to, row)
    missing = ""
    if not to and to_the_team and rule.to:
        to = [settings.COMPLAINTS_TEAM_EMAIL]
        labels = dict(Recipient.choices)  # a rule edited in the admin may name anything
        named = " or ".join(str(labels.get(r, r)).lower() for r in rule.to)
        missing = f"No {named} on the case"
        log.info("Message %s: no named recipient, sent to the complaints team", key)
    if not to:
        return None
    cc = [a for a in addresses.resolve(rule.cc, row) if a not in to]
    subject, body = _compiled(rule, templates)
    body = templating.render_text(body, context).strip() + "\n"
    return Notification(
        key=key,
        rule=rule,
        case_id=row.get("case_id"),
        stage_id=row.get("stage_id"),
        to=to,
        cc=cc,
        subject=templating.render_text(subject, context).strip()[:250],
        body=f"{missing}, so this came to the team.\n\n{body}" if missing else body,
        fallback=f"{missing}." if missing else "",
    )


# --- the rules ----------------------------------------------------------------------------


def _not_yet_sent(rule: ChaseRule, stage_ref: str):
    return ~Exists(Notification.objects.filter(rule=rule, stage=OuterRef(stage_ref)))


def _working_days_since(rows: list[dict], today: dt.date) -> np.ndarray:
    """For each row, working days after its anchor up to and including today (negative
    before), on the row's own calendar (statutory unless the row names another)."""
    since = np.zeros(len(rows), dtype=np.int64)
    by_calendar = defaultdict(list)
    for i, row in enumerate(rows):
        by_calendar[row.get("calendar", Calendar.STATUTORY)].append(i)
    for calendar, at in by_calendar.items():
        anchors = [rows[i]["anchor_on"] for i in at]
        since[at] = working_days_between_many(anchors, today, calendar)
    return since


def _due(rule, rows, today, key_prefix, addresses, templates, extra=None) -> list[Notification]:
    """The rows whose anchor date is the rule's offset behind today, as messages."""
    if not rows:
        return []
    since = _working_days_since(rows, today)
    due = since >= rule.offset_working_days
    if rule.offset_working_days < 0:
        due &= since <= 0  # a reminder before a date is no use after it
    out = []
    for row, fire, days in zip(rows, due, since, strict=True):
        if not fire:
            continue
        context = {
            # An Ombudsman recommendation may have no local complaint to name.
            "case": {"reference": row["reference"] or "Ombudsman recommendation"},
            "stage_name": Level(row["level"]).label if row.get("level") is not None else "",
            "due_on": row["anchor_on"],
            "days": abs(int(days)),
            "link": case_link(row["reference"]) if row["reference"] else _learning_link(),
            **(extra(row) if extra else {}),  # nosec B610
        }
        key = f"{key_prefix}:{row['about_id']}:rule:{rule.code}"
        note = _notification(rule, key, row, addresses, templates, context)
        if note:
            out.append(note)
    return out


def _states(rule: ChaseRule) -> list[str]:
    return [Case.State.IN_PROGRESS] if rule.only_while_drafting else list(ACTIVE_STATES)


def _deadline_chases(rule, today, addresses, templates) -> list[Notification]:
    rows = Deadline.objects.filter(
        step=rule.step,
        stage__case__state__in=_states(rule),
        stage__case__current_stage=F("stage"),
    )
    if rule.level is not None:
        rows = rows.filter(stage__level=rule.level)
    if rule.procedure:
        rows = rows.filter(stage__case__procedure=rule.procedure)
    fact = rule.unless or STEP_MET_BY.get(rule.step)
    if fact:
        rows = rows.filter(**{f"stage__{fact}__isnull": True})
    anchor = (
        F("service_target_on")
        if rule.anchor == ChaseRule.Anchor.SERVICE_TARGET
        else Coalesce("extended_due_on", "due_on")
    )
    # Nothing can come due before this: a cheap bound that keeps far-off deadlines out.
    horizon = today + dt.timedelta(days=max(0, -rule.offset_working_days) * 2 + 7)
    rows = (
        rows.filter(_not_yet_sent(rule, "stage"))
        .annotate(anchor_on=anchor)
        .filter(anchor_on__isnull=False, anchor_on__lte=horizon)
        .values(
            "stage_id",
            "anchor_on",
            "step",
            about_id=F("stage_id"),
            case_id=F("stage__case_id"),
            reference=F("stage__case__reference"),
            level=F("stage__level"),
            procedure=F("stage__case__procedure"),
            **_stage_people(),
        )
    )
    rows = list(rows)
    # Each deadline is chased on the calendar it was counted on; a service target always
    # skips closure days.
    step_calendars = deadlines.step_calendars()
    for row in rows:
        row["calendar"] = (
            Calendar.CORPORATE
            if rule.anchor == ChaseRule.Anchor.SERVICE_TARGET
            else step_calendars.get(
                (row["procedure"], row["level"], row["step"]), Calendar.STATUTORY
            )
        )
    return _due(rule, rows, today, "stage", addresses, templates)


def _allocation_chases(rule, today, addresses, templates) -> list[Notification]:
    """Stages not allocated `offset_months` calendar months after they were requested."""
    stages = Stage.objects.filter(
        allocated_on__isnull=True,
        case__state__in=_states(rule),
        case__current_stage=F("pk"),
        requested_on__lte=today - relativedelta(months=rule.offset_months),
    )
    if rule.level is not None:
        stages = stages.filter(level=rule.level)
    if rule.procedure:
        stages = stages.filter(case__procedure=rule.procedure)
    rows = stages.filter(_not_yet_sent(rule, "pk")).values(
        "case_id",
        "level",
        about_id=F("pk"),
        stage_id=F("pk"),
        reference=F("case__reference"),
        anchor_on=F("requested_on"),
        **_stage_people(stage="", case="case__"),
    )
    return _due(
        rule,
        list(rows),
        today,
        "stage",
        addresses,
        templates,
        extra=lambda row: {"requested_on": row["anchor_on"]},
    )


def _lessons_chases(rule, today, addresses, templates) -> list[Notification]:
    forms = LessonsLearnt.objects.filter(submitted_on__isnull=True).filter(
        _not_yet_sent(rule, "stage")
    )
    rows = forms.values(
        "stage_id",
        "case_id",
        about_id=F("stage_id"),
        reference=F("case__reference"),
        level=F("stage__level"),
        anchor_on=F("due_on"),
        responding_manager_email=F("owed_by__email"),
        head_of_service_email=F("case__service_area__head_of_service__email"),
        case_officer_email=F("case__officer__email"),
    )
    return _due(rule, list(rows), today, "lessons", addresses, templates)


def _action_chases(rule, today, addresses, templates) -> list[Notification]:
    actions = AgreedAction.objects.filter(status=AgreedAction.Status.OPEN).filter(
        ~Exists(Notification.objects.filter(rule=rule, action=OuterRef("pk")))
    )
    rows = actions.values(
        "stage_id",
        "case_id",
        "description",
        about_id=F("pk"),
        reference=F("case__reference"),
        level=F("stage__level"),
        anchor_on=F("due_on"),
        action_owner_email=F("owner__email"),
        case_officer_email=F("case__officer__email"),
    )
    notes = _due(
        rule,
        list(rows),
        today,
        "action",
        addresses,
        templates,
        extra=lambda row: {"action": row["description"]},
    )
    for note in notes:
        note.action_id = int(note.key.split(":")[1])
    return notes


def _case_chases(rule, cases, anchor: str, today, addresses, templates) -> list[Notification]:
    """A step of the case itself rather than of a stage, once per case and rule."""
    rows = cases.filter(
        ~Exists(Notification.objects.filter(rule=rule, case=OuterRef("pk"))),
        **{f"{anchor}__lte": today},
    ).values(
        "reference",
        case_id=F("pk"),
        about_id=F("pk"),
        stage_id=F("current_stage_id"),
        level=F("current_stage__level"),
        anchor_on=F(anchor),
        case_officer_email=F("officer__email"),
        callback_by_email=F("callback_by__email"),
        head_of_service_email=F("service_area__head_of_service__email"),
    )
    return _due(rule, list(rows), today, "case", addresses, templates)


def _call_back_chases(rule, today, addresses, templates) -> list[Notification]:
    waiting = Case.objects.filter(
        kind=Case.Kind.CALL_BACK, state=Case.State.RECEIVED, callback_outcome=""
    )
    return _case_chases(rule, waiting, "callback_due_on", today, addresses, templates)


def _advocacy_chases(rule, today, addresses, templates) -> list[Notification]:
    waiting = Case.objects.filter(
        advocacy_accepted=True, advocacy_referred_on__isnull=True, state__in=OPEN_STATES
    )
    return _case_chases(rule, waiting, "advocacy_offered_on", today, addresses, templates)


def _digest(rule, today, addresses, templates) -> list[Notification]:
    year, week, _ = today.isocalendar()
    key = f"digest:{rule.code}:{year}-W{week:02d}"
    if Notification.objects.filter(key=key).exists():
        return []
    active = Case.objects.filter(state__in=ACTIVE_STATES)
    by_stage = {
        Level(level).label: count
        for level, count in active.values_list("current_stage__level")
        .order_by("current_stage__level")
        .annotate(n=Count("pk"))
        if level is not None
    }
    context = {
        "today": today,
        "open_cases": sum(by_stage.values()),
        "by_stage": by_stage,
        "overdue": active.filter(next_due_on__lt=today).count(),
        "paused": Case.objects.filter(state=Case.State.PAUSED).count(),
        "link": f"{settings.SITE_URL.rstrip('/')}/cases/?overdue=on",
    }
    note = _notification(rule, key, {}, addresses, templates, context)
    return [note] if note else []


_PLANNERS = {
    ChaseRule.Trigger.DEADLINE: _deadline_chases,
    ChaseRule.Trigger.NOT_ALLOCATED: _allocation_chases,
    ChaseRule.Trigger.DIGEST: _digest,
    ChaseRule.Trigger.LESSONS_LEARNT: _lessons_chases,
    ChaseRule.Trigger.ACTION: _action_chases,
    ChaseRule.Trigger.CALL_BACK: _call_back_chases,
    ChaseRule.Trigger.ADVOCACY: _advocacy_chases,
}


def plan(today: dt.date) -> list[Notification]:
    """Every chase due today and not yet in the outbox (unsaved)."""
    addresses, templates = _Addresses(), {}
    planned = []
    for rule in ChaseRule.objects.filter(active=True, trigger__in=list(_PLANNERS)):
        planned += _PLANNERS[rule.trigger](rule, today, addresses, templates)
    return planned


def queue(notifications: list[Notification]) -> int:
    """Write to the outbox; a key already there is skipped, so nothing is queued twice.
    Returns how many rows this call wrote, whatever another run writes at the same time."""
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    size = min(BATCH, connection.ops.bulk_batch_size(fields, notifications) or BATCH)
    written = 0
    for start in range(0, len(notifications), size):
        # bulk_create(ignore_conflicts=True) returns every object, written or skipped; this is
        # its insert with RETURNING, which names only the rows ON CONFLICT DO NOTHING kept
        # (a batch of one answers [None] when its row was skipped).
        rows = Notification.objects._insert(
            notifications[start : start + size],
            fields=fields,
            returning_fields=[Notification._meta.pk],
            on_conflict=OnConflict.IGNORE,
        )
        written += sum(row is not None for row in rows)
    return written


# --- moves --------------------------------------------------------------------------------


def on_move(event) -> list[int]:
    """Queue the messages a workflow move causes, in the move's own transaction, and send
    them once it commits (or later, from the outbox, if the broker is down)."""
    rules = [r for r in _move_rules() if r.move == event.move]
    if not rules:
        return []
    stage = event.stage
    case = event.case
    row = {
        "stage_id": stage.pk if stage else None,
        "case_id": case.pk,
        "responding_manager_email": _email(stage and stage.responding_manager)
        or _email(stage and stage.team and stage.team.manager),
        "head_of_service_email": _email(case.service_area and case.service_area.head_of_service),
        "case_officer_email": _email(case.officer),
        "investigating_officer_email": _email(stage and stage.investigating_officer),
    }
    context = {
        "case": {"reference": case.reference},
        "stage_name": stage.get_level_display() if stage else "",
        "reason": event.reason,
        "link": case_link(case.reference),
    }
    addresses, templates, notes = _Addresses(), {}, []
    for rule in rules:
        # A move's message is not repeated by a later run, so it must reach someone now.
        note = _notification(
            rule,
            f"event:{event.pk}:rule:{rule.code}",
            row,
            addresses,
            templates,
            context,
            to_the_team=True,
        )
        if note:
            notes.append(note)
    return send_after_commit(notes)


def send_after_commit(notes: list[Notification]) -> list[int]:
    """Write messages to the outbox in the caller's transaction, and hand them to a worker
    once it commits (or leave them to the periodic delivery, if the broker is down)."""
    ids = []
    for note in notes:
        note.save()
        ids.append(note.pk)
    if ids:
        transaction.on_commit(lambda: _dispatch(ids))
    return ids


def _email(user) -> str:
    return getattr(user, "email", "") or ""


def _move_rules() -> list[ChaseRule]:
    # Read per call: rules are few, and an edit in the admin must apply at once.
    return list(ChaseRule.objects.filter(active=True, trigger=ChaseRule.Trigger.MOVE))


def _dispatch(ids: list[int]) -> None:
    """Hand the messages to a worker. If the broker is down they stay pending in the outbox,
    and the periodic delivery sends them when it is back."""
    hand_off(
        "complaints.tasks.deliver_notifications",
        ids,
        waiting=f"{len(ids)} message(s) in the outbox",
    )


# --- delivery -----------------------------------------------------------------------------


def deliver(ids: list[int] | None = None, *, limit: int | None = None) -> tuple[int, int]:
    """Send pending messages, each in its own transaction under a row lock: a crash leaves
    the rest pending, and two workers never send the same one. Returns (sent, failed)."""
    sent = failed = 0
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    candidates = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in candidates:
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("attachment")
                .filter(pk=pk, status=Notification.Status.PENDING)
                .first()
            )
            if note is None:
                continue  # another worker has it, or it went out meanwhile
            if not _still_wanted(note):
                note.status = Notification.Status.FAILED
                note.last_error = (
                    "Not sent: the complainant's e-mail address or their agreement to letters by "
                    "e-mail changed after it was queued. Send the letter again if it should go."
                )
                note.save(update_fields=["status", "last_error"])
                failed += 1
                continue
            note.attempts += 1
            try:
                for message in _messages(note):
                    message.send()
            except Exception as error:  # noqa: BLE001 - recorded for the administrator
                note.last_error = f"{type(error).__name__}: {error}"[:2000]
                if note.attempts >= MAX_ATTEMPTS:
                    note.status = Notification.Status.FAILED
                    failed += 1
                log.warning("Could not send notification %s: %s", note.pk, note.last_error)
            else:
                note.status, note.sent_at, note.last_error = (
                    Notification.Status.SENT,
                    timezone.now(),
                    "",
                )
                sent += 1
            note.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return sent, failed


def _still_wanted(note: Notification) -> bool:
    """A letter goes to the complainant only if, at the moment it is sent, they still agree to
    e-mail at the address it was queued for (a correction or a withdrawal may have come since)."""
    if note.attachment_id is None or note.case_id is None:
        return True
    complainant = Complainant.objects.filter(cases=note.case_id).first()
    return bool(complainant and complainant.letters_by_email and note.to == [complainant.email])


def _messages(note: Notification) -> list[EmailMessage]:
    headers = {"X-Complaints-Key": note.key}
    if not settings.EMAIL_NO_CC:
        messages = [EmailMessage(note.subject, note.body, to=note.to, cc=note.cc, headers=headers)]
    else:
        messages = [
            EmailMessage(note.subject, note.body, to=[address], headers=headers)
            for address in [*note.to, *note.cc]
        ]
    if note.attachment is not None:
        with note.attachment.file.open("rb") as file:
            content = file.read()
        for message in messages:
            message.attach(note.attachment.filename, content, note.attachment.content_type)
    return messages


# --- the daily job ------------------------------------------------------------------------


def run(today: dt.date | None = None, *, dry_run: bool = False) -> Outcome:
    today = today or timezone.localdate()
    outcome = Outcome(for_date=today)
    if not is_working_day(today):
        outcome.skipped_reason = f"{today:%A %-d %B %Y} is not a working day: no chasing."
        return outcome
    if dry_run:
        outcome.planned = plan(today)
        return outcome
    record = ChaseRun.objects.create(for_date=today)
    try:
        with transaction.atomic():
            outcome.planned = plan(today)
            outcome.queued = queue(outcome.planned)
        outcome.sent, outcome.failed = deliver()
    except Exception as error:
        record.error = f"{type(error).__name__}: {error}"
        raise
    finally:
        record.queued, record.sent, record.failed = outcome.queued, outcome.sent, outcome.failed
        record.finished_at = timezone.now()
        record.save()
    return outcome
