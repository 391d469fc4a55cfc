"""Who the API lets in, how much it lets them ask, and what it refuses to guess: tokens from
`manage.py drf_create_token`, the schema behind a sign-in, throttling per token, and strict
reading of filters and typed input."""

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from complaints.models import Case

pytestmark = pytest.mark.django_db


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_from_the_management_command_signs_an_integration_in(officer, build):
    case = build.case(Case.State.IN_PROGRESS)
    out = io.StringIO()
    call_command("drf_create_token", officer.username, stdout=out)
    key = Token.objects.get(user=officer).key
    assert key in out.getvalue()

    response = _token_client(key).get(f"/api/v1/cases/{case.reference}/")
    assert response.status_code == 200
    assert response.json()["reference"] == case.reference
    assert _token_client("not-a-token").get("/api/v1/cases/").status_code in (401, 403)


def test_the_schema_and_its_docs_need_a_sign_in(client, officer):
    assert client.get("/api/schema/").status_code == 403
    assert client.get("/api/docs/").status_code == 403
    client.force_login(officer)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    # Swagger UI from this server (drf-spectacular-sidecar), never from a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()


def test_the_schema_names_each_answer_once_and_documents_lists(client, officer):
    client.force_login(officer)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert "Output" not in components
    cases = schema["paths"]["/api/v1/cases/"]["get"]
    documented = {p["name"] for p in cases["parameters"]}
    assert {"cursor", "page_size", "ordering", "state", "received_after"} <= documented
    assert {"200", "400", "403", "429"} <= set(cases["responses"])
    working_days = schema["paths"]["/api/v1/working-days/"]["get"]["responses"]["200"]
    assert (
        working_days["content"]["application/json"]["schema"]["$ref"]
        != (cases["responses"]["200"]["content"]["application/json"]["schema"]["$ref"])
    )


def test_throttling_counts_each_token_apart(officer, complaints_manager, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "3/minute", raising=False)
    first = _token_client(Token.objects.create(user=officer).key)
    second = _token_client(Token.objects.create(user=complaints_manager).key)
    answers = [first.get("/api/v1/cases/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert second.get("/api/v1/cases/").status_code == 200


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/cases/?received_before=", "received_before"),
        ("/api/v1/cases/?stage=1&stage=2", "stage"),
        ("/api/v1/ombudsman/?undecided=null", "undecided"),
        ("/api/v1/compliments/?received_after=", "received_after"),
        ("/api/v1/cases/?page_size=null", "page_size"),
        ("/api/v1/ombudsman/?page_size=10&page_size=20", "page_size"),
    ],
)
def test_a_filter_it_cannot_read_is_a_400_not_every_row(client, officer, url, parameter):
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 400
    assert parameter in response.json()


def test_input_of_the_wrong_json_type_is_a_400(client, officer, build):
    case = build.case(Case.State.IN_PROGRESS)
    client.force_login(officer)
    response = client.post(
        f"/api/v1/cases/{case.reference}/contact/",
        {"kind": "call", "happened_on": "2025-06-30", "note": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "note" in response.json()
    assert not case.contacts.exists()
