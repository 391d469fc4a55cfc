import pytest

from complaints.models import Case

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/"


def test_it_needs_a_sign_in(client):
    assert client.get(URL).status_code == 403


def test_it_lists_what_the_person_may_see_and_no_names(client, build, team_manager, officer):
    own = build.case(Case.State.IN_PROGRESS)
    received = build.case(Case.State.RECEIVED)  # not yet allocated: not the team's
    client.force_login(team_manager)
    body = client.get(URL).json()
    assert [row["reference"] for row in body["results"]] == [own.reference]
    assert own.complainant.name not in str(body)
    client.force_login(officer)
    both = client.get(URL, {"state": "received"}).json()
    assert [row["reference"] for row in both["results"]] == [received.reference]


def test_a_bad_filter_is_a_clear_400(client, officer):
    client.force_login(officer)
    response = client.get(URL, {"state": "nonsense"})
    assert response.status_code == 400
    assert "state" in response.json()


def test_the_list_costs_a_fixed_number_of_queries(
    client, officer, build, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(URL)  # what a session asks once (has this person set up two-factor sign-in?)
    counts = []
    for _ in range(2):
        for _ in range(4):
            build.case(Case.State.IN_PROGRESS)
        with django_assert_max_num_queries(12) as captured:
            client.get(URL)
        counts.append(len(captured))
    assert counts[0] == counts[1]
