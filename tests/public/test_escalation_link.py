"""The link in a response letter: the complainant asks for the next stage through it, once,
while it is fresh; a forged, expired or spent link does nothing, and the page shows nobody's
personal data."""

import datetime as dt
import re
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from complaints import escalation_link as links
from complaints import letters, services, workflow
from complaints.models import Case, EscalationReason, Letter, Level, ResponseMethod
from public import services as public_services
from public.services import SYSTEM_USERNAME
from tests.public.conftest import LIVE, PAYLOAD

pytestmark = pytest.mark.django_db


def _responded(build, officer, team_manager, *, name="Sam Parent", level=Level.LOCAL_RESOLUTION):
    """A case whose response letter was drafted, approved and issued, as the team does it."""
    case = build.case(Case.State.IN_PROGRESS, level=level)
    case.complainant.name = name
    case.complainant.save()
    build.record_findings(case)
    if level == Level.REVIEW_PANEL:
        build.prepare_stage(case)
        workflow.record_panel_held(case, by=officer, on=timezone.localdate())
        workflow.record_panel_report(case, by=officer, on=timezone.localdate())
    letters.response_letter_save(case, by=team_manager)
    services.response_submit(case=case, by=officer)
    workflow.approve_draft(case, by=officer)
    services.response_issue(case=case, by=officer, responded_on=timezone.localdate(), outcome=None)
    case.refresh_from_db()
    return case


def _issued(case):
    return Letter.objects.get(case=case, kind="response", sent_on__isnull=False)


def _link_in(text: str) -> str:
    return re.search(
        re.escape(settings.SITE_URL.rstrip("/")) + r"(/complaint/next-stage/\S+?/)", text
    )[1]


def _answers():
    return {
        "previous_response_method": ResponseMethod.objects.get(code="written_only").pk,
        "reason": EscalationReason.objects.get(code="response_not_thorough").pk,
        "detail": "The response did not look at the missed visits.",
    }


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_the_issued_response_letter_and_its_pdf_carry_the_link(build, officer, team_manager):
    case = _responded(build, officer, team_manager)
    letter = _issued(case)
    path = _link_in(letter.body)
    assert links.stage_id_from(path.split("/")[-2]) == case.current_stage_id
    # The PDF breaks the long link over lines: join them up again. pdftotext drops a hyphen
    # that ends a line, so compare without hyphens.
    pdf = "".join(_pdf_text(letter.document.file.open("rb").read()).split())
    link = settings.SITE_URL.rstrip("/") + path
    assert link.replace("-", "") in pdf.replace("-", "")


def test_the_last_stage_has_no_link(build, officer, team_manager):
    case = build.case(Case.State.IN_PROGRESS, level=Level.REVIEW_PANEL)
    context = letters.letter_context(case, case.current_stage)
    assert context["next_stage_name"] == "" and context["escalation_link"] == ""


def test_asking_through_the_link_starts_the_next_stage(client, build, officer, team_manager):
    case = _responded(build, officer, team_manager)
    path = _link_in(_issued(case).body)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path)
    assert page.status_code == 200
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    assert [w for w in writes if "django_session" not in w] == []
    text = page.content.decode()
    assert case.reference in text and "Stage 2" in text
    assert "Sam Parent" not in text and "Ruby Example" not in text

    response = client.post(path, _answers())
    assert response["Location"] == reverse("public-escalation-done")
    case.refresh_from_db()
    stage = case.current_stage
    assert case.state == Case.State.IN_PROGRESS and stage.level == Level.INVESTIGATION
    assert stage.requested_on == timezone.localdate()
    assert stage.escalation_reason.code == "response_not_thorough"
    assert stage.previous_response_method.code == "written_only"
    assert stage.escalation_detail == "The response did not look at the missed visits."
    event = case.events.get(move="escalate")
    assert event.actor.username == SYSTEM_USERNAME
    done = client.get(reverse("public-escalation-done")).content.decode()
    assert case.reference in done and "Stage 2" in done

    # Spent: it cannot ask again, nor go on to Stage 3.
    again = client.get(path)
    assert again.status_code == 410 and "can no longer be used" in again.content.decode()
    assert client.post(path, _answers()).status_code == 410
    assert case.stages.count() == 2


def test_a_tampered_link_does_nothing(client, build, officer, team_manager):
    case = _responded(build, officer, team_manager)
    path = _link_in(_issued(case).body)
    token = path.split("/")[-2]
    for forged in (token[:-2] + "xx", token.replace(token[5], "A" if token[5] != "A" else "B")):
        url = reverse("public-escalation", kwargs={"token": forged})
        assert client.get(url).status_code == 404
        assert client.post(url, _answers()).status_code == 404
    # Signed with another salt (say, a password reset's signer) it is no link at all.
    from django.core import signing

    other = signing.dumps({"stage": case.current_stage_id}, salt="something.else")
    assert client.get(reverse("public-escalation", kwargs={"token": other})).status_code == 404
    case.refresh_from_db()
    assert case.state == Case.State.RESPONDED and case.stages.count() == 1


