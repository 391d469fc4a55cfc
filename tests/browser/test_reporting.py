"""The dashboard and the annual report in Chromium, every page checked by axe-core."""

import re

import pytest

from reporting.models import Edition
from tests.reporting.conftest import council  # noqa: F401  (the known council)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("council")
def test_a_senior_manager_reads_the_dashboard_and_drills_down(sign_in, senior_manager):
    simon = sign_in(senior_manager)
    simon.follow("Dashboard")
    page = simon.page
    page.select_option("#id_kind", label="Financial year")
    page.select_option("#id_year", label="2025/26")
    page.select_option("#id_service_area", label="Children in Care")
    simon.press("Show figures")
    assert "Dashboard: 2025/26, Children in Care" in page.locator("h1").inner_text()
    assert "Timeliness: Stage 1 local resolution" in simon.text()
    simon.press("Count again now")
    assert "Dashboard: 2025/26, Children in Care" in page.locator("h1").inner_text()
    assert "Counted at " in simon.text()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^9 cases: Complaint")).first.click()
    simon.audit()
    assert "9 cases" in simon.text()


@pytest.mark.usefixtures("council")
def test_the_complaints_manager_drafts_previews_and_publishes(sign_in, complaints_manager):
    morgan = sign_in(complaints_manager)
    morgan.follow("Annual report")
    page = morgan.page
    page.select_option("#id_year", label="2025/26")
    morgan.press("Open the year's draft")
    page.fill("#id_executive_summary", "Fewer complaints went to Stage 2.")
    morgan.press("Save the report")
    assert "Report saved" in morgan.text()
    morgan.follow("Assess the council against each requirement of the Code")
    page.get_by_role("group", name=re.compile(r"^6\.3 Respond at Stage 1")).get_by_label(
        "Partly complies"
    ).check()
    morgan.press("Save the self-assessment")
    assert "Say where the council fell short" in morgan.text()  # and the answer is kept
    page.get_by_label("Evidence and commentary").nth(6).fill("Seven in ten were on time.")
    morgan.press("Save the self-assessment")
    assert "Self-assessment saved" in morgan.text() and "1 of 15 assessed" in morgan.text()
    morgan.follow("Preview the report")
    assert "Fewer complaints went to Stage 2." in morgan.text()
    assert "Partly complies Seven in ten were on time." in " ".join(morgan.text().split())
    morgan.follow("Back to the edition")
    morgan.press("Publish this version")
    assert "The PDF is ready" in morgan.text()  # Celery runs eagerly in the tests
    edition = Edition.objects.get()
    assert edition.is_published and edition.pdf
