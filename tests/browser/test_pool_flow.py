"""Stage 2 and 3 people and money in Chromium, every page checked by axe-core: the officer
appoints a Stage 2 investigating officer and independent person from the pool (a conflicted
one refused first), records their time, convenes a Stage 3 panel whose invitations carry a
calendar entry, makes the panel's papers, and the complaints manager finds the cost on the
dashboard and in the annual report's costs table."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from icalendar import Calendar
from pypdf import PdfReader

from complaints.models import Case, Level, Notification, Part
from complaints.periods import financial_year_start
from reporting import services
from tests.factories import PoolMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page, name, day):
    page.fill(f"#id_{name}_0", str(day.day))
    page.fill(f"#id_{name}_1", str(day.month))
    page.fill(f"#id_{name}_2", str(day.year))


def _invite(message):
    """(subject, the calendar part) of an e-mail carrying an invite.ics, else None."""
    for part in message.attachments:
        if not isinstance(part, tuple) and part.get_filename() == "invite.ics":
            return message.subject, part
    return None


def test_stage_2_and_3_people_from_the_pool_and_what_they_cost(
    sign_in, officer, complaints_manager, build, investigator, independent_person
):
    case = build.case(Case.State.IN_PROGRESS, level=Level.INVESTIGATION, prepare=False)
    case.complainant.email, case.complainant.letters_by_email = "parent@example.org", True
    case.complainant.save()
    conflicted = PoolMemberFactory(
        user=UserFactory(first_name="Connie", last_name="Conflicted"),
        parts=["investigates"],
        conflicts=[case.service_area],
    )

    # Stage 2: the conflicted investigator is listed with why they were not proposed, and
    # refused if chosen; the proposed ones are appointed.
    olivia = sign_in(officer)
    page = olivia.page
    olivia.goto(f"/cases/{case.reference}/")
    olivia.follow("Appoint investigators")
    assert "Not proposed: conflict of interest with this case's service area" in olivia.text()
    page.get_by_role("radio", name=str(conflicted), exact=True).check()
    page.get_by_role("radio", name=independent_person.get_full_name(), exact=True).check()
    olivia.press("Appoint")
    assert "There is a problem" in olivia.text()
    assert "has a conflict of interest" in olivia.text()
    assert not case.current_stage.appointments.exists()
    page.get_by_role("radio", name=investigator.get_full_name(), exact=True).check()
    olivia.press("Appoint")
    stage2 = case.current_stage
    assert {(a.part, a.member.user) for a in stage2.appointments.all()} == {
        (Part.INVESTIGATING_OFFICER, investigator),
        (Part.INDEPENDENT_PERSON, independent_person),
    }

    # The investigator's time: 3 days at the rate agreed on appointment, and expenses.
    appointment = stage2.appointments.get(part=Part.INVESTIGATING_OFFICER)
    olivia.goto(f"/cases/{case.reference}/")
    olivia.follow(f"Record time and expenses for {appointment.member}")
    page.fill("#id_quantity", "3")
    page.fill("#id_expenses", "25.50")
    olivia.press("Record time and expenses")
    cost = appointment.rate * 3 + Decimal("25.50")
    assert f"£{cost:,.2f}" in olivia.text()

    # Stage 2 answered and escalated (as the case-work flow does it in full); Stage 3's panel.
    build.respond(case)
    case = build.escalate(case)
    chair = PoolMemberFactory(parts=["chairs_panels"])
    members = PoolMemberFactory.create_batch(2, parts=["sits_on_panels"])
    olivia.goto(f"/cases/{case.reference}/")
    olivia.follow("Schedule review panel")
    meeting_day = date.today()
    _fill_date(page, "panel_date", meeting_day)
    page.fill("#id_starts", "10:00")
    page.fill("#id_ends", "13:00")
    page.fill("#id_place", "Committee Room 1, County Hall")
    page.select_option("#id_chair", value=str(chair.pk))
    page.select_option("#id_member_1", value=str(members[0].pk))
    page.select_option("#id_member_2", value=str(members[0].pk))
    olivia.press("Schedule panel")
    assert "There is a problem" in olivia.text()  # the same person twice
    page.select_option("#id_member_2", value=str(members[1].pk))
    olivia.press("Schedule panel")
    assert "Review panel scheduled; the invitations are on their way." in olivia.text()

    # The invitations went through the outbox (delivered at once: Celery runs eagerly in the
    # tests), each with its calendar entry.
    invitations = Notification.objects.filter(case=case).exclude(calendar="")
    assert invitations.count() == 4  # the chair, two members and the complainant
    assert all(n.status == Notification.Status.SENT for n in invitations)
    sent = {
        message.to[0]: _invite(message) for message in mail.outbox if _invite(message) is not None
    }
    assert set(sent) == {chair.user.email, *(m.user.email for m in members), "parent@example.org"}
    for subject, part in sent.values():
        assert case.reference in subject
        assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        event = next(iter(calendar.walk("VEVENT")))
        assert str(calendar["METHOD"]) == "REQUEST"
        assert event.decoded("DTSTART").date() == meeting_day
        assert str(event["LOCATION"]) == "Committee Room 1, County Hall"
        assert case.complainant.name not in str(event["SUMMARY"])

    # The panel's papers: one PDF with bookmarks, for the panel and the complaints team.
    olivia.goto(f"/cases/{case.reference}/")
    olivia.follow("Make the panel's papers")
    olivia.press("Make the panel's papers")
    link = page.get_by_role("link", name=re.compile(r"^Review panel papers"))
    response = page.request.get(olivia.base_url + link.first.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    outline = [item.title for item in PdfReader(io.BytesIO(response.body())).outline]
    assert outline[:2] == ["Contents", "The complaint"]
    investigator_view = sign_in(investigator)
    response = investigator_view.page.request.get(
        olivia.base_url + link.first.get_attribute("href")
    )
    assert response.status == 404

    # The cost on the dashboard and in the annual report's costs table.
    year = financial_year_start(date.today())
    year_label = f"{year.year}/{(year.year + 1) % 100:02d}"
    morgan = sign_in(complaints_manager)
    morgan.follow("Dashboard")
    morgan.page.select_option("#id_kind", label="Financial year")
    morgan.page.select_option("#id_year", label=year_label)
    morgan.press("Show figures")
    assert "Costs of independent investigations and review panels" in morgan.text()
    assert f"{cost:,.2f}" in morgan.text()
    # The year is still running, so its draft is opened here rather than from the list of
    # years, which offers only those complete.
    edition = services.edition_start(year=year.year, by=complaints_manager)
    morgan.goto(f"/reports/{edition.pk}/")
    morgan.follow("Preview the report")
    report = " ".join(morgan.text().split())
    assert "Costs of independent investigations and review panels" in report
    assert f"{cost:,.2f}" in report
