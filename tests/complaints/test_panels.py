"""Stage 3 review panels: convened from the pool, their meeting's invitations (with an .ics),
rearrangements and cancellations, and the panel's papers."""

import datetime as dt
from io import BytesIO

import icalendar
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from complaints import chasing, documents, panel_papers, panels, pdf, workflow
from complaints.errors import DomainError
from complaints.models import (
    Appointment,
    Document,
    Level,
    Notification,
    PanelMeeting,
    PanelMember,
    Part,
    PoolMember,
)
from tests.factories import CaseBuilder, UserFactory
from tests.support.forms import token

pytestmark = pytest.mark.django_db

MEETING = panels.Meeting(starts=dt.time(10), ends=dt.time(13), place="Room 4, Town Hall")


@pytest.fixture
def stage3(build):
    """A Stage 3 case whose complainant agreed to e-mail, with no panel yet."""
    case = build.case(level=Level.REVIEW_PANEL, prepare=False)
    case.complainant.letters_by_email = True
    case.complainant.save()
    return case


def _schedule(case, officer, seats=None, *, day=None, meeting=MEETING, **more):
    return workflow.schedule_panel(
        case,
        by=officer,
        panel_date=day or timezone.localdate() + dt.timedelta(days=7),
        members=seats or CaseBuilder.panel_seats(),
        meeting=meeting,
        **more,
    )


def _invitations():
    return Notification.objects.filter(key__startswith="panel-meeting:")


def _parsed(note: Notification) -> icalendar.Event:
    cal = icalendar.Calendar.from_ical(note.calendar)
    return cal, cal.walk("VEVENT")[0]


# --- the panel from the pool ----------------------------------------------------------------


def test_each_seat_is_a_pool_member_with_an_appointment(stage3, officer):
    seats = CaseBuilder.panel_seats()
    _schedule(stage3, officer, seats)
    panel = {s.role + str(s.user_id): s for s in stage3.current_stage.panel_members.all()}
    assert len(panel) == 3
    for seat in seats:
        held = panel[seat.role + str(seat.member.user_id)]
        assert held.appointment.member == seat.member
        want = Part.PANEL_CHAIR if seat.role == PanelMember.Role.CHAIR else Part.PANEL_MEMBER
        assert held.appointment.part == want


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda seats: seats[:2], "members", "three independent members"),
        (
            lambda seats: [
                workflow.PanelSeat.from_pool(s.member, PanelMember.Role.MEMBER, field=s.field)
                for s in seats
            ],
            "chair",
            "independent chair",
        ),
        (lambda seats: [seats[0], seats[1], seats[1]], "member_1", "chosen twice"),
        (
            lambda seats: [*seats[:2], workflow.PanelSeat("Sue Typed", field="member_2")],
            "members",
            "from the pool",
        ),
    ],
    ids=["two", "no-chair", "twice", "typed-name"],
)
def test_a_panel_that_is_not_three_from_the_pool_with_a_chair_is_refused(
    stage3, officer, change, field, message
):
    with pytest.raises(DomainError, match=message) as error:
        _schedule(stage3, officer, change(CaseBuilder.panel_seats()))
    assert error.value.field == field
    _nothing_saved(stage3)


def _nothing_saved(case):
    stage = case.current_stage
    stage.refresh_from_db()
    assert stage.panel_scheduled_for is None
    assert not stage.panel_members.exists()
    assert not Appointment.objects.filter(stage=stage).exists()
    assert not PanelMeeting.objects.exists()
    assert not _invitations().exists()


def test_a_conflicted_member_is_refused_and_nothing_saved(stage3, officer):
    seats = CaseBuilder.panel_seats()
    seats[1].member.conflicts.set([stage3.service_area])
    with pytest.raises(DomainError, match="conflict of interest") as error:
        _schedule(stage3, officer, seats)
    assert error.value.field == "member_1"
    _nothing_saved(stage3)


def test_a_member_without_the_part_is_refused(stage3, officer):
    seats = CaseBuilder.panel_seats()
    PoolMember.objects.filter(pk=seats[0].member.pk).update(chairs_panels=False)
    seats[0].member.refresh_from_db()
    with pytest.raises(DomainError, match="not in the pool as review panel chair") as error:
        _schedule(stage3, officer, seats)
    assert error.value.field == "chair"


