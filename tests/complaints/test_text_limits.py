"""Free text has a length limit, with a clear error that keeps what was typed."""

import datetime as dt

import pytest
from django.urls import reverse

from complaints.forms import TEXT_MAX_LENGTH
from complaints.models import Contact
from tests.complaints.test_views import date_fields, log_form, token

pytestmark = pytest.mark.django_db


def test_a_huge_contact_note_is_refused_with_the_limit_and_kept_on_the_form(
    client, officer, build
):
    case = build.case("in_progress")
    client.force_login(officer)
    note = "x" * 2_400_000
    response = client.post(
        reverse("case-action", args=[case.reference, "contact"]),
        {
            "submission": token(),
            "kind": "call",
            **date_fields("happened_on", dt.date.today()),
            "note": note,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"must be {TEXT_MAX_LENGTH:,} characters or fewer. It has 2400000" in page
    assert note in page  # nothing typed is lost
    assert not Contact.objects.filter(case=case).exists()


def test_at_the_limit_is_fine(client, officer, build):
    case = build.case("in_progress")
    client.force_login(officer)
    response = client.post(
        reverse("case-action", args=[case.reference, "contact"]),
        {
            "submission": token(),
            "kind": "call",
            **date_fields("happened_on", dt.date.today()),
            "note": "y" * TEXT_MAX_LENGTH,
        },
    )
    assert response.status_code == 302


def test_every_text_field_on_the_log_form_has_a_limit(client, officer):
    from complaints.forms import CaseLogForm

    form = CaseLogForm()
    for name, field in form.fields.items():
        if hasattr(field, "max_length") and field.__class__.__name__ in {"CharField"}:
            assert field.max_length is not None, name
    client.force_login(officer)
    response = client.post(reverse("case-log"), log_form(summary="z" * (TEXT_MAX_LENGTH + 1)))
    assert response.status_code == 200
    assert "“Summary of the representation” must be 10,000 characters or fewer" in (
        response.content.decode()
    )
