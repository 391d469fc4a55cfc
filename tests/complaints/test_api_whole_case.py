"""One complaint from receipt to the Ombudsman through the API alone, with integration tokens,
and the answers the API gives when a move is refused."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from complaints.models import Case, Event
from tests.factories import CaseBuilder

pytestmark = pytest.mark.django_db


def as_(user) -> APIClient:
    """An integration holding the person's token (no session, no CSRF)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def first_code(reference_data: dict, category: str, code: str | None = None) -> str:
    codes = [entry["code"] for entry in reference_data["categories"][category]]
    assert codes, category
    if code is not None:
        assert code in codes, (category, codes)
        return code
    return codes[0]


@pytest.fixture
def complaints_team(officer):
    return as_(officer)


def test_a_complaint_from_receipt_to_the_ombudsman_through_the_api_alone(
    complaints_team, team, team_manager, investigator, independent_person, senior_manager
):
    api = complaints_team
    today = timezone.localdate().isoformat()
    ref = ok(api.get("/api/v1/reference-data/"))

    case = ok(
        api.post(
            "/api/v1/cases/",
            {
                "kind": "complaint",
                "received_on": today,
                "channel": first_code(ref, "channel", "email"),
                "via": "direct",
                "name": "Pat Example",
                "email": "pat@example.org",
                "relationship": first_code(ref, "relationship"),
                "parental_responsibility": "yes",
                "summary": "Nobody returned my calls about contact arrangements.",
                "service_area": team.service_id,
                "contact_by": "email",
                "reasonable_adjustments": "Large print, please.",
            },
            format="json",
        ),
        201,
    )
    reference = case["reference"]
    assert case["state"] == "received" and case["channel"] == "email"
    assert (case["contact_by"], case["reasonable_adjustments"]) == (
        "email",
        "Large print, please.",
    )
    assert "accept" in case["actions"]

    def act(client, slug, body=None, status=200):
        return ok(
            client.post(f"/api/v1/cases/{reference}/{slug}/", body or {}, format="json"), status
        )

    act(
        api,
        "accept",
        {
            "procedure": "statutory",
            "level": 1,
            "on": today,
            "eligibility_ground": first_code(ref, "eligibilityground"),
        },
    )
    act(api, "statement", {"summary": "Calls not returned", "nature": first_code(ref, "nature")})
    act(api, "allocate", {"team": team.pk, "on": today})

    manager = as_(team_manager)
    upheld = first_code(ref, "finding", "upheld")
    act(manager, "findings", {"finding_1": upheld, "reasoning_1": "The calls were missed."})
    act(manager, "remedies", {"kind": first_code(ref, "remedykind", "apology")})
    act(manager, "submit-for-qa")
    act(api, "approve-draft")
    stage_1 = act(api, "issue-response", {"responded_on": today})
    assert stage_1["stages"][0]["findings"] == [
        {"element": 1, "finding": upheld, "reasoning": "The calls were missed."}
    ]
    assert [letter["kind"] for letter in stage_1["letters"]] == ["response"]

    reason = first_code(ref, "escalationreason")
    method = first_code(ref, "responsemethod")
    act(
        api,
        "escalate",
        {"requested_on": today, "reason": reason, "previous_response_method": method},
    )
    act(
        api,
        "appoint-investigators",
        {
            "investigating_officer": investigator.username,
            "independent_person": independent_person.username,
            "adjudicating_officer": senior_manager.username,
            "on": today,
        },
    )
    act(api, "record-statement-agreed", {"on": today})
    act(api, "record-report-received", {"on": today})
    act(api, "findings", {"finding_1": upheld})
    act(api, "submit-for-qa")
    act(api, "approve-draft")
    act(api, "issue-response", {"responded_on": today})

    act(api, "escalate", {"requested_on": today, "reason": reason})
    act(
        api,
        "schedule-panel",
        {
            "panel_date": today,
            "starts": "10:00",
            "ends": "12:30",
            "place": "Committee Room 2",
            **{s.field: s.member.pk for s in CaseBuilder.panel_seats()},
        },
    )
    act(api, "record-panel-held", {"on": today})
    act(api, "record-panel-report", {"on": today})
    act(api, "findings", {"finding_1": upheld})
    act(api, "submit-for-qa")
    act(api, "approve-draft")
    done = act(api, "issue-response", {"responded_on": today})
    assert [s["level"] for s in done["stages"]] == [1, 2, 3]
    assert all(s["responded_on"] == today for s in done["stages"])

    lgsco = ok(
        api.post(
            "/api/v1/ombudsman/",
            {
                "reference": "26 001 234",
                "received_on": today,
                "route": "assessment",
                "complaint_references": reference,
            },
            format="json",
        ),
        201,
    )
    assert lgsco["complaints"] == [reference]
    decided = ok(
        api.post(
            f"/api/v1/ombudsman/{lgsco['id']}/decision/",
            {
                "decision": first_code(ref, "decision", "upheld_maladministration_injustice")
                if "upheld_maladministration_injustice"
                in [d["code"] for d in ref["categories"]["decision"]]
                else first_code(ref, "decision"),
                "decision_on": today,
                "route": "investigation",
            },
            format="json",
        )
    )
    assert decided["decision"]
    recommended = ok(
        api.post(
            f"/api/v1/ombudsman/{lgsco['id']}/recommendations/",
            {
                "kind": first_code(ref, "recommendationkind"),
                "detail": "Apologise.",
                "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
                "owner": senior_manager.username,
            },
            format="json",
        ),
        201,
    )
    assert len(recommended["recommendations"]) == 1
    moves = list(Event.objects.filter(case__reference=reference).values_list("move", flat=True))
    assert moves[0] == "receive" and moves.count("issue_response") == 3


