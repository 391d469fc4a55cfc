"""A review panel's meeting and its invitations.

The panel's date and people are set by the schedule move (complaints.workflow.schedule_panel),
which calls `arrange` here when it is given the meeting's times and place. A stage has one live
PanelMeeting at a time:
- arranging with none live makes one (a new calendar UID, SEQUENCE 0) and invites;
- arranging again (the schedule move run again) rearranges: the live meeting is cancelled and
  the next made with the same UID and SEQUENCE + 1, so calendars update the entry they hold;
  anyone taken off the panel gets a cancellation;
- `cancel` (a reason required) cancels the live meeting and clears the panel's date.

Each invitation, update or cancellation is a Notification per panel member (their account's
e-mail) and to the complainant if they agreed to e-mail, written in the caller's transaction
and sent after the commit by complaints.chasing's delivery, with its calendar entry (an .ics,
METHOD:REQUEST or METHOD:CANCEL) attached. The e-mail says only the reference, the date, time
and place: no names, and not the reason for a cancellation.

The dates: a panel meets on or after the day Stage 3 was requested, and within 30 working
days of it unless a reason for a later date is recorded (reg 19(2)), `check_date`.
"""

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import chasing
from complaints.errors import DomainError
from complaints.models import Case, Level, Notification, PanelMeeting, Stage, Step
from complaints.models.cases import Event

LONDON = zoneinfo.ZoneInfo("Europe/London")

# Events written here, beside the workflow's moves (the timeline labels them from the name).
CANCELLED = "panel_meeting_cancelled"


@dataclass(frozen=True)
class Meeting:
    """When and where on the panel's day: times are the council's (Europe/London)."""

    starts: dt.time
    ends: dt.time
    place: str


def check_not_before_request(stage: Stage, day: dt.date | None) -> None:
    if day is None or day < stage.requested_on:
        raise DomainError(
            "The panel date must be on or after the date Stage 3 was requested "
            f"({stage.requested_on:%-d %B %Y}).",
            field="panel_date",
        )


def check_date(stage: Stage, day: dt.date, late_reason: str) -> str:
    """A panel meets within 30 working days of the request (reg 19(2)); a later date needs a
    recorded reason. Returns the reason to keep."""
    limit = stage.deadlines.filter(step=Step.PANEL_HELD).first()
    late_reason = late_reason.strip() or stage.panel_late_reason
    if limit is not None and day > limit.effective_due_on and not late_reason:
        raise DomainError(
            f"{day:%-d %B %Y} is after {limit.effective_due_on:%-d %B %Y}, the last day within "
            "30 working days of the request for Stage 3. Record why the panel meets later.",
            field="late_reason",
        )
    return late_reason


def live_meeting(stage: Stage) -> PanelMeeting | None:
    return stage.panel_meetings.filter(cancelled_at__isnull=True).first()


def arrange(
    stage: Stage, *, day: dt.date, meeting: Meeting, by, left_the_panel: set[int] = frozenset()
) -> PanelMeeting:
    """Arrange the panel's meeting on `day`, or rearrange the live one; invite the panel and
    the complainant. Called inside the schedule move, which holds the case's lock."""
    place = (meeting.place or "").strip()
    if not place:
        raise DomainError("Enter where the panel meets, or how to join it online.", field="place")
    if meeting.starts is None or meeting.ends is None or meeting.ends <= meeting.starts:
        raise DomainError("The meeting must end after it starts.", field="ends")
    starts_at = dt.datetime.combine(day, meeting.starts, tzinfo=LONDON)
    ends_at = dt.datetime.combine(day, meeting.ends, tzinfo=LONDON)
    live = live_meeting(stage)
    if live is not None:
        live.cancelled_at, live.cancel_reason = timezone.now(), "Rearranged."
        live.save(update_fields=["cancelled_at", "cancel_reason"])
        uid, sequence, kind = live.uid, live.sequence + 1, "update"
    else:
        uid, sequence, kind = f"{uuid.uuid4()}@{_host()}", 0, "invitation"
    arranged = PanelMeeting.objects.create(
        stage=stage,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place[:250],
        uid=uid,
        sequence=sequence,
        arranged_by=by,
    )
    notes = _notes(arranged, kind)
    on_panel = set(stage.panel_members.exclude(user=None).values_list("user_id", flat=True))
    gone = get_user_model().objects.filter(pk__in=set(left_the_panel) - on_panel)
    if live is not None:
        notes += _notes(arranged, "cancellation", people=list(gone), complainant=False)
    chasing.send_after_commit(notes)
    return arranged


