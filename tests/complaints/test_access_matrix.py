"""Every role against every page and action: allowed (200), refused (403) or not disclosed (404).

The expectations are written out here by hand from the issue's description of each role, not
derived from complaints.access, so a change to the rules must be made twice to pass.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import documents
from complaints.actions import ACTIONS
from complaints.models import Case, Event, Level, Part
from tests.factories import appointed

pytestmark = pytest.mark.django_db
State = Case.State

# The case each action is tried on: one in a state where the action is possible.
CASE_FOR_ACTION = {
    "accept": "received",
    "refuse": "received",
    "resume": "paused",
    "return-draft": "awaiting_qa",
    "approve-draft": "awaiting_qa",
    "issue-response": "approved",
    "escalate": "responded",
    "lessons-learnt": "responded",  # its response found fault, so a form is owed
    "close": "responded",
    "reopen": "responded",
    "schedule-panel": "stage3",
    "record-panel-held": "stage3",
    "record-panel-report": "stage3",
    "cancel-panel-meeting": "stage3",
    "panel-papers": "stage3",
    "submit-for-qa": "stage1",
    "findings": "stage1",
    "remedies": "stage1",
    "draft-response": "stage1",
    "arrange-call-back": "call_back",
    "resolve-call-back": "call_back",
    "convert-call-back": "call_back",
}
# ...and the rest on a Stage 2 investigation in progress.
STAGE_2 = "stage2"

COMPLAINTS_TEAM = set(ACTIONS)
MANAGER_ONLY = {"invoice-approve"}  # approving an appointment's invoice
ROLES = {
    # role: (cases the person can see, cases they hold now, actions their role allows)
    "officer": (None, None, COMPLAINTS_TEAM - MANAGER_ONLY),
    "complaints_manager": (None, None, COMPLAINTS_TEAM),
    "senior_manager": (None, set(), set()),
    "team_manager": (
        {"paused", "awaiting_qa", "approved", "responded", "stage1", "stage2", "stage3"},
        {"paused", "awaiting_qa", "approved", "responded", "stage1"},
        {
            "submit-for-qa",
            "findings",
            "remedies",
            "draft-response",
            "lessons-learnt",
            "contact",
            "document",
        },
    ),
    "other_team_manager": (set(), set(), set()),
    "head_of_service": (
        None,
        None,
        {
            "submit-for-qa",
            "findings",
            "remedies",
            "draft-response",
            "lessons-learnt",
            "contact",
            "document",
        },
    ),
    "investigator": (
        {"stage2", "stage3"},
        {"stage2"},
        {"statement", "contact", "document", "time"},
    ),
    "independent_person": ({"stage2", "stage3"}, {"stage2"}, {"contact", "document", "time"}),
}
ALL_CASES = {
    "received",
    "paused",
    "awaiting_qa",
    "approved",
    "responded",
    "stage1",
    "stage2",
    "stage3",
    "call_back",
}


@pytest.fixture
def cases(build, team, head_of_service):
    from complaints import learning

    service = {"service_area": team.service}
    built = {
        "received": build.case(State.RECEIVED, **service),
        "paused": build.case(State.PAUSED, **service),
        "awaiting_qa": build.case(State.AWAITING_QA, **service),
        "approved": build.case(State.APPROVED, **service),
        "responded": build.case(State.RESPONDED, **service),
        "stage1": build.case(State.IN_PROGRESS, **service),
        "stage2": build.case(State.IN_PROGRESS, level=Level.INVESTIGATION, **service),
        "stage3": build.case(State.IN_PROGRESS, level=Level.REVIEW_PANEL, **service),
        "call_back": build.case(State.RECEIVED, kind=Case.Kind.CALL_BACK, **service),
    }
    assert learning.lessons_owed(built["responded"].current_stage) is not None
    # Appointed from the pool, so the Stage 2 case's cost actions are open.
    stage2 = built["stage2"].current_stage
    appointed(stage2, build.investigator, Part.INVESTIGATING_OFFICER)
    appointed(stage2, build.independent_person, Part.INDEPENDENT_PERSON)
    _panel_meeting(built["stage3"])
    return built


def _panel_meeting(case):
    """A meeting arranged for the panel, so it can be cancelled."""
    from django.utils import timezone

    from complaints.models import PanelMeeting

    starts = timezone.now() + timezone.timedelta(days=7)
    PanelMeeting.objects.create(
        stage=case.current_stage,
        starts_at=starts,
        ends_at=starts + timezone.timedelta(hours=3),
        place="Room 1",
        uid="matrix@council.example",
    )


def expected(role: str, case_key: str, slug: str | None) -> int:
    visible, holds, allowed = ROLES[role]
    visible = ALL_CASES if visible is None else visible
    holds = ALL_CASES if holds is None else holds
    if case_key not in visible:
        return 404
    if slug is None:
        return 200
    return 200 if slug in allowed and case_key in holds else 403


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_action_for_every_role(role, request, client, cases):
    user = request.getfixturevalue(role)
    client.force_login(user)
    wrong = []
    for slug in sorted(ACTIONS):
        key = CASE_FOR_ACTION.get(slug, STAGE_2)
        case = cases[key]
        url = {
            "statement": reverse("element-add", args=[case.reference]),
            "draft-response": reverse("response-letter", args=[case.reference]),
            "letter": reverse("letter-start", args=[case.reference]),
        }.get(slug, reverse("case-action", args=[case.reference, slug]))
        want = expected(role, key, slug)
        method = client.post if slug == "statement" else client.get
        got = method(url).status_code
        if slug == "statement" and got == 400:
            got = 200  # an empty form posted by someone allowed: errors shown, nothing saved
        if got != want:
            wrong.append(f"{slug} on {key}: got {got}, expected {want}")
        if want != 200:
            events = Event.objects.filter(case=case).count()
            posted = client.post(url, {"reason": "x", "on_0": "1", "on_1": "1", "on_2": "2025"})
            assert posted.status_code == want, f"POST {slug} on {key}"
            assert Event.objects.filter(case=case).count() == events
    assert wrong == []


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_for_every_role(role, request, client, cases):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for name in ("home", "case-list", "case-export"):
        assert client.get(reverse(name)).status_code == 200, name
    may_log = role in {"officer", "complaints_manager", "team_manager", "other_team_manager"}
    assert client.get(reverse("case-log")).status_code == (200 if may_log else 403)
    team = {"officer", "complaints_manager"}
    outside = {"investigator", "independent_person"}
    from ombudsman.services import ombudsman_case_create

    lgsco = ombudsman_case_create(
        reference=f"25 {sorted(ROLES).index(role):03d} 999",
        received_on=cases["stage1"].received_on,
        by=None,
    )
    for name, args, allowed in [
        ("ombudsman-detail", [lgsco.pk], team | {"senior_manager"}),
        ("ombudsman-decision", [lgsco.pk], team),
        ("ombudsman-recommendation", [lgsco.pk], team),
        ("ombudsman-deadline", [lgsco.pk], team),
    ]:
        status = client.get(reverse(name, args=args)).status_code
        assert status == (200 if role in allowed else 403), name
    for name, allowed in [
        ("learning", team),
        ("ombudsman-list", team | {"senior_manager"}),
        ("ombudsman-new", team),
        ("compliment-list", set(ROLES) - outside),
        ("compliment-new", set(ROLES) - outside),
    ]:
        assert client.get(reverse(name)).status_code == (200 if role in allowed else 403), name
    for key, case in cases.items():
        page = client.get(reverse("case-detail", args=[case.reference]))
        assert page.status_code == expected(role, key, None), key
        document = documents.document_add(
            case=case,
            by=None,
            kind="evidence",
            title="Evidence",
            upload=SimpleUploadedFile("e.txt", b"notes", content_type="text/plain"),
        )
        download = client.get(reverse("document-download", args=[case.reference, document.pk]))
        assert download.status_code == expected(role, key, None), key


def test_pages_need_a_sign_in(client, cases):
    case = cases["stage1"]
    for url in (
        reverse("home"),
        reverse("case-list"),
        reverse("case-export"),
        reverse("case-log"),
        reverse("case-detail", args=[case.reference]),
        reverse("case-action", args=[case.reference, "allocate"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_senior_manager_sees_no_actions(client, senior_manager, cases):
    client.force_login(senior_manager)
    page = client.get(reverse("case-detail", args=[cases["stage1"].reference]))
    assert page.status_code == 200
    assert b"there is nothing for you to do on it" in page.content
    for slug in ACTIONS:
        assert f"/{slug}/".encode() not in page.content, slug
