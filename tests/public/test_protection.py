"""What keeps the public forms safe to leave open: CSRF, a rate per address, the honeypot,
errors that keep what was typed, typed text shown as text, and pages that stay cheap."""

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from complaints.models import Case, Complainant, Event
from compliments.models import Compliment
from public.forms import HONEYPOT
from tests.public.conftest import LIVE, PAYLOAD, fill, step_url

pytestmark = pytest.mark.django_db


def test_every_form_needs_its_csrf_token(call_back_pages):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(step_url("call-back", "details"), call_back_pages["details"])
    assert response.status_code == 403
    assert browser.post(reverse("public-call-back-check")).status_code == 403
    assert not Case.objects.exists()


@override_settings(PUBLIC_FORM_RATE="20/m")
def test_a_hundred_submissions_a_minute_from_one_address_are_refused_after_the_limit(
    call_back_pages,
):
    browser = Client(REMOTE_ADDR="203.0.113.9")
    answers = {}
    # The clock stands still: the limit's minute starts at a moment of its own for each
    # address, so a slow machine could otherwise run past its end and be allowed again.
    with freeze_time(timezone.now()):
        for n in range(100):  # each call-back request is two posts: its page, then sending it
            details = {**call_back_pages["details"], "name": f"Caller {n}"}
            page = browser.post(step_url("call-back", "details"), details)
            sent = browser.post(reverse("public-call-back-check"))
            answers[n] = (page.status_code, sent.status_code)
        accepted = [n for n, codes in answers.items() if codes == (302, 302)]
        assert accepted == list(range(10))  # 20 posts
        assert all(codes == (429, 429) for n, codes in answers.items() if n >= 10)
        # Each one accepted was written whole; nothing refused was written at all.
        assert Case.objects.count() == Complainant.objects.count() == 10
        assert Event.objects.filter(move="receive").count() == 10
        assert sorted(Case.objects.values_list("complainant__name", flat=True)) == sorted(
            f"Caller {n}" for n in accepted
        )
        refused = browser.post(reverse("public-call-back-check"))
        assert refused.status_code == 429
        assert "too many attempts" in refused.content.decode()
        # Reading is not limited, and another address is not held up by this one.
        assert browser.get(reverse("public-call-back-start")).status_code == 200
        other = Client(REMOTE_ADDR="198.51.100.7")
        other.post(step_url("call-back", "details"), call_back_pages["details"])
        assert other.post(reverse("public-call-back-check")).status_code == 302
        assert Case.objects.count() == 11