@pytest.mark.parametrize("part", ["investigating_officer", "independent_person"])
def test_the_stage_2_investigator_and_independent_person_cannot_sit(stage3, officer, part):
    stage2 = stage3.stages.get(level=Level.INVESTIGATION)
    user = getattr(stage2, part)
    seats = CaseBuilder.panel_seats()
    barred = user.pool_member  # in the pool as their Stage 2 part; now a panel member too
    barred.sits_on_panels = True
    barred.save()
    seats[2] = workflow.PanelSeat.from_pool(barred, field="member_2")
    with pytest.raises(DomainError, match="Stage 2 .* cannot sit on the panel") as error:
        _schedule(stage3, officer, seats)
    assert error.value.field == "member_2"
    _nothing_saved(stage3)


def test_a_panel_date_before_the_request_is_refused(stage3, officer):
    before = stage3.current_stage.requested_on - dt.timedelta(days=1)
    with pytest.raises(DomainError, match="on or after the date Stage 3 was requested") as error:
        _schedule(stage3, officer, day=before)
    assert error.value.field == "panel_date"
    _nothing_saved(stage3)


def test_history_replays_a_panel_of_names(stage3, officer):
    names = [workflow.PanelSeat("Pat Chair", "chair"), workflow.PanelSeat("Ray Member")]
    names.append(workflow.PanelSeat("Sue Member"))
    day = stage3.current_stage.requested_on
    with workflow.as_of(day):
        workflow.schedule_panel(stage3, by=officer, panel_date=day, members=names)
    seats = stage3.current_stage.panel_members.all()
    assert sorted(s.name for s in seats) == ["Pat Chair", "Ray Member", "Sue Member"]
    assert all(s.appointment is None for s in seats)


# --- the meeting and its invitations --------------------------------------------------------


def test_the_invitations_go_to_the_panel_and_the_complainant_after_commit(
    stage3, officer, django_capture_on_commit_callbacks
):
    seats = CaseBuilder.panel_seats()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _schedule(stage3, officer, seats)
    assert callbacks
    notes = _invitations()
    addresses = sorted(n.to[0] for n in notes)
    assert addresses == sorted([*(s.member.user.email for s in seats), stage3.complainant.email])
    meeting = PanelMeeting.objects.get(stage=stage3.current_stage)
    for note in notes:
        assert note.status == Notification.Status.SENT  # delivered once committed
        assert note.subject == f"Review panel invitation, complaint {stage3.reference}"
        # The reference, date, time and place; no one's name.
        assert stage3.reference in note.body and "10:00 to 13:00" in note.body
        assert "Room 4, Town Hall" in note.body
        assert stage3.complainant.name not in note.body
        assert all(s.member.user.last_name not in note.body for s in seats)
        cal, event = _parsed(note)
        assert cal["METHOD"] == "REQUEST"
        assert event["UID"] == meeting.uid
        assert event["SEQUENCE"] == 0
        assert event["SUMMARY"] == f"Review panel, complaint {stage3.reference}"
        assert event["LOCATION"] == "Room 4, Town Hall"
        start = event.decoded("DTSTART")
        assert (start.hour, str(start.tzinfo)) == (10, "Europe/London")
        assert event.decoded("DTEND").hour == 13
        assert str(event["ATTENDEE"]) == f"mailto:{note.to[0]}"
    assert len([m for m in mail.outbox if m.subject.startswith("Review panel")]) == 4


