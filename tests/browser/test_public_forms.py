"""The public e-forms in Chromium, with JavaScript on and again switched off, each page checked
by axe-core; then the complaints team, signed in, finds what was sent where they work.

axe needs JavaScript to run, so with it off each page a visitor reaches is audited in a twin
window that has it, from the very HTML the visitor was sent.
"""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from complaints.models import Case, Letter, Level
from compliments.models import Compliment
from tests.browser.conftest import AXE_OPTIONS
from tests.public.test_escalation_link import _link_in, _responded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Visitor:
    """A member of the public, not signed in, with JavaScript on or off."""

    axe = Axe()

    def __init__(self, browser, base_url: str, audited: list, *, javascript: bool):
        self.base_url = base_url
        self.audited = audited
        self.javascript = javascript
        self.context = browser.new_context(java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.twin_context = browser.new_context()
        self.twin = self.page if javascript else self.twin_context.new_page()
        self.blocked = []  # what the Content Security Policy had to block
        self.page.on(
            "console",
            lambda m: self.blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def audit(self):
        url, html = self.page.url, self.page.content()
        if self.twin is not self.page:
            self._load_in_twin(url, html)
        results = self.axe.run(self.twin, options=AXE_OPTIONS)
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
        ]
        assert violations == [], f"axe on {url}"
        assert self.blocked == [], f"the Content Security Policy blocked on {url}"
        self.audited.append(url)

    def _load_in_twin(self, url: str, html: str):
        def sent(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        self.twin.route(lambda address: address == url, sent)
        self.twin.goto(url)
        self.twin.unroute(lambda address: address == url)

    def goto(self, path: str, *, expect_status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response.status == expect_status, path
        self.audit()

    def press(self, name: str):
        target = self.page.get_by_role("button", name=name, exact=True)
        if target.count() == 0:
            target = self.page.get_by_role("link", name=name, exact=True)
        with self.page.expect_navigation():
            target.first.click()
        self.audit()

    def choose(self, label: str):
        self.page.get_by_label(label, exact=True).check()

    def text(self) -> str:
        return self.page.inner_text("main")

    def close(self):
        self.context.close()
        self.twin_context.close()


@pytest.fixture(params=[False, True], ids=["javascript-off", "javascript-on"])
def visitor(request, browser, live_server, audited):
    person = Visitor(browser, live_server.url, audited, javascript=request.param)
    yield person
    person.close()


def _reference(visitor) -> str:
    return visitor.page.locator(".govuk-panel__body strong").inner_text().strip()


def _team_sees_case(sign_in, officer, reference: str) -> str:
    olivia = sign_in(officer)
    olivia.goto("/cases/")
    assert reference in olivia.text()
    olivia.goto(f"/cases/{reference}/")
    return olivia.text()


def test_an_adults_complaint_reaches_the_complaints_team(visitor, sign_in, officer, team):
    visitor.goto("/complaint/")
    # GOV.UK Frontend's inline script marks the body when it runs, and only then.
    body_classes = visitor.page.evaluate("document.body.className").split()
    assert ("js-enabled" in body_classes) == visitor.javascript
    visitor.press("Start now")
    visitor.press("Continue")  # nothing chosen: the error summary says what to do
    assert "There is a problem" in visitor.text() and "Select who you are" in visitor.text()
    visitor.choose("A parent")
    visitor.press("Continue")
    visitor.choose("For a child or young person, on their behalf")
    visitor.press("Continue")
    visitor.page.fill("#id_child_name", "Ruby Example")
    visitor.press("Continue")
    visitor.page.select_option("#id_service", label=team.name)
    visitor.press("Continue")
    visitor.page.fill("#id_what_happened", "Nobody told us the placement was changing.")
    visitor.press("Continue")
    visitor.page.fill("#id_outcome", "An apology.")
    visitor.press("Continue")
    visitor.page.fill("#id_name", "Sam Parent")
    visitor.press("Continue")  # neither e-mail nor telephone: asked for one, name kept
    assert "Enter an e-mail address or a telephone number" in visitor.text()
    assert visitor.page.input_value("#id_name") == "Sam Parent"
    visitor.page.fill("#id_email", "sam.parent@example.com")
    visitor.press("Continue")
    visitor.choose("By e-mail")
    visitor.press("Continue")
    visitor.page.fill("#id_support", "Large print, please.")
    visitor.press("Continue")
    assert "Check your answers before sending" in visitor.text()
    assert "Ruby Example" in visitor.text() and "Large print, please." in visitor.text()
    visitor.press("Send complaint")
    assert "Complaint sent" in visitor.text()
    reference = _reference(visitor)
    case = Case.objects.get(reference=reference)
    assert case.state == Case.State.RECEIVED and case.channel.code == "e_form"

    seen = _team_sees_case(sign_in, officer, reference)
    assert "Received, not yet screened" in seen
    assert "Large print, please." in seen and "Sam Parent" in seen


def test_a_young_persons_complaint_with_an_advocate(visitor, sign_in, officer):
    visitor.goto("/complaint/young-person/")
    visitor.press("Start now")
    visitor.page.fill("#id_what_happened", "My social worker keeps changing.")
    visitor.press("Continue")
    visitor.page.fill("#id_outcome", "One social worker who stays.")
    visitor.press("Continue")
    visitor.choose("Yes, please find me an advocate")
    visitor.press("Continue")
    visitor.page.fill("#id_name", "Alex Young")
    visitor.page.fill("#id_phone", "07700 900456")
    visitor.press("Continue")
    visitor.choose("By telephone")
    visitor.press("Continue")
    visitor.press("Continue")  # nothing more they need
    visitor.press("Send")
    assert "We have got your message" in visitor.text()
    reference = _reference(visitor)

    seen = _team_sees_case(sign_in, officer, reference)
    assert "accepted" in seen and "Child / young person" in seen


def test_a_call_back_request_by_keyboard_alone(visitor, sign_in, officer):
    visitor.goto("/complaint/call-back/")
    page = visitor.page

    def tab_to(text: str):
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "(document.activeElement.textContent || '').trim() || document.activeElement.id"
            )
            if focused == text:
                return
        pytest.fail(f"{text} was not reached by Tab")

    tab_to("Start now")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visitor.audit()
    tab_to("id_name")  # the honeypot is passed over
    page.keyboard.type("Pat Caller")
    page.keyboard.press("Tab")
    page.keyboard.type("01234 000000")
    page.keyboard.press("Tab")
    page.keyboard.type("Weekday mornings")
    page.keyboard.press("Tab")
    page.keyboard.type("About my son's review.")
    tab_to("Continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visitor.audit()
    tab_to("Ask for a call-back")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visitor.audit()
    assert "Call-back requested" in visitor.text()
    reference = _reference(visitor)
    case = Case.objects.get(reference=reference)
    assert f"{case.callback_due_on:%A %-d %B %Y}" in visitor.text()

    seen = _team_sees_case(sign_in, officer, reference)
    assert "Call-back" in seen and f"Due by {case.callback_due_on:%-d %B %Y}" in seen


def test_an_escalation_through_the_link_in_a_response_letter(
    visitor, sign_in, build, officer, team_manager
):
    case = _responded(build, officer, team_manager)
    letter = Letter.objects.get(case=case, kind="response", sent_on__isnull=False)
    path = _link_in(letter.body)
    assert letter.body.count(settings.SITE_URL) == 1
    visitor.goto(path)
    assert case.reference in visitor.text() and case.complainant.name not in visitor.text()
    visitor.press("Ask for the next stage")
    assert "Select how your complaint was responded to" in visitor.text()
    visitor.choose("Email or letter only")
    visitor.choose("Response is not thorough enough")
    visitor.page.fill("#id_detail", "The missed visits were not looked at.")
    visitor.press("Ask for the next stage")
    assert "Request sent" in visitor.text() and "Stage 2" in visitor.text()
    visitor.goto(path, expect_status=410)
    assert "can no longer be used" in visitor.text()

    case.refresh_from_db()
    assert case.current_stage.level == Level.INVESTIGATION
    seen = _team_sees_case(sign_in, officer, case.reference)
    assert "Stage 2" in seen and "In progress" in seen


def test_a_compliment_reaches_the_compliments_list(visitor, sign_in, officer, team):
    visitor.goto("/compliment/")
    visitor.press("Start now")
    visitor.page.select_option("#id_service", label=team.name)
    visitor.press("Continue")
    visitor.page.fill("#id_text", "Jo went out of her way to help us.")
    visitor.press("Continue")
    visitor.choose("Parent")
    visitor.page.fill("#id_name", "Chris Thankful")
    visitor.press("Continue")
    visitor.page.get_by_label(
        "You may quote my compliment, without my name, in the council's reports"
    ).check()
    visitor.press("Continue")
    visitor.press("Send compliment")
    assert "Compliment sent" in visitor.text()
    (compliment,) = Compliment.objects.all()
    assert compliment.consent_to_publish and compliment.received_on == dt.date.today()

    olivia = sign_in(officer)
    olivia.goto("/compliments/")
    assert "Jo went out of her way to help us." in olivia.text()
    assert "Chris Thankful" in olivia.text()