@transaction.atomic
def cancel(case: Case, *, by, reason: str) -> PanelMeeting:
    """Cancel the live meeting (a reason required), clear the panel's date, and tell the panel
    and the complainant."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("current_stage")
        .get(pk=case.pk)
    )
    stage = case.current_stage
    if stage is None or stage.level != Level.REVIEW_PANEL or case.state != Case.State.IN_PROGRESS:
        raise DomainError(f"{case.reference} has no review panel in progress.")
    if not (reason or "").strip():
        raise DomainError("Enter why the panel meeting is cancelled.", field="reason")
    meeting = live_meeting(stage)
    if meeting is None:
        raise DomainError("The panel has no meeting arranged to cancel.", field="reason")
    meeting.cancelled_at, meeting.cancel_reason = timezone.now(), reason.strip()
    meeting.save(update_fields=["cancelled_at", "cancel_reason"])
    stage.panel_scheduled_for = None
    stage.save(update_fields=["panel_scheduled_for"])
    Event.objects.create(
        case=case,
        stage=stage,
        move=CANCELLED,
        from_state=case.state,
        to_state=case.state,
        actor=by,
        at=timezone.now(),
        reason=meeting.cancel_reason,
        data={"meeting": meeting.pk},
    )
    chasing.send_after_commit(_notes(meeting, "cancellation"))
    return meeting


# --- the invitations ----------------------------------------------------------------------

_SUBJECTS = {
    "invitation": "Review panel invitation, complaint {reference}",
    "update": "Review panel rearranged, complaint {reference}",
    "cancellation": "Review panel cancelled, complaint {reference}",
}


def _host() -> str:
    return settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def _notes(meeting: PanelMeeting, kind: str, *, people=None, complainant: bool = True) -> list:
    """One message per person: the panel's members (or `people`), and the complainant if they
    agreed to e-mail."""
    stage = meeting.stage
    case = stage.case
    if people is None:
        people = [seat.user for seat in stage.panel_members.select_related("user") if seat.user]
    recipients = [(f"user:{p.pk}", p.email) for p in people if p.email]
    who = case.complainant
    if complainant and who is not None and who.email and who.letters_by_email:
        recipients.append(("complainant", who.email))
    context = {
        "kind": kind,
        "reference": case.reference,
        "starts_at": timezone.localtime(meeting.starts_at, LONDON),
        "ends_at": timezone.localtime(meeting.ends_at, LONDON),
        "place": meeting.place,
        "council_name": settings.COUNCIL_NAME,
        "complaints_contact": settings.COMPLAINTS_CONTACT,
    }
    body = render_to_string("complaints/panel_invitation.txt", context)
    subject = _SUBJECTS[kind].format(reference=case.reference)
    return [
        Notification(
            key=f"panel-meeting:{meeting.pk}:{kind}:{who_key}",
            case=case,
            stage=stage,
            to=[address],
            subject=subject,
            body=body,
            calendar=calendar(meeting, attendee=address, cancel=kind == "cancellation"),
        )
        for who_key, address in recipients
    ]


def calendar(meeting: PanelMeeting, *, attendee: str, cancel: bool = False) -> str:
    """The meeting as an iCalendar entry for one attendee: no names, only the reference."""
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{settings.COUNCIL_NAME}//Complaints//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence + (1 if cancel else 0))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at, LONDON))
    event.add("dtend", timezone.localtime(meeting.ends_at, LONDON))
    event.add("summary", f"Review panel, complaint {meeting.stage.case.reference}")
    event.add("location", meeting.place)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("organizer", f"mailto:{settings.COMPLAINTS_TEAM_EMAIL}")
    event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT"})
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical().decode()
