import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Case, Document

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


def test_a_50_mb_upload_is_a_400_and_nothing_is_kept(client, build, officer):
    case = build.case(Case.State.IN_PROGRESS)
    client.force_login(officer)
    big = SimpleUploadedFile(
        "report.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(
        f"/api/v1/cases/{case.reference}/document/",
        {"kind": "other", "title": "Report", "file": big},
    )
    assert response.status_code == 400, response.content
    assert "smaller than 20 MB" in str(response.json()["file"])
    assert not Document.objects.exists()


def test_contact_details_go_only_to_the_complaints_team(
    client, build, officer, team_manager, investigator
):
    case = build.case(Case.State.IN_PROGRESS)
    case.complainant.email, case.complainant.phone = "parent@example.org", "01234 000000"
    case.complainant.address = "1 Private Road"
    case.complainant.save()
    client.force_login(officer)
    complainant = client.get(f"{URL}{case.reference}/").json()["complainant"]
    assert complainant["email"] == "parent@example.org"

    client.force_login(team_manager)
    answer = client.get(f"{URL}{case.reference}/")
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "parent@example.org" not in body and "Private Road" not in body
    assert "01234 000000" not in body and "date_of_birth" not in body