def test_another_teams_manager_gets_404_for_the_case_and_its_actions(build, other_team_manager):
    case = build.case(Case.State.IN_PROGRESS)
    stranger = as_(other_team_manager)
    assert stranger.get(f"/api/v1/cases/{case.reference}/").status_code == 404
    response = stranger.post(f"/api/v1/cases/{case.reference}/remedies/", {}, format="json")
    assert response.status_code == 404
    assert case.complainant.name not in response.content.decode()


def test_a_move_the_state_does_not_allow_is_409_with_the_reason(build, complaints_team):
    case = build.case(Case.State.IN_PROGRESS)
    response = complaints_team.post(f"/api/v1/cases/{case.reference}/approve-draft/")
    assert response.status_code == 409
    assert response.json()["state"] == "in_progress"
    assert "Approve" in response.json()["detail"]


def test_a_stale_copy_is_412_and_nothing_is_done(build, complaints_team):
    case = build.case(Case.State.IN_PROGRESS)
    url = f"/api/v1/cases/{case.reference}/"
    today = timezone.localdate().isoformat()
    etag = complaints_team.get(url)["ETag"]
    moved = complaints_team.post(url + "pause/", {"reason": "Waiting", "on": today}, format="json")
    assert moved.status_code == 200 and moved["ETag"] != etag
    before = Event.objects.filter(case=case).count()
    stale = complaints_team.post(url + "resume/", {"on": today}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Event.objects.filter(case=case).count() == before


def test_the_same_idempotency_key_does_it_once(build, complaints_team):
    case = build.case(Case.State.IN_PROGRESS)
    url = f"/api/v1/cases/{case.reference}/contact/"
    body = {"kind": "call", "happened_on": timezone.localdate().isoformat(), "note": "Rang"}
    key = {"HTTP_IDEMPOTENCY_KEY": "6f1e3c1a-0c3b-4d7e-9d7a-2f0a3b9c1d11"}
    assert complaints_team.post(url, body, format="json", **key).status_code == 200
    assert complaints_team.post(url, body, format="json", **key).status_code == 409
    assert case.contacts.count() == 1


def test_bad_input_is_a_400_naming_each_field_and_saves_nothing(build, complaints_team):
    case = build.case(Case.State.IN_PROGRESS)
    url = f"/api/v1/cases/{case.reference}/remedies/"
    response = complaints_team.post(url, {"kind": "no-such-remedy"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
    response = complaints_team.post(url, {"kind": ["a list"]}, format="json")
    assert response.status_code == 400
    assert not case.current_stage.remedies.exists()


def test_the_browser_and_the_api_offer_the_same_actions():
    """Every action with a form is an endpoint, and every endpoint an action with a form."""
    from django.urls import get_resolver

    from complaints.actions import ACTIONS

    names = {n for n in get_resolver().reverse_dict if isinstance(n, str)}
    with_forms = {slug for slug, a in ACTIONS.items() if a.form is not None}
    endpoints = {n.removeprefix("api-case-") for n in names if n.startswith("api-case-")}
    assert with_forms == endpoints - {"document-file"}
