"""A letter prepared, edited and sent through the API, under its page's rules."""

import pytest
from django.core import mail

from complaints.models import AccessRecord, Case, LetterTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(build):
    return build.case(Case.State.IN_PROGRESS)


def test_a_letter_drafted_from_a_template_edited_and_sent(
    client, case, officer, django_capture_on_commit_callbacks
):
    template = LetterTemplate.objects.filter(kind="acknowledgement").first()
    client.force_login(officer)
    drafted = client.post(
        f"/api/v1/cases/{case.reference}/letter/",
        {"template": template.pk},
        content_type="application/json",
    )
    assert drafted.status_code == 200, drafted.content
    (letter,) = [x for x in drafted.json()["letters"] if x["sent_on"] is None]
    url = f"/api/v1/cases/{case.reference}/letters/{letter['id']}/"
    reads = AccessRecord.objects.filter(case=case).count()
    draft = client.get(url).json()
    assert draft["may_send"] is True and draft["seen"]
    assert AccessRecord.objects.filter(case=case).count() == reads + 1  # the read is logged

    edited = client.post(
        url,
        {
            "subject": draft["subject"],
            "body": "Dear family,\n\nWe have it.",
            "seen": draft["seen"],
        },
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    stale = client.post(
        url,
        {"subject": "Late", "body": "Older copy", "seen": draft["seen"]},
        content_type="application/json",
    )
    assert stale.status_code == 412, stale.content
    assert client.get(url).json()["body"] == "Dear family,\n\nWe have it."

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url + "send/", {}, content_type="application/json")
    assert sent.status_code == 200, sent.content
    assert sent.json()["sent_on"] and sent.json()["document"]
    again = client.post(url, {"subject": "x", "body": "y"}, content_type="application/json")
    assert again.status_code == 400 and "has been sent" in str(again.json())


def test_the_response_letter_is_not_sent_by_hand(client, case, team_manager):
    client.force_login(team_manager)
    drafted = client.post(
        f"/api/v1/cases/{case.reference}/draft-response/",
        {"subject": "Our response", "body": "Dear family,\n\nOur answer."},
        content_type="application/json",
    )
    assert drafted.status_code == 200, drafted.content
    (letter,) = drafted.json()["letters"]
    url = f"/api/v1/cases/{case.reference}/letters/{letter['id']}/"
    assert client.get(url).json()["may_send"] is False
    assert client.post(url + "send/", {}, content_type="application/json").status_code == 403
    assert mail.outbox == []


def test_a_letter_on_a_case_you_may_not_see_is_404(client, case, other_team_manager):
    letter = case.letters.first()
    client.force_login(other_team_manager)
    pk = letter.pk if letter else 1
    assert client.get(f"/api/v1/cases/{case.reference}/letters/{pk}/").status_code == 404
