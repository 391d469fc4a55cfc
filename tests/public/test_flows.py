"""Each public form, filled in page by page, lands where the complaints team works: a case
received and awaiting screening (channel E-form) or a compliment, with everything it asked."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from complaints import chasing
from complaints.models import AdvocacyProvider, Case, Complainant, Event, Notification
from compliments.models import Compliment
from public import services
from tests.public.conftest import fill, step_url

pytestmark = pytest.mark.django_db


def _only_case() -> Case:
    (case,) = Case.objects.all()
    return case


def test_an_adults_complaint_lands_as_a_case_awaiting_screening(
    client, complaint_pages, team, officer
):
    response = fill(client, "complaint", complaint_pages)
    assert response.status_code == 302
    assert response["Location"] == reverse("public-complaint-done")
    case = _only_case()
    assert case.state == Case.State.RECEIVED
    assert case.kind == Case.Kind.COMPLAINT
    assert case.channel.code == "e_form"
    assert case.received_on == timezone.localdate()
    assert case.logged_by.username == services.SYSTEM_USERNAME
    assert case.events.get().move == "receive"
    assert case.summary.startswith("Nobody told us the placement was changing.")
    assert f"Team named on the e-form: {team.name}" in case.summary
    assert case.service_area == team.service
    assert case.outcome_sought_detail == "An apology and a meeting with the manager."
    assert case.reasonable_adjustments == "Please call after 3pm; I use a screen reader."
    assert case.contact_by == Case.ContactBy.EMAIL
    assert case.on_behalf_of_child
    (child,) = case.children.all()
    assert (child.name, child.date_of_birth) == ("Ruby Example", dt.date(2015, 3, 27))
    person = case.complainant
    assert (person.name, person.email, person.phone) == (
        "Sam Parent",
        "sam.parent@example.com",
        "07700 900123",
    )
    assert (person.address, person.postcode) == ("1 Example Street\nDemotown", "DT1 2AB")
    assert person.relationship.code == "parent"
    assert person.letters_by_email

    # The team sees it in their list, and its answers on the case page.
    client.force_login(officer)
    assert case.reference in client.get(reverse("case-list")).content.decode()
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert "Please call after 3pm; I use a screen reader." in page
    assert "Received, not yet screened" in page


def test_the_confirmation_gives_the_reference_and_the_response_date(client, complaint_pages):
    fill(client, "complaint", complaint_pages)
    case = _only_case()
    dates = services.complaint_due_dates(case.received_on)
    assert dates.respond_by > dates.acknowledge_by > case.received_on
    page = client.get(reverse("public-complaint-done")).content.decode()
    assert case.reference in page
    assert f"{dates.respond_by:%A %-d %B %Y}" in page
    assert f"{dates.acknowledge_by:%A %-d %B %Y}" in page
    # The answers are gone from the session: nothing is left to show or send again.
    assert "public:complaint" not in client.session
    again = client.post(reverse("public-complaint-check"))
    assert again.status_code == 302 and Case.objects.count() == 1


def test_the_dates_are_the_statutory_stage_1_timescales_in_working_days():
    # Friday 27 June 2025: acknowledged within 2 working days, answered within 10 of receipt.
    dates = services.complaint_due_dates(dt.date(2025, 6, 27))
    assert dates.acknowledge_by == dt.date(2025, 7, 1)
    assert dates.respond_by == dt.date(2025, 7, 11)


def test_the_acknowledgement_goes_by_email_after_the_commit_and_names_nobody(
    client, complaint_pages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fill(client, "complaint", complaint_pages)
    assert callbacks, "sent only once the case is committed"
    case = _only_case()
    note = Notification.objects.get(case=case)
    assert note.key == f"public-acknowledgement:{case.pk}"
    (message,) = mail.outbox
    assert message.to == ["sam.parent@example.com"]
    assert case.reference in message.subject and case.reference in message.body
    for typed in ("Sam Parent", "Ruby Example", "placement", "apology", "screen reader"):
        assert typed not in message.body and typed not in message.subject


def test_no_email_is_queued_without_an_address(client, complaint_pages):
    complaint_pages["contact"]["email"] = ""
    complaint_pages["contact-by"] = {"contact_by": "phone"}
    fill(client, "complaint", complaint_pages)
    case = _only_case()
    assert not Notification.objects.exists()
    assert not case.complainant.letters_by_email


def test_a_young_persons_complaint_records_the_advocate_they_accepted(client, young_person_pages):
    fill(client, "young-person", young_person_pages)
    case = _only_case()
    today = timezone.localdate()
    assert case.complainant.relationship.code == "young_person"
    assert case.complainant.relationship.is_child
    (child,) = case.children.all()
    assert (child.name, child.date_of_birth) == ("Alex Young", dt.date(2010, 5, 1))
    assert case.advocacy_offered_on == today
    assert case.advocacy_accepted is True
    # The demo council has several providers: the team chooses, and the chase reminds them.
    assert AdvocacyProvider.objects.filter(active=True).count() > 1
    assert case.advocacy_referred_on is None and case.advocacy_provider is None


@override_settings(PUBLIC_ADVOCACY_PROVIDER="nyas")
def test_with_a_default_provider_the_referral_is_made_at_once(client, young_person_pages):
    fill(client, "young-person", young_person_pages)
    case = _only_case()
    assert case.advocacy_referred_on == timezone.localdate()
    assert case.advocacy_provider.code == "nyas"


def test_a_young_person_who_declines_has_no_advocacy_recorded(client, young_person_pages):
    young_person_pages["advocate"] = {"advocate": "no"}
    fill(client, "young-person", young_person_pages)
    case = _only_case()
    assert case.advocacy_offered_on is None and case.advocacy_accepted is None


def test_a_call_back_is_due_within_two_working_days(client, call_back_pages, officer):
    with freeze_time(dt.datetime(2025, 6, 27, 11)):  # a Friday
        fill(client, "call-back", call_back_pages)
        page = client.get(reverse("public-call-back-done")).content.decode()
    case = _only_case()
    assert case.kind == Case.Kind.CALL_BACK
    assert case.state == Case.State.RECEIVED and case.channel.code == "e_form"
    assert case.callback_due_on == dt.date(2025, 7, 1)  # Tuesday
    assert case.next_due_on == dt.date(2025, 7, 1)
    assert "Weekday mornings" in case.summary and "review meeting" in case.summary
    assert case.complainant.phone == "01234 000000"
    assert "Tuesday 1 July 2025" in page and case.reference in page
    client.force_login(officer)
    assert case.reference in client.get(reverse("case-list")).content.decode()


def test_a_compliment_is_saved_with_the_consent_to_quote(client, compliment_pages, team, officer):
    fill(client, "compliment", compliment_pages)
    (compliment,) = Compliment.objects.all()
    assert compliment.team == team and compliment.service_area == team.service
    assert compliment.channel.code == "e_form"
    assert compliment.summary == "Jo went out of her way to help us."
    assert compliment.full_text == "Jo went out of her way to help us.\nThank you all."
    assert compliment.consent_to_publish and compliment.extract == ""
    assert compliment.from_name == "Chris Thankful"
    assert compliment.recorded_by.username == services.SYSTEM_USERNAME
    assert "Compliment sent" in client.get(reverse("public-compliment-done")).content.decode()
    client.force_login(officer)
    listed = client.get(reverse("compliment-list")).content.decode()
    assert "Jo went out of her way to help us." in listed and "Chris Thankful" in listed


def test_the_child_page_is_asked_only_for_a_complaint_on_a_childs_behalf(client, complaint_pages):
    complaint_pages["for-whom"] = {"for_whom": "myself"}
    del complaint_pages["child"]
    fill(client, "complaint", complaint_pages)
    case = _only_case()
    assert not case.on_behalf_of_child and not case.children.exists()


def test_a_page_cannot_be_skipped(client):
    response = client.get(step_url("complaint", "contact"))
    assert response["Location"] == step_url("complaint", "who")
    assert client.get(reverse("public-complaint-check"))["Location"] == step_url(
        "complaint", "who"
    )


def test_change_from_the_check_page_returns_to_it(client, complaint_pages):
    for step, data in complaint_pages.items():
        client.post(step_url("complaint", step), data)
    response = client.post(
        step_url("complaint", "outcome") + "?change=1", {"outcome": "Just an apology."}
    )
    assert response["Location"] == reverse("public-complaint-check")
    page = client.get(reverse("public-complaint-check")).content.decode()
    assert "Just an apology." in page and "Check your answers" in page


def test_the_system_user_can_never_sign_in(client, complaint_pages):
    fill(client, "complaint", complaint_pages)
    user = get_user_model().objects.get(username=services.SYSTEM_USERNAME)
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists() and not user.is_staff and not user.is_superuser
    response = client.post(
        reverse("login"), {"username": services.SYSTEM_USERNAME, "password": "anything"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert Event.objects.filter(actor=user).count() == 1


def test_an_email_address_is_never_confirmed_as_known(client, complaint_pages):
    known = Complainant.objects.create(
        name="Known Person",
        email="known@example.com",
        relationship_id=1,
    )
    pages = {}
    for email in ("known@example.com", "new@example.com"):
        complaint_pages["contact"]["email"] = email
        response = fill(client, "complaint", complaint_pages)
        page = client.get(reverse("public-complaint-done")).content.decode()
        reference = Case.objects.first().reference
        page = re.sub(r'nonce="[^"]+"', "", page.replace(reference, "REF"))
        pages[email] = (response.status_code, response["Location"], page)
    assert pages["known@example.com"] == pages["new@example.com"]
    # Nobody was matched to the person on record: the team decides that.
    assert not known.cases.exists()
    assert Complainant.objects.filter(email="known@example.com").count() == 2


def test_the_confirmation_is_only_for_the_person_who_sent_it(client, complaint_pages):
    fill(client, "complaint", complaint_pages)
    from django.test import Client

    other = Client()
    assert other.get(reverse("public-complaint-done"))["Location"] == reverse(
        "public-complaint-start"
    )


def test_an_accepted_advocate_not_yet_referred_is_chased(
    client, young_person_pages, complaints_manager
):
    with freeze_time(dt.datetime(2025, 6, 30, 10)):  # a Monday
        fill(client, "young-person", young_person_pages)
    case = _only_case()
    chased = [n for n in chasing.plan(dt.date(2025, 7, 2)) if n.case_id == case.pk]
    assert [n.rule.code for n in chased] == ["advocacy-referral"]
    assert chased[0].to == [complaints_manager.email]


def test_a_call_back_waits_first_in_every_officers_work(client, call_back_pages, officer):
    """Nobody is named to call back yet, so the chase (to whoever is) has no one to write to:
    the request heads the officers' "Not yet screened", nearest due date first."""
    with freeze_time(dt.datetime(2025, 6, 30, 10)):
        fill(client, "call-back", call_back_pages)
        case = _only_case()
        client.force_login(officer)
        page = client.get(reverse("home")).content.decode()
    section = page[page.index("Not yet screened") :]
    assert case.reference in section[: section.index("</table>")]
