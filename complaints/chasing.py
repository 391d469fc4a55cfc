"""Chasing: which rules have come due today, the outbox they write to, and delivery.

`run(today)` is the daily job (Celery beat, or `manage.py chase`):
1. On a working day only, each active ChaseRule finds the cases it applies to in one query
   per rule (batched: the number of queries does not grow with the cases), decides exactly
   which have come due with numpy's working-day arithmetic, and leaves out any (stage, rule)
   already in the outbox.
2. Each due chase becomes a Notification with a unique key; inserting with
   ignore_conflicts makes a second run, or two runs at once, write nothing new.
3. `deliver()` sends what is pending, claiming a batch at a time so that no two workers send
   the same message, and marking each as it goes, so that if a worker is killed mid-batch only
   the message in hand can go twice.

Move rules fire from the workflow as it commits (`on_move`), through the same outbox.
"""

import datetime as dt
import functools
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.mime.text import MIMEText

import icalendar
import numpy as np
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce, Now
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
    Deadline,
    LessonsLearnt,
    Level,
    Notification,
    PoolCheck,
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

# Messages a worker claims at once: a killed worker strands no more than this many, until its
# claim lapses.
DELIVERY_BATCH = 100
_NOT_WANTED = (
    "Not sent: the complainant's e-mail address or their agreement to letters by e-mail "
    "changed after it was queued. Send the letter again if it should go."
)


def deliver(ids: list[int] | None = None, *, limit: int | None = None) -> tuple[int, int]:
    """Send pending messages (those given, or the whole outbox), oldest first; returns
    (sent, failed). Call it outside a transaction.

    A batch is claimed for OUTBOX_CLAIM_SECONDS in one short transaction, so no other worker
    takes its messages, and goes over one mail connection. Each message is marked as soon as
    the mail server has taken it (or refused it), so a worker killed mid-batch can have sent
    again only the message in hand; the rest of its batch comes back when the claim lapses.
    Each message is tried once per call; a failure counts an attempt, as it always has."""
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    # Listed once, then claimed a batch at a time by primary key: each claim reads only its
    # own rows, however long the outbox.
    waiting = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    sent = failed = 0
    if not waiting:
        return sent, failed
    with _marks_not_waiting_for_the_disk():
        while waiting:
            batch, waiting = waiting[:DELIVERY_BATCH], waiting[DELIVERY_BATCH:]
            outcome = _deliver_batch(batch)
            sent, failed = sent + outcome.sent, failed + outcome.failed
            if outcome.handed_back:
                if not outcome.started:
                    break  # none started in time: leave them to the next run
                waiting = outcome.handed_back + waiting
    return sent, failed


@dataclass
class _Batch:
    started: int = 0
    sent: int = 0
    failed: int = 0
    handed_back: list[int] = field(default_factory=list)


def _deliver_batch(pks: list[int]) -> _Batch:
    outcome = _Batch()
    claim = settings.OUTBOX_CLAIM_SECONDS
    started = time.monotonic()
    notes = _claim(pks, dt.timedelta(seconds=claim))
    if not notes:
        return outcome
    unwanted = _letters_no_longer_wanted(notes)
    mail = get_connection()
    try:
        for note in notes:
            # Start a message only while a fifth of the claim is left, so that none is still
            # being sent when the claim lapses and another worker may take it.
            if time.monotonic() - started >= claim * 0.8:
                break
            if note.pk in unwanted:
                _mark(note, status=Notification.Status.FAILED, last_error=_NOT_WANTED)
            else:
                _send(note, mail)
            if note.status == Notification.Status.SENT:
                outcome.sent += 1
            elif note.status == Notification.Status.FAILED:
                outcome.failed += 1
            outcome.started += 1
    finally:
        _close(mail)
        # Hand back what was not started (nor the one in hand, if something went wrong while
        # it was), unless the claim is near its end: by then another worker may hold them.
        rest = [note.pk for note in notes[outcome.started :]]
        if rest and time.monotonic() - started < claim * 0.9 and _hand_back(rest):
            outcome.handed_back = rest
    return outcome


def _hand_back(pks: list[int]) -> bool:
    try:
        Notification.objects.filter(pk__in=pks, status=Notification.Status.PENDING).update(
            claimed_until=None
        )
    except DatabaseError:  # they come back when the claim lapses
        log.warning("Could not hand back %s claimed message(s)", len(pks), exc_info=True)
        return False
    return True


def _claim(pks: list[int], claim: dt.timedelta) -> list[Notification]:
    """Take the messages still waiting among these, skipping any another worker holds or has
    locked."""
    # Chosen by primary key alone, and checked once locked: a condition on the status would
    # have the planner read every waiting row, its statistics counting few while a chase waits.
    takeable = ExpressionWrapper(
        Q(status=Notification.Status.PENDING)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=Now())),
        output_field=BooleanField(),
    )
    with transaction.atomic():
        locked = (
            Notification.objects.filter(pk__in=pks)
            .annotate(takeable=takeable)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("attachment")
            .order_by("pk")
        )
        notes = [note for note in locked if note.takeable]
        if notes:
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(
                claimed_until=Now() + claim
            )
    return notes


