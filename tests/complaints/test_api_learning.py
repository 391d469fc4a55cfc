"""Lessons-learnt forms and agreed actions through the API: who sees which, and marking an
action done under the page's rules."""

import datetime as dt

import pytest
from freezegun import freeze_time

from complaints import learning
from complaints.models import AgreedAction, Case

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def responded(build):
    with freeze_time(D(2025, 6, 2)):
        return build.case(Case.State.RESPONDED, received_on=D(2025, 5, 20))


@pytest.fixture
def action(responded, team_manager, officer):
    return learning.action_add(
        case=responded,
        source=AgreedAction.Source.STAGE_2,
        description="Review the placement plan",
        owner=team_manager,
        due_on=D(2025, 7, 31),
        by=officer,
    )


def test_the_team_sees_every_form_and_action_and_others_their_own(
    client, responded, action, officer, team_manager, senior_manager
):
    form = learning.lessons_owed(responded.current_stage)
    client.force_login(officer)
    forms = client.get("/api/v1/lessons-learnt/").json()["results"]
    assert [(f["id"], f["case"], f["owed_by"]) for f in forms] == [
        (form.pk, responded.reference, team_manager.username)
    ]
    assert client.get("/api/v1/lessons-learnt/?submitted=true").json()["results"] == []
    actions = client.get("/api/v1/agreed-actions/?status=open").json()["results"]
    assert [a["description"] for a in actions] == ["Review the placement plan"]

    client.force_login(team_manager)
    assert len(client.get("/api/v1/agreed-actions/").json()["results"]) == 1
    client.force_login(senior_manager)  # owns none, owes none
    assert client.get("/api/v1/agreed-actions/").json()["results"] == []
    assert client.get("/api/v1/lessons-learnt/").json()["results"] == []


def test_the_case_carries_its_forms_and_actions(client, responded, action, officer):
    client.force_login(officer)
    case = client.get(f"/api/v1/cases/{responded.reference}/").json()
    assert [a["id"] for a in case["agreed_actions"]] == [action.pk]
    assert len(case["lessons_learnt"]) == 1


def test_the_owner_marks_it_done_but_only_the_team_words_it_for_the_public(
    client, action, team_manager, senior_manager
):
    url = f"/api/v1/agreed-actions/{action.pk}/done/"
    client.force_login(senior_manager)
    refused = client.post(url, {"evidence": "Done"}, content_type="application/json")
    assert refused.status_code == 404  # not theirs: not shown
    client.force_login(team_manager)
    body = {
        "evidence": "New plan agreed <script>",
        "on": "2025-07-01",
        "published_summary": "Mine",
    }
    with freeze_time(D(2025, 7, 2)):
        done = client.post(url, body, content_type="application/json")
    assert done.status_code == 200, done.content
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (AgreedAction.Status.DONE, D(2025, 7, 1))
    assert action.published_summary == ""  # the field is not the owner's to fill
    with freeze_time(D(2025, 7, 2)):
        again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400
    assert "already closed" in str(again.json())


def test_the_lists_cost_a_fixed_number_of_queries(
    client, build, officer, team_manager, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get("/api/v1/agreed-actions/")
    counts = []
    for _ in range(2):
        for _ in range(3):
            case = build.case(Case.State.IN_PROGRESS)
            learning.action_add(
                case=case,
                source=AgreedAction.Source.STAGE_2,
                description="x",
                owner=team_manager,
                due_on=D(2025, 7, 31),
                by=officer,
            )
        with django_assert_max_num_queries(20) as captured:
            client.get("/api/v1/agreed-actions/")
            client.get("/api/v1/lessons-learnt/")
        counts.append(len(captured))
    assert counts[0] == counts[1]