def test_delivery_attaches_the_calendar_entry(stage3, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(stage3, officer)
    sent = next(m for m in mail.outbox if m.subject.startswith("Review panel invitation"))
    message = sent.message()
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "invite.ics"
    assert b"BEGIN:VCALENDAR" in parts[0].get_payload(decode=True)


def test_a_place_that_reads_like_a_cancellation_is_still_an_invitation(
    stage3, officer, django_capture_on_commit_callbacks
):
    meeting = panels.Meeting(starts=dt.time(10), ends=dt.time(13), place="Room 2 METHOD:CANCEL")
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(stage3, officer, meeting=meeting)
    sent = next(m for m in mail.outbox if m.subject.startswith("Review panel invitation"))
    part = next(p for p in sent.message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"


def test_the_timeline_does_not_show_the_panel_members_addresses(client, stage3, officer):
    _schedule(stage3, officer)
    client.force_login(officer)
    page = client.get(f"/cases/{stage3.reference}/timeline/").content.decode()
    assert "To a member of the panel, with the calendar entry" in page
    for seat in stage3.current_stage.panel_members.select_related("user"):
        assert seat.user.email not in page


def test_a_complainant_who_did_not_agree_to_email_is_not_sent_one(stage3, officer):
    stage3.complainant.letters_by_email = False
    stage3.complainant.save()
    _schedule(stage3, officer)
    assert _invitations().count() == 3
    assert stage3.complainant.email not in [n.to[0] for n in _invitations()]


def test_scheduling_again_rearranges_with_the_next_sequence(stage3, officer):
    seats = CaseBuilder.panel_seats()
    _schedule(stage3, officer, seats)
    first = PanelMeeting.objects.get()
    replaced = seats[2].member.user
    seats[2] = CaseBuilder.panel_seats()[2]
    later = panels.Meeting(starts=dt.time(14), ends=dt.time(16, 30), place="Online")
    _schedule(stage3, officer, seats, meeting=later)

    first.refresh_from_db()
    assert first.cancelled_at is not None
    live = panels.live_meeting(stage3.current_stage)
    assert (live.uid, live.sequence) == (first.uid, 1)
    updates = Notification.objects.filter(key__contains=f"{live.pk}:update")
    assert updates.count() == 4
    for note in updates:
        cal, event = _parsed(note)
        assert (cal["METHOD"], event["SEQUENCE"], event["UID"]) == ("REQUEST", 1, first.uid)
        assert event.decoded("DTSTART").hour == 14 and event["LOCATION"] == "Online"
    # The member taken off the panel has it taken out of their calendar, and is stood down.
    gone = Notification.objects.get(key__contains=":cancellation:", to=[replaced.email])
    assert _parsed(gone)[0]["METHOD"] == "CANCEL"
    assert Appointment.objects.get(member__user=replaced).ended_on == timezone.localdate()
    # The two who stayed keep their appointments.
    assert Appointment.objects.filter(stage=stage3.current_stage).count() == 4


def test_cancelling_needs_a_reason_then_tells_everyone(stage3, officer):
    _schedule(stage3, officer)
    with pytest.raises(DomainError, match="why the panel meeting is cancelled"):
        panels.cancel(stage3, by=officer, reason="  ")
    assert panels.live_meeting(stage3.current_stage) is not None

    meeting = panels.cancel(stage3, by=officer, reason="The chair is unwell.")
    assert meeting.cancel_reason == "The chair is unwell."
    stage3.current_stage.refresh_from_db()
    assert stage3.current_stage.panel_scheduled_for is None
    assert stage3.events.filter(move=panels.CANCELLED, reason="The chair is unwell.").exists()
    cancellations = Notification.objects.filter(key__contains=":cancellation:")
    assert cancellations.count() == 4
    for note in cancellations:
        assert "unwell" not in note.body  # the reason stays on the case
        cal, event = _parsed(note)
        assert (cal["METHOD"], event["STATUS"], event["SEQUENCE"]) == ("CANCEL", "CANCELLED", 1)
        assert chasing._calendar_part(note.calendar).get_param("method") == "CANCEL"
    with pytest.raises(DomainError, match="no meeting arranged"):
        panels.cancel(stage3, by=officer, reason="Again.")


def test_the_pages_schedule_and_cancel(client, officer, stage3):
    seats = CaseBuilder.panel_seats()
    client.force_login(officer)
    url = reverse("case-action", args=[stage3.reference, "schedule-panel"])
    page = client.get(url).content.decode()
    assert "Proposed: no conflict" in page and str(seats[0].member.user.get_full_name()) in page
    day = timezone.localdate() + dt.timedelta(days=5)
    data = {
        "submission": token(),
        "panel_date_0": day.day,
        "panel_date_1": day.month,
        "panel_date_2": day.year,
        "starts": "10:00",
        "ends": "09:00",
        "place": "Room 1",
        **{s.field: s.member.pk for s in seats},
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and "must end after it starts" in refused.content.decode()
    assert not PanelMeeting.objects.exists()
    response = client.post(url, {**data, "submission": token(), "ends": "12:00"})
    assert response.status_code == 302
    assert PanelMeeting.objects.filter(place="Room 1").exists()

    cancel = reverse("case-action", args=[stage3.reference, "cancel-panel-meeting"])
    assert (
        client.post(cancel, {"submission": token(), "reason": "Room flooded."}).status_code == 302
    )
    assert not PanelMeeting.objects.filter(cancelled_at__isnull=True).exists()


# --- the papers -----------------------------------------------------------------------------


def _upload(case, kind, title, content, name):
    content_type = "application/pdf" if name.endswith(".pdf") else "text/plain"
    return documents.document_add(
        case=case,
        by=None,
        kind=kind,
        title=title,
        upload=SimpleUploadedFile(name, content, content_type=content_type),
    )


def _two_pages(text):
    return pdf.from_html(
        f"<html lang='en'><title>{text}</title><p>{text} one</p>"
        f"<p style='page-break-before: always'>{text} two</p></html>"
    )


@pytest.fixture
def papers(stage3, officer):
    _schedule(stage3, officer)
    _upload(stage3, "investigation_report", "IO report", _two_pages("Findings"), "io.pdf")
    _upload(stage3, "independent_person_report", "IP notes", b"Notes as text.", "ip.txt")
    _upload(stage3, "adjudication", "Adjudication letter", _two_pages("Adjudged"), "adj.pdf")
    _upload(stage3, "panel_submission", "My submission", _two_pages("Submitted"), "sub.pdf")
    return panel_papers.bundle_make(case=stage3, by=officer)


def test_the_papers_have_bookmarks_and_the_uploaded_pages(papers):
    assert papers.kind == Document.Kind.PANEL_PAPERS
    with papers.file.open("rb") as file:
        reader = PdfReader(BytesIO(file.read()))
    titles = []
    for item in reader.outline:
        if isinstance(item, list):
            titles.extend(f"  {child.title}" for child in item)
        else:
            titles.append(item.title)
    assert titles == [
        "Contents",
        "The complaint",
        "The Stage 2 reports",
        "  IO report",
        "The adjudication",
        "  Adjudication letter",
        "The complainant's submission",
        "  My submission",
    ]
    text = [page.extract_text() for page in reader.pages]
    assert len(reader.pages) == 2 + 6  # contents and complaint, then three two-page PDFs
    contents = text[0]
    assert "IP notes (not included" in contents
    found = {
        t: next(i for i, p in enumerate(text) if t in p) for t in ("Findings one", "Adjudged two")
    }
    assert found == {"Findings one": 2, "Adjudged two": 5}
    # Each bookmark opens its part's first page.
    starts = {
        item.title: reader.get_destination_page_number(item)
        for item in reader.outline
        if not isinstance(item, list)
    }
    assert starts["The Stage 2 reports"] == 2 and starts["The complainant's submission"] == 6


def test_typed_text_is_escaped_in_the_papers(stage3, officer):
    stage3.summary = "<script>alert('x')</script> & <b>bold</b>"
    stage3.save()
    html = panel_papers.cover_html(stage3, [], on=timezone.localdate())
    assert "<script>" not in html and "&lt;script&gt;" in html
    document = panel_papers.bundle_make(case=stage3, by=officer)
    with document.file.open("rb") as file:
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(file.read())).pages)
    assert "<script>alert('x')</script> & <b>bold</b>" in text


def test_only_the_team_and_the_panel_may_open_the_papers(
    client, papers, stage3, officer, investigator, independent_person, senior_manager, team
):
    url = reverse("document-download", args=[stage3.reference, papers.pk])
    seat = stage3.current_stage.panel_members.first()
    for user, status in [
        (officer, 200),
        (seat.user, 200),
        (investigator, 404),
        (independent_person, 404),
        (senior_manager, 404),
        (team.manager, 404),
        (UserFactory(), 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
        case_page = client.get(reverse("case-detail", args=[stage3.reference]))
        if case_page.status_code == 200:  # listed only for those it opens for
            assert (url in case_page.content.decode()) == (status == 200), user
        api = reverse("api-case-document-file", args=[stage3.reference, papers.pk])
        assert client.get(api).status_code == status, user
        timeline = client.get(reverse("case-timeline", args=[stage3.reference]))
        answer = client.get(reverse("api-case", args=[stage3.reference]))
        if answer.status_code == 200:  # the timeline and the API list it likewise
            assert (papers.title in timeline.content.decode()) == (status == 200), user
            listed = {d["id"] for d in answer.json()["documents"]}
            assert (papers.pk in listed) == (status == 200), user
    # Another document on the same case still opens for those who see the case.
    other = _upload(stage3, "evidence", "Notes", b"Notes.", "n.txt")
    client.force_login(investigator)
    assert (
        client.get(reverse("document-download", args=[stage3.reference, other.pk])).status_code
        == 200
    )


def test_the_papers_action_makes_them(client, officer, stage3):
    _schedule(stage3, officer)
    client.force_login(officer)
    url = reverse("case-action", args=[stage3.reference, "panel-papers"])
    assert client.post(url, {"submission": token()}).status_code == 302
    assert stage3.documents.filter(kind=Document.Kind.PANEL_PAPERS).count() == 1
