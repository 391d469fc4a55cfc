"""The case-work flows in real Chromium, each page checked by axe-core.

One complaint goes from logging to a Stage 2 adjudication: the officer logs, screens and
allocates it; the team manager drafts and submits the Stage 1 response; the officer returns
it once, then approves and issues it, and the PDF letter appears on the case; the complainant
escalates and Stage 2 runs to adjudication. Then the people who must not act on it try.
"""

import re
import subprocess
from datetime import date

import pytest

from accounts.roles import Role
from complaints.models import Case, Document, Event, Notification
from tests.factories import PoolMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(path) -> str:
    """The PDF's words, with line breaks and layout spaces folded to single spaces."""
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def download_letter(person, link_name, tmp_path):
    """Fetch the letter's PDF as the signed-in person, through the link on the case page."""
    href = person.page.get_by_role("link", name=link_name).first.get_attribute("href")
    response = person.page.request.get(person.base_url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    target = tmp_path / "letter.pdf"
    target.write_bytes(response.body())
    return target


def fill_date(page, name, day):
    page.fill(f"#id_{name}_0", str(day.day))
    page.fill(f"#id_{name}_1", str(day.month))
    page.fill(f"#id_{name}_2", str(day.year))


def record_findings(person, finding="Upheld"):
    person.follow("Record findings")
    for select in person.page.locator("select[id^=id_finding_]").all():
        select.select_option(label=finding)
    for box in person.page.locator("textarea[id^=id_reasoning_]").all():
        box.fill("The records show no visit was made.")
    person.press("Save findings")


def test_a_complaint_from_logging_to_stage_2_adjudication(
    sign_in,
    officer,
    team,
    team_manager,
    other_team_manager,
    senior_manager,
    investigator,
    independent_person,
    audited,
    tmp_path,
):
    # The officer logs the complaint.
    olivia = sign_in(officer)
    olivia.follow("Log a representation")
    page = olivia.page
    page.select_option("#id_channel", label="Email")
    page.fill("#id_name", "Jo Example")
    page.fill("#id_address", "1 High Street\nDemotown")
    page.fill("#id_postcode", "DT1 2AB")
    page.select_option("#id_relationship", label="Parent")
    page.fill("#id_child_name", "Sam Example")
    page.fill("#id_summary", "Nobody told us the review meeting had moved.")
    olivia.press("Log representation")
    reference = page.locator("h1").inner_text()
    assert re.fullmatch(r"CSC-\d{4}-\d{5}", reference)
    assert "Received, not yet screened" in olivia.text()

    # Screening, the statement of complaint, allocation.
    olivia.follow("Accept")
    page.check("input[name=procedure][value=statutory]")
    page.select_option(
        "#id_eligibility_ground", label="Parent of looked-after child / child in need"
    )
    olivia.press("Accept")
    for summary in ("The review meeting moved without notice.", "Calls were not returned."):
        page.fill("#id_summary", summary)
        page.select_option("#id_nature", label="Poor communication")
        olivia.press("Add element")
        if page.locator("details.govuk-details:not([open])").count():
            page.click("summary.govuk-details__summary")
    olivia.follow("Allocate")
    page.select_option("#id_team", label=str(team))
    olivia.press("Allocate")
    assert "Allocated." in olivia.text()

    # The team manager drafts the Stage 1 response and submits it.
    tariq = sign_in(team_manager)
    assert reference in tariq.text()  # on their "My work"
    tariq.follow(reference)
    record_findings(tariq)
    tariq.follow("Add a remedy")
    tariq.page.select_option("#id_kind", label="Apology")
    tariq.press("Add remedy")
    tariq.follow("Draft the response letter")
    body = tariq.page.input_value("#id_body")
    assert "1. The review meeting moved without notice." in body
    assert "Finding: Upheld." in body
    assert "Local Government and Social Care Ombudsman" not in body  # not at Stage 1
    assert f"{team_manager.get_full_name()}\n{team_manager.job_title}" in body
    tariq.press("Save draft")
    tariq.follow("Submit for quality check")
    tariq.press("Submit for quality check")
    assert "Draft response awaiting quality check" in tariq.text()

    # The officer returns it once...
    olivia.goto(f"/cases/{reference}/")
    olivia.follow("Return draft")
    assert "Finding: Upheld." in olivia.text()  # the draft is on the page she returns it from
    page.fill("#id_reason", "Please say when the meeting will be rearranged.")
    olivia.press("Return the draft")
    assert "In progress" in olivia.text()

    # ...the manager resubmits, and the officer approves and issues it.
    tariq.goto(f"/cases/{reference}/")
    assert "Please say when the meeting will be rearranged." in tariq.text()
    tariq.follow("Submit for quality check")
    tariq.press("Submit for quality check")
    olivia.goto(f"/cases/{reference}/")
    olivia.follow("Approve draft")
    assert "Please say when the meeting will be rearranged." in olivia.text()
    assert "Finding: Upheld." in olivia.text()  # the checker reads the draft
    olivia.press("Approve draft")
    olivia.follow("Issue response")
    page.select_option("#id_outcome", label="Upheld")
    olivia.press("Issue response")
    assert "Response issued; the letter is on the case." in olivia.text()
    text = pdf_text(download_letter(olivia, "Response to your complaint", tmp_path))
    assert reference in text
    assert team_manager.get_full_name() in text
    assert "Stage 2" in text  # how to escalate

    # The complainant escalates; Stage 2 runs to adjudication.
    olivia.follow("Record escalation request")
    page.select_option("#id_reason", label="My desired outcomes have not been met")
    olivia.press("Record escalation")
    assert "Stage 2" in olivia.text()
    olivia.follow("Appoint investigators")
    # Both are proposed from the pool, each with their caseload.
    assert "Proposed: no open cases" in olivia.text()
    page.get_by_role("radio", name=investigator.get_full_name(), exact=True).check()
    page.get_by_role("radio", name=independent_person.get_full_name(), exact=True).check()
    page.select_option(
        "#id_adjudicating_officer",
        label=f"{senior_manager.get_full_name()}, {senior_manager.job_title}",
    )
    olivia.press("Appoint")
    olivia.follow("Record statement agreed")
    olivia.press("Save")
    olivia.follow("Record report received")
    olivia.press("Save")
    record_findings(olivia, finding="Partially upheld")
    olivia.follow("Draft the response letter")
    assert "Adjudication" in olivia.page.input_value("#id_subject")
    olivia.press("Save draft")
    olivia.follow("Submit for quality check")
    olivia.press("Submit for quality check")
    olivia.follow("Approve draft")
    olivia.press("Approve draft")
    olivia.follow("Issue response")
    olivia.press("Issue response")
    adjudication = pdf_text(download_letter(olivia, "Adjudication on your complaint", tmp_path))
    assert "Partially upheld" in adjudication
    assert "Local Government and Social Care Ombudsman" in adjudication
    assert f"{senior_manager.get_full_name()} {senior_manager.job_title}" in adjudication

    # Stage 3: the review panel, then the council's response signed by the director.
    olivia.follow("Record escalation request")
    page.select_option("#id_reason", label="My desired outcomes have not been met")
    olivia.press("Record escalation")
    PoolMemberFactory(parts=["chairs_panels"])
    PoolMemberFactory.create_batch(2, parts=["sits_on_panels"])
    olivia.follow("Schedule review panel")
    fill_date(page, "panel_date", date.today())
    page.fill("#id_starts", "10:00")
    page.fill("#id_ends", "13:00")
    page.fill("#id_place", "Committee Room 1")
    page.select_option("#id_chair", index=1)
    page.select_option("#id_member_1", index=1)
    page.select_option("#id_member_2", index=2)
    olivia.press("Schedule panel")
    invitations = Notification.objects.filter(key__startswith="panel-meeting:")
    assert invitations.count() >= 3 and all("METHOD:REQUEST" in n.calendar for n in invitations)
    olivia.follow("Make the panel's papers")
    olivia.press("Make the panel's papers")
    assert Document.objects.filter(case__reference=reference, kind="panel_papers").exists()
    olivia.follow("Record panel held")
    olivia.press("Save")
    olivia.follow("Record panel report")
    olivia.press("Save")
    record_findings(olivia, finding="Not upheld")
    olivia.follow("Draft the response letter")
    assert "[" not in olivia.page.input_value("#id_body")
    olivia.press("Save draft")
    olivia.follow("Submit for quality check")
    olivia.press("Submit for quality check")
    olivia.follow("Approve draft")
    assert "Finding: Not upheld." in olivia.text()
    olivia.press("Approve draft")
    olivia.follow("Issue response")
    olivia.press("Issue response")
    final = pdf_text(
        download_letter(olivia, "The council's response to the review panel", tmp_path)
    )
    assert "Not upheld" in final and "Dana Director" in final

    case = Case.objects.get(reference=reference)
    assert case.state == Case.State.RESPONDED
    assert case.current_stage.level == 3
    # The acknowledgement went with Accept; then the three responses. None holds a placeholder,
    # and the quality check saw each draft before approving it.
    letters = Document.objects.filter(case=case, kind="letter")
    assert letters.count() == 4
    assert len({d.filename for d in letters}) == 4
    for document in letters:
        with document.file.open("rb") as file:
            (tmp_path / "sent.pdf").write_bytes(file.read())
        text = pdf_text(tmp_path / "sent.pdf")
        assert not re.search(r"\[[^\]]{1,80}\]", text), (document.filename, text)
    assert Event.objects.filter(case=case, move="return_draft").count() == 1
    assert Event.objects.filter(case=case, move="approve_draft").count() == 3

    # The complainant goes to the Ombudsman, recorded from the complaint's own page.
    olivia.goto(f"/cases/{reference}/")
    olivia.follow("Record an Ombudsman case about this complaint")
    assert page.input_value("#id_complaint_references") == reference
    page.fill("#id_reference", "26 001 234")
    page.check("input[name=route][value=investigation]")
    olivia.press("Record Ombudsman case")
    olivia.follow("Record the decision")
    page.select_option("#id_decision", label="Not upheld")
    olivia.press("Record decision")
    assert "Not upheld" in olivia.text()
    olivia.goto(f"/cases/{reference}/")
    assert "26 001 234" in olivia.text()
    # The case page shows the latest moves; the whole timeline has a page of its own.
    olivia.follow("The whole timeline")
    assert "Accept" in olivia.text() and "E-mail: " in olivia.text()

    # A manager of another team may not know the case exists.
    tessa = sign_in(other_team_manager)
    tessa.goto(f"/cases/{reference}/", expect_status=404)
    tessa.goto(f"/cases/{reference}/timeline/", expect_status=404)

    # A senior manager reads it and can change nothing.
    simon = sign_in(senior_manager)
    simon.goto(f"/cases/{reference}/")
    assert "there is nothing for you to do on it" in simon.text()
    assert simon.page.locator("#actions a").count() == 0
    assert len(audited) > 40


def test_logging_and_screening_work_without_javascript(browser, live_server, officer):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", "password")
    page.click("button:text('Sign in')")
    page.goto(live_server.url + "/cases/new/")
    page.click("button:text('Log representation')")  # nothing filled in
    assert "There is a problem" in page.inner_text("main")
    page.select_option("#id_channel", label="Telephone")
    page.fill("#id_name", "Kim Example")
    page.select_option("#id_relationship", label="Parent")
    page.fill("#id_summary", "Asked for a call back about contact arrangements.")
    page.check("input[name=kind][value=call_back]")
    page.click("button:text('Log representation')")
    assert "Call-back request" in page.inner_text("main")
    # The filter and search forms post and reload without script.
    page.goto(live_server.url + "/cases/")
    page.fill("#search", "Kim Example")
    page.click("button:text('Search')")
    assert "1 case matching your search" in page.inner_text("main")
    assert "Kim" not in page.url
    context.close()


def test_the_case_page_is_usable_by_keyboard_alone(sign_in, officer, build):
    case = build.case(Case.State.IN_PROGRESS)
    olivia = sign_in(officer)
    olivia.goto(f"/cases/{case.reference}/")
    page = olivia.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == "Pause":
            break
    else:
        pytest.fail("The Pause action was not reached by Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/cases/{case.reference}/pause/")
    page.keyboard.type("")  # the form's first field takes typing once focused
    page.focus("#id_reason")
    page.keyboard.type("Court proceedings under way.")
    page.focus("button[name=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    olivia.audit()
    assert "Paused" in olivia.text()


def test_every_role_home_page_is_accessible(sign_in, db):
    for role in Role:
        person = sign_in(UserFactory(role=role))
        person.goto("/")
        person.goto("/cases/")