def test_an_expired_link_does_nothing(client, build, officer, team_manager):
    case = _responded(build, officer, team_manager)
    path = _link_in(_issued(case).body)
    later = timezone.now() + dt.timedelta(days=settings.ESCALATION_LINK_DAYS + 1)
    with freeze_time(later):
        page = client.get(path)
        assert page.status_code == 410 and "expired" in page.content.decode()
        assert client.post(path, _answers()).status_code == 410
    case.refresh_from_db()
    assert case.state == Case.State.RESPONDED


@override_settings(ESCALATION_LINK_DAYS=365)
def test_a_request_after_the_window_is_not_accepted_late_by_the_public(
    client, build, officer, team_manager
):
    case = _responded(build, officer, team_manager)
    path = _link_in(_issued(case).body)
    with freeze_time(timezone.now() + dt.timedelta(days=60)):
        response = client.post(path, _answers())
    assert response.status_code == 410 and "too late" in response.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.RESPONDED


def test_an_empty_request_says_what_to_answer(client, build, officer, team_manager):
    case = _responded(build, officer, team_manager)
    path = _link_in(_issued(case).body)
    page = client.post(path, {"detail": PAYLOAD}).content.decode()
    assert "There is a problem" in page
    assert "Select how your complaint was responded to" in page
    assert "Select the main reason you are asking for the next stage" in page
    assert not any(live in page for live in LIVE) and "&lt;script&gt;" in page
    case.refresh_from_db()
    assert case.state == Case.State.RESPONDED


def test_the_link_names_only_its_stage(build, officer, team_manager):
    case = _responded(build, officer, team_manager)
    token = links.escalation_token(case.current_stage)
    assert links.stage_id_from(token) == case.current_stage_id
    assert "Sam" not in token and case.reference not in token


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_escalate_once(build, officer, team_manager):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; CI runs this with DATABASE_URL set")
    import threading

    case = _responded(build, officer, team_manager)
    token = _link_in(_issued(case).body).split("/")[-2]
    reason = EscalationReason.objects.get(code="response_not_thorough")
    method = ResponseMethod.objects.get(code="written_only")
    outcomes, barrier = [], threading.Barrier(5)

    def ask():
        try:
            barrier.wait()
            public_services.escalation_request(
                token=token, reason=reason, previous_response_method=method
            )
            outcomes.append("escalated")
        except links.LinkProblem as problem:
            outcomes.append(problem.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["escalated"] + ["used"] * 4
    assert case.stages.count() == 2


def test_the_link_is_the_same_whenever_the_draft_is_read(build, team_manager):
    """The link is part of the draft's text: were it to change from one second to the next,
    every save of a draft would look like someone else's edit."""
    case = build.case(Case.State.IN_PROGRESS)
    build.record_findings(case)
    letter = letters.response_letter_save(case, by=team_manager)
    now = timezone.now()
    with freeze_time(now):
        first = letters.current(Letter.objects.get(pk=letter.pk))
        seen = letters.letter_fingerprint(first)
    with freeze_time(now + dt.timedelta(minutes=20)):
        again = letters.current(Letter.objects.get(pk=letter.pk))
        assert _link_in(again.body) == _link_in(first.body)
        saved = letters.letter_update(again, subject=first.subject, body=first.body, seen=seen)
    assert not saved.edited_by_hand


def test_the_link_runs_from_the_response_not_from_when_the_draft_was_written(
    client, build, officer, team_manager
):
    """A draft edited by hand keeps its text, link and all, from the day it was edited: the
    link's life counts from the response going out."""
    drafted = timezone.now() - dt.timedelta(days=settings.ESCALATION_LINK_DAYS - 1)
    with freeze_time(drafted):
        case = build.case(Case.State.IN_PROGRESS)
        build.record_findings(case)
        letter = letters.current(letters.response_letter_save(case, by=team_manager))
    path = _link_in(letter.body)
    services.response_submit(case=case, by=officer)
    workflow.approve_draft(case, by=officer)
    services.response_issue(case=case, by=officer, responded_on=timezone.localdate(), outcome=None)
    with freeze_time(timezone.now() + dt.timedelta(days=5)):
        assert client.get(path).status_code == 200


def test_the_link_is_short_enough_to_type_and_forgives_lower_case(
    client, build, officer, team_manager
):
    case = _responded(build, officer, team_manager)
    token = _link_in(_issued(case).body).split("/")[-2]
    assert len(token) <= 30
    assert links.stage_id_from(token.lower()) == case.current_stage_id
    forged = f"{case.current_stage_id + 1}-{token.split('-')[1]}"
    assert client.get(reverse("public-escalation", kwargs={"token": forged})).status_code == 404