@override_settings(PUBLIC_FORM_RATE="3/m")
def test_the_rate_is_a_setting(call_back_pages):
    browser = Client()
    codes = [
        browser.post(step_url("call-back", "details"), call_back_pages["details"]).status_code
        for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_a_filled_honeypot_is_thanked_and_thrown_away(client, complaint_pages):
    for step, data in complaint_pages.items():
        client.post(step_url("complaint", step), data)
    response = client.post(reverse("public-complaint-check"), {HONEYPOT: "http://spam.example"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not Case.objects.exists() and not mail.outbox
    assert "public:complaint" not in client.session


def test_a_honeypot_filled_on_any_page_discards_the_whole_form(client, compliment_pages):
    compliment_pages["compliment"][HONEYPOT] = "http://spam.example"
    response = fill(client, "compliment", compliment_pages)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not Compliment.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    page = client.get(step_url("complaint", "who")).content.decode()
    trap = page[page.index('<div class="govuk-visually-hidden" aria-hidden="true">') :]
    trap = trap[: trap.index("</div>")]
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert '<label for="id_leave_empty">' in trap


@pytest.mark.parametrize(
    ("flow", "step", "messages"),
    [
        ("complaint", "who", ["Select who you are"]),
        (
            "call-back",
            "details",
            ["Enter your name", "Enter a telephone number we can call you on"],
        ),
        ("compliment", "service", ["Select the service or team"]),
        ("young-person", "what-happened", ["Tell us what has happened"]),
    ],
)
def test_an_empty_page_says_what_to_answer(client, flow, step, messages):
    response = client.post(step_url(flow, step), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "<title>Error:" in page
    for message in messages:
        assert message in page
    assert 'class="govuk-error-summary"' in page


def test_an_error_keeps_what_was_typed(client, complaint_pages):
    for step in ("who", "for-whom", "child", "service", "what-happened", "outcome"):
        client.post(step_url("complaint", step), complaint_pages[step])
    page = client.post(
        step_url("complaint", "contact"), {"name": "Sam Parent", "address": "1 Example Street"}
    ).content.decode()
    assert "Enter an e-mail address or a telephone number, so we can reply to you" in page
    assert 'value="Sam Parent"' in page and "1 Example Street" in page
    page = client.post(
        step_url("complaint", "contact"), {"name": "Sam", "email": "not-an-address"}
    ).content.decode()
    assert "Enter an e-mail address like name@example.com" in page
    assert 'value="not-an-address"' in page


def test_a_way_to_contact_needs_its_details(client, complaint_pages):
    complaint_pages["contact"]["email"] = ""
    for step, data in complaint_pages.items():
        if step == "contact-by":
            break
        client.post(step_url("complaint", step), data)
    page = client.post(step_url("complaint", "contact-by"), {"contact_by": "email"})
    assert "You did not give an e-mail address" in page.content.decode()


def test_typed_text_is_shown_as_text_on_every_page_and_in_the_email(
    client, complaint_pages, officer, django_capture_on_commit_callbacks
):
    for step, data in complaint_pages.items():
        for key in data:
            if key in ("child_name", "what_happened", "outcome", "name", "address", "support"):
                data[key] = PAYLOAD
        data.update({"phone": PAYLOAD[:40]} if step == "contact" else {})
    for step, data in complaint_pages.items():
        page = client.post(step_url("complaint", step), data)
        assert page.status_code == 302
        shown = client.get(step_url("complaint", step)).content.decode()
        assert not any(live in shown for live in LIVE), step
    check = client.get(reverse("public-complaint-check")).content.decode()
    assert not any(live in check for live in LIVE)
    assert check.count("&lt;script&gt;") >= 6
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("public-complaint-check"))
    (message,) = mail.outbox
    assert "<script" not in message.body and "alert" not in message.body
    case = Case.objects.get()
    client.force_login(officer)
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert not any(live in page for live in LIVE)
    assert "&lt;script&gt;" in page


def test_typed_text_in_a_compliment_and_a_call_back_is_shown_as_text(
    client, compliment_pages, call_back_pages, officer
):
    compliment_pages["compliment"]["text"] = PAYLOAD
    compliment_pages["about-you"]["name"] = PAYLOAD
    compliment_pages["about-you"]["contact"] = PAYLOAD
    fill(client, "compliment", compliment_pages)
    call_back_pages["details"].update(name=PAYLOAD, good_time=PAYLOAD, note=PAYLOAD)
    for step, data in call_back_pages.items():
        client.post(step_url("call-back", step), data)
    check = client.get(reverse("public-call-back-check")).content.decode()
    assert not any(live in check for live in LIVE)
    client.post(reverse("public-call-back-check"))
    client.force_login(officer)
    for page in (
        client.get(reverse("compliment-list")),
        client.get(reverse("case-detail", args=[Case.objects.get().reference])),
    ):
        text = page.content.decode()
        assert not any(live in text for live in LIVE) and "&lt;script&gt;" in text


def test_the_start_and_check_pages_make_few_queries(
    client, complaint_pages, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        assert client.get(reverse("public-complaint-start")).status_code == 200
    for step, data in complaint_pages.items():
        client.post(step_url("complaint", step), data)
    # The session read and saved (3 on SQLite, with its savepoint), then one query per list
    # the answers were chosen from (who they are, service areas and teams), however many.
    with django_assert_max_num_queries(7):
        assert client.get(reverse("public-complaint-check")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(step_url("complaint", "service")).status_code == 200


@override_settings(PUBLIC_FORM_RATE="3/m")
def test_one_ipv6_household_counts_as_one_address(call_back_pages):
    codes = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n}")
        .post(step_url("call-back", "details"), call_back_pages["details"])
        .status_code
        for n in range(1, 5)
    ]
    assert codes == [302, 302, 302, 429]


def test_a_page_keeps_only_its_own_answers(client, call_back_pages):
    padded = {**call_back_pages["details"], **{f"extra{n}": "x" * 1000 for n in range(50)}}
    client.post(step_url("call-back", "details"), padded)
    kept = client.session["public:call-back"]["pages"]["details"]
    assert set(kept) == set(call_back_pages["details"])


def test_a_honeypot_post_keeps_nothing_it_sent(client, call_back_pages):
    client.post(
        step_url("call-back", "details"), {**call_back_pages["details"], HONEYPOT: "x" * 100}
    )
    assert client.session["public:call-back"]["pages"] == {}


def test_the_confirmation_is_shown_once(client, call_back_pages):
    fill(client, "call-back", call_back_pages)
    done = reverse("public-call-back-done")
    assert client.get(done).status_code == 200
    # The next person at a shared computer is sent to the start instead.
    assert client.get(done).status_code == 302
