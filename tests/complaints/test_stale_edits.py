"""Two people editing the same text: the later save is refused, not silently lost, and a GET
of an edit page writes nothing."""

import re

import pytest
from django.urls import reverse

from complaints import letters, services
from complaints.models import Element, Finding, Letter, LetterTemplate
from tests.complaints.test_views import token
from tests.factories import category

pytestmark = pytest.mark.django_db
STALE = "Someone else saved a change to"


def _seen(response) -> str:
    found = re.search(r'name="seen"(?: value="([^"]*)")?', response.content.decode())
    return found.group(1) or ""


def _resubmit(response) -> dict:
    """What the browser would post again from the refused page: its hidden fields as shown."""
    html = response.content.decode()
    return {
        "seen": _seen(response),
        "submission": token(),
        **{m[0]: m[1] for m in re.findall(r'name="(csrfmiddlewaretoken)" value="([^"]*)"', html)},
    }


def test_an_element_saved_meanwhile_is_not_overwritten(client, officer, build):
    case = build.case("in_progress")
    element = case.elements.first()
    url = reverse("element-edit", args=[case.reference, element.number])
    client.force_login(officer)
    page = client.get(url)
    nature = element.nature.pk
    services.element_update(element=element, summary="Their wording.", nature=element.nature)
    mine = {"submission": token(), "seen": _seen(page), "summary": "My wording.", "nature": nature}
    refused = client.post(url, mine)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert STALE in html
    assert "My wording." in html and "Their wording." in html  # both are on the page
    assert Element.objects.get(pk=element.pk).summary == "Their wording."
    again = client.post(url, {**mine, **_resubmit(refused)})
    assert again.status_code == 302
    assert Element.objects.get(pk=element.pk).summary == "My wording."


def test_findings_saved_meanwhile_are_not_overwritten(client, team_manager, build):
    case = build.case("in_progress")
    stage = case.current_stage
    url = reverse("case-action", args=[case.reference, "findings"])
    client.force_login(team_manager)
    page = client.get(url)
    first = stage.element_findings.select_related("element").first()
    upheld, not_upheld = category(Finding, "upheld"), category(Finding, "not_upheld")
    services.finding_record(stage=stage, element=first.element, finding=upheld, reasoning="Theirs")
    n = first.element.number
    refused = client.post(
        url,
        {
            "submission": token(),
            "seen": _seen(page),
            f"finding_{n}": not_upheld.pk,
            f"reasoning_{n}": "Mine",
        },
    )
    assert refused.status_code == 400
    assert STALE in refused.content.decode()
    first.refresh_from_db()
    assert (first.finding, first.reasoning) == (upheld, "Theirs")


def test_a_letter_saved_meanwhile_is_not_overwritten(client, officer, build):
    case = build.case("in_progress")
    template = LetterTemplate.objects.filter(kind="acknowledgement").first()
    letter = letters.letter_draft(case=case, template=template, by=officer)
    url = reverse("letter-edit", args=[case.reference, letter.pk])
    client.force_login(officer)
    page = client.get(url)
    letters.letter_update(letter, subject="Theirs", body="Their text")
    refused = client.post(
        url, {"submission": token(), "seen": _seen(page), "subject": "Mine", "body": "My text"}
    )
    assert refused.status_code == 400
    assert STALE in refused.content.decode()
    assert Letter.objects.get(pk=letter.pk).body == "Their text"


def test_opening_the_response_letter_page_writes_nothing(client, team_manager, build):
    case = build.case("in_progress")
    client.force_login(team_manager)
    url = reverse("response-letter", args=[case.reference])
    page = client.get(url)
    assert page.status_code == 200
    assert not Letter.objects.filter(case=case).exists()
    response = client.post(
        url,
        {
            "submission": token(),
            "seen": _seen(page),
            "subject": "Our response",
            "body": "Dear Sam",
        },
    )
    assert response.status_code == 302
    assert Letter.objects.get(case=case).body == "Dear Sam"


def test_a_report_saved_meanwhile_is_not_overwritten(client, complaints_manager):
    from reporting import services as report

    edition = report.edition_start(year=2025, by=complaints_manager)
    url = reverse("edition-detail", args=[edition.pk])
    client.force_login(complaints_manager)
    page = client.get(url)
    report.edition_update(edition, data={"executive_summary": "Theirs"})
    refused = client.post(
        url,
        {
            "seen": _seen(page),
            "title": edition.title,
            "small_number_threshold": 5,
            "executive_summary": "Mine",
        },
    )
    assert refused.status_code == 400
    assert STALE in refused.content.decode()
    edition.refresh_from_db()
    assert edition.executive_summary == "Theirs"
