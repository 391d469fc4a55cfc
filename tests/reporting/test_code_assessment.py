"""The self-assessment against the Complaint Handling Code: answered requirement by
requirement, explained where the council fell short, printed in the report, frozen with it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.errors import DomainError
from reporting import services
from reporting.annual_report import code_assessment, render_pdf
from reporting.models import CodeAssessment, CodeProvision
from tests.reporting.test_annual_report import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(complaints_manager):
    return services.edition_start(year=2025, by=complaints_manager)


def _provision(code):
    return CodeProvision.objects.get(code=code)


def test_every_requirement_in_use_is_listed_until_answered(draft):
    rows = code_assessment(draft)
    assert len(rows) == CodeProvision.objects.filter(active=True).count() == 15
    assert rows[5] == {
        "paragraph": "6.2",
        "requirement": "Acknowledge a complaint within 5 working days of receiving it.",
        "compliance": "",
        "evidence": "",
    }


def test_falling_short_must_be_explained_and_nothing_half_saves(draft):
    acknowledge, respond = _provision("stage_1_acknowledge"), _provision("stage_1_respond")
    with pytest.raises(DomainError, match="fell short"):
        services.code_assessment_save(
            draft, answers=[(acknowledge, "complies", "All in 5 days."), (respond, "partly", " ")]
        )
    assert not CodeAssessment.objects.exists()
    services.code_assessment_save(
        draft,
        answers=[
            (acknowledge, "complies", "All in 5 days."),
            (respond, "partly", "71% in 10 days; more staff from May."),
        ],
    )
    rows = {row["paragraph"]: row for row in code_assessment(draft)}
    assert rows["6.3"]["compliance"] == "Partly complies"
    assert rows["6.3"]["evidence"] == "71% in 10 days; more staff from May."


def test_publishing_freezes_it_and_the_next_version_starts_from_it(draft, complaints_manager):
    respond = _provision("stage_1_respond")
    services.code_assessment_save(draft, answers=[(respond, "does_not", "Half were late.")])
    services.edition_publish(draft, by=complaints_manager)
    respond.label = "A reworded requirement."
    respond.save()
    draft.refresh_from_db()
    frozen = {row["paragraph"]: row for row in code_assessment(draft)}
    assert frozen["6.3"]["requirement"].startswith("Respond at Stage 1 within 10 working days")
    with pytest.raises(DomainError, match="published"):
        services.code_assessment_save(draft, answers=[(respond, "complies", "")])
    following = services.edition_start(year=2025, by=complaints_manager)
    assert following.version == 2
    assert following.code_assessments.get().evidence == "Half were late."


def test_the_next_version_copies_every_answer_in_one_insert(draft, complaints_manager):
    provisions = list(CodeProvision.objects.all()[:3])
    services.code_assessment_save(draft, answers=[(p, "complies", "") for p in provisions])
    services.edition_publish(draft, by=complaints_manager)
    with CaptureQueriesContext(connection) as queries:
        following = services.edition_new_version(draft, by=complaints_manager)
    assert following.code_assessments.count() == 3
    touching = [q["sql"] for q in queries if "reporting_codeassessment" in q["sql"]]
    assert len(touching) == 2  # read the answers, write the copies: not one per answer
    assert not [q for q in queries if q["sql"].startswith('SELECT "reporting_codeprovision"')]


def test_the_report_prints_the_table(draft, tmp_path):
    services.code_assessment_save(
        draft, answers=[(_provision("two_stages"), "partly", "Stage 0 is kept for children.")]
    )
    text = pdf_text(render_pdf(draft), tmp_path)
    assert "Self-assessment against the Code" in text
    assert "5.2 Run a procedure of two stages only" in text
    assert "Partly complies Stage 0 is kept for children." in text


def test_the_page_keeps_what_was_typed_when_it_refuses(client, draft, complaints_manager):
    url = reverse("edition-code-assessment", args=[draft.pk])
    respond = _provision("stage_1_respond")
    client.force_login(complaints_manager)
    assert "6.3 Respond at Stage 1" in client.get(url).content.decode()
    response = client.post(
        url, {f"compliance_{respond.pk}": "partly", f"evidence_{respond.pk}": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say where the council fell short" in page
    assert re.search(r'value="partly"\s+checked', page), "the answer given is kept"

    response = client.post(
        url, {f"compliance_{respond.pk}": "partly", f"evidence_{respond.pk}": "Late in May."}
    )
    assert response.status_code == 302
    assert draft.code_assessments.get().evidence == "Late in May."


def test_only_the_complaints_manager_assesses(client, draft, senior_manager, officer):
    for person in (senior_manager, officer):
        client.force_login(person)
        url = reverse("edition-code-assessment", args=[draft.pk])
        assert client.get(url).status_code == 403
