"""The Ombudsman and compliments in Chromium, every page checked by axe-core."""

import datetime as dt
import re

import pytest

from complaints.models import Case, Level
from complaints.periods import quarter_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_premature_referral_reopens_the_complaint_at_stage_1(sign_in, build, officer):
    complaint = build.case(Case.State.CLOSED)
    olivia = sign_in(officer)
    olivia.follow("Ombudsman")
    olivia.follow("Record an Ombudsman case")
    page = olivia.page
    page.fill("#id_reference", "25 001 234")
    page.fill("#id_complaint_references", complaint.reference.lower())
    olivia.press("Record Ombudsman case")
    assert "25 001 234" in page.locator("h1").inner_text()
    assert complaint.reference in olivia.text()
    olivia.follow("Record the decision")
    page.select_option("#id_decision", label="Referred back for local resolution")
    olivia.press("Record decision")
    olivia.follow("Reopen the complaint")
    olivia.press("Reopen the complaint")
    assert complaint.reference in page.locator("h1").inner_text()
    assert "In progress" in olivia.text()
    complaint.refresh_from_db()
    assert complaint.state == Case.State.IN_PROGRESS
    assert complaint.current_stage.level == Level.LOCAL_RESOLUTION
    assert "25 001 234" in olivia.text()  # linked both ways


def test_an_upheld_decision_with_a_payment_is_complied_with(sign_in, officer):
    olivia = sign_in(officer)
    olivia.goto("/ombudsman/new/")
    page = olivia.page
    page.fill("#id_reference", "25 009 876")
    olivia.press("Record Ombudsman case")
    olivia.follow("Record the decision")
    page.select_option("#id_decision", label="Upheld: fault and injustice")
    olivia.press("Record decision")  # not yet said to have been investigated
    assert "follows an investigation" in olivia.text()
    page.check("input[name=route][value=investigation]")
    olivia.press("Record decision")
    olivia.follow("Add a recommendation")
    olivia.press("Add recommendation")  # empty: the errors say what to do
    assert "Select the recommendation" in olivia.text() or "There is a problem" in olivia.text()
    page.select_option("#id_kind", label="Financial remedy (payment)")
    due = dt.date.today() + dt.timedelta(days=28)
    page.fill("#id_due_on_0", str(due.day))
    page.fill("#id_due_on_1", str(due.month))
    page.fill("#id_due_on_2", str(due.year))
    page.select_option("#id_owner", index=1)
    olivia.press("Add recommendation")
    assert "Enter the amount of the financial remedy (payment)" in olivia.text()
    page.fill("#id_amount", "300")
    olivia.press("Add recommendation")
    assert "£300.00" in olivia.page.inner_text("#recommendations")
    page.get_by_role("link", name=re.compile("Record compliance")).click()
    page.wait_for_load_state()
    olivia.audit()
    page.fill("#id_evidence", "Paid by BACS, remittance on file.")
    olivia.press("Record as complied with")
    assert "Paid by BACS" in page.inner_text("#recommendations")
    olivia.follow("Ombudsman cases")
    figures = page.inner_text("#annual-letter")
    assert "£300.00" in figures


def test_a_team_managers_compliment_is_counted_for_a_senior_manager(
    sign_in, team, team_manager, senior_manager
):
    tariq = sign_in(team_manager)
    tariq.follow("Compliments")
    tariq.follow("Record a compliment")
    page = tariq.page
    page.select_option("#id_team", label=str(team))
    page.select_option("#id_source", label="Parent")
    page.select_option("#id_channel", label="Email")
    page.fill("#id_summary", "Thanks for the support at the review meeting")
    tariq.press("Record compliment")
    assert "Compliment recorded" in tariq.text()

    simon = sign_in(senior_manager)
    simon.follow("Compliments")
    counts = simon.page.inner_text("#compliment-counts")
    assert "Compliments received in" in counts and ": 1" in counts
    quarter = quarter_of(dt.date.today())
    cells = simon.page.locator("#compliment-counts tbody td").all_inner_texts()
    assert cells[quarter - 1] == "1" and cells[-1] == "1"