def _send(note: Notification, mail) -> None:
    """Hand one message to the mail server and record the outcome at once."""
    attempts = note.attempts + 1
    try:
        mail.open()  # nothing if it is open already
        mail.send_messages(_messages(note))
    except Exception as error:  # noqa: BLE001 - recorded for the administrator
        _close(mail)  # the next message starts on a fresh connection
        last_error = f"{type(error).__name__}: {error}"[:2000]
        log.warning("Could not send notification %s: %s", note.pk, last_error)
        status = Notification.Status.FAILED if attempts >= MAX_ATTEMPTS else note.status
        _mark(note, attempts=attempts, status=status, last_error=last_error)
    else:
        _mark(
            note,
            attempts=attempts,
            status=Notification.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
        )


def _mark(note: Notification, **fields) -> None:
    """Record what became of a message and let go of it, committed on its own: one UPDATE by
    primary key, its SQL written once (building it through update() took twice as long as
    running it, once a message)."""
    fields["claimed_until"] = None
    meta = Notification._meta
    values = []
    for name, value in fields.items():
        setattr(note, name, value)
        values.append(meta.get_field(name).get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(_update_by_pk(connection.vendor, tuple(fields)), [*values, note.pk])


@functools.cache
def _update_by_pk(vendor: str, names: tuple[str, ...]) -> str:
    meta, quote = Notification._meta, connection.ops.quote_name
    columns = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
    # Names from the model, values as parameters.
    return f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"  # nosec B608


def _close(mail) -> None:
    try:
        mail.close()
    except Exception:  # noqa: BLE001 - a connection that has failed may fail to close too
        log.debug("Could not close the mail connection", exc_info=True)


@contextmanager
def _marks_not_waiting_for_the_disk():
    """On PostgreSQL, each mark commits without waiting for its write to reach the disk: a
    killed worker loses none (the server has them), and a message costs a fraction of a
    millisecond rather than a disk flush. Only a crash of the database server itself can lose
    the last moment's marks, and those few messages go again once their claim lapses."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # a broken connection is not reused, so there is nothing to reset
            log.debug("Could not reset synchronous_commit", exc_info=True)


def _letters_no_longer_wanted(notes: list[Notification]) -> set[int]:
    """The letters among these not to send: a letter goes to the complainant only if they still
    agree to e-mail at the address it was queued for (a correction or a withdrawal may have come
    since). Read for the whole batch as it is claimed."""
    letters = [n for n in notes if n.attachment_id is not None and n.case_id is not None]
    if not letters:
        return set()
    complainants = {
        case_id: (email, agrees)
        for case_id, email, agrees in Case.objects.filter(
            pk__in={n.case_id for n in letters}
        ).values_list("pk", "complainant__email", "complainant__letters_by_email")
    }
    unwanted = set()
    for note in letters:
        email, agrees = complainants.get(note.case_id, ("", False))
        if not (agrees and note.to == [email]):
            unwanted.add(note.pk)
    return unwanted


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
    if note.calendar:
        for message in messages:
            message.attach(_calendar_part(note.calendar))
    return messages


def _calendar_part(text: str) -> MIMEText:
    """A panel invitation's calendar entry, as mail clients offer to add it: text/calendar
    with the iCalendar METHOD (REQUEST or CANCEL) as a parameter, named invite.ics."""
    part = MIMEText(text, "calendar", "utf-8")
    # Read from the parsed calendar: typed text (the place) is escaped inside it.
    part.set_param("method", str(icalendar.Calendar.from_ical(text)["METHOD"]))
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


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


# --- the pool's checks ----------------------------------------------------------------------


def _pool_check_chases(rule, today, addresses, templates) -> list[Notification]:
    """A pool member's check (DBS, training, contract) about to expire, once per check and
    rule: the latest of its kind for a member still in the pool, `offset_working_days` before
    it expires (a negative offset) up to its expiry. The message names the member and the
    kind of check, nothing more; the link leads to the member's page."""
    renewed = PoolCheck.objects.filter(
        member=OuterRef("member"), kind=OuterRef("kind"), expires_on__gt=OuterRef("expires_on")
    )
    # Nothing can come due before this: a cheap bound that keeps far-off expiries out.
    horizon = today + dt.timedelta(days=max(0, -rule.offset_working_days) * 2 + 7)
    checks = (
        PoolCheck.objects.filter(expires_on__gte=today, expires_on__lte=horizon)
        .filter(Q(member__left_on__isnull=True) | Q(member__left_on__gt=today))
        .exclude(Exists(renewed))
        .select_related("member__user")
        .order_by("expires_on", "pk")
    )
    checks = list(checks)
    keys = {check.pk: f"poolcheck:{check.pk}:rule:{rule.code}" for check in checks}
    sent = set(Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    checks = [check for check in checks if keys[check.pk] not in sent]
    if not checks:
        return []
    since = _working_days_since([{"anchor_on": c.expires_on} for c in checks], today)
    out = []
    site = settings.SITE_URL.rstrip("/")
    for check, days in zip(checks, since, strict=True):
        if days < rule.offset_working_days or days > 0:
            continue
        context = {
            "member": str(check.member),
            "check": check.get_kind_display(),
            "due_on": check.expires_on,
            "days": abs(int(days)),
            "link": f"{site}/pool/{check.member_id}/",
        }
        note = _notification(rule, keys[check.pk], {}, addresses, templates, context)
        if note:
            out.append(note)
    return out


_PLANNERS[ChaseRule.Trigger.POOL_CHECK] = _pool_check_chases
