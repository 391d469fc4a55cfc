import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/working-days/"


def test_it_needs_no_log_in_and_answers_json(client):
    response = client.get(URL, {"start": "2024-12-16", "days": 10})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2024-12-16",
        "days": 10,
        "calendar": "statutory",
        "due": "2025-01-02",
    }


def test_the_corporate_calendar_skips_closure_days(client):
    from complaints.models import NonWorkingDay

    NonWorkingDay.objects.create(date="2024-12-24", kind="closure", name="Council closed")
    response = client.get(URL, {"start": "2024-12-16", "days": 10, "calendar": "corporate"})
    assert response.json()["due"] == "2025-01-03"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "16/12/2024", "days": 10}, "start"),
        ({"start": "2024-12-16", "days": -1}, "days"),
        ({"start": "2024-12-16", "days": "ten"}, "days"),
        ({"start": "2024-12-16", "days": 10, "calendar": "lunar"}, "calendar"),
        ({"days": 10}, "start"),
        ({"start": "1990-01-01", "days": 10}, "start"),
    ],
)
def test_bad_input_gets_a_clear_error(client, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_schema_documents_it(admin_client):
    response = admin_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/working-days/" in response.content
