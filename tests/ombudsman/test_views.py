"""The Ombudsman pages refuse bad input on the form, keeping what was typed."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from ombudsman import services
from ombudsman.models import Decision, OmbudsmanCase

pytestmark = pytest.mark.django_db


def dates(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def test_a_duplicate_reference_is_an_error_on_its_field(client, officer):
    services.ombudsman_case_create(reference="25 000 111", received_on=dt.date.today(), by=officer)
    client.force_login(officer)
    response = client.post(
        reverse("ombudsman-new"),
        {
            "submission": str(uuid.uuid4()),
            "reference": "25 000 111",
            "route": "assessment",
            "summary": "About the placement",
            **dates("received_on", dt.date.today()),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already recorded" in body
    assert 'href="#id_reference"' in body
    assert "About the placement" in body  # nothing typed is lost
    assert OmbudsmanCase.objects.count() == 1


def test_a_decision_before_the_date_received_is_an_error_on_its_field(client, officer):
    today = dt.date.today()
    case = services.ombudsman_case_create(reference="25 000 112", received_on=today, by=officer)
    client.force_login(officer)
    response = client.post(
        reverse("ombudsman-decision", args=[case.pk]),
        {
            "submission": str(uuid.uuid4()),
            "decision": Decision.objects.get(code="not_upheld").pk,
            **dates("decision_on", today - dt.timedelta(days=3)),
        },
    )
    assert response.status_code == 400
    assert "cannot be before" in response.content.decode()
    case.refresh_from_db()
    assert case.decision is None


def test_an_unknown_complaint_reference_is_named(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("ombudsman-new"),
        {
            "submission": str(uuid.uuid4()),
            "reference": "25 000 113",
            "route": "assessment",
            "complaint_references": "CSC-1999-00001",
            **dates("received_on", dt.date.today()),
        },
    )
    assert response.status_code == 400
    assert "No complaint with reference CSC-1999-00001" in response.content.decode()


def _list(client, url, params, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_list_filters_awaiting_decision_and_costs_fixed_queries(
    client, officer, django_assert_max_num_queries
):
    today = dt.date.today()
    decided = services.ombudsman_case_create(reference="25 500 001", received_on=today, by=officer)
    services.decision_record(
        decided, decision=Decision.objects.get(code="premature"), decision_on=today
    )
    services.ombudsman_case_create(reference="25 500 002", received_on=today, by=officer)
    client.force_login(officer)
    url = reverse("ombudsman-list")
    client.get(url)
    few, page = _list(client, url, {}, django_assert_max_num_queries)
    assert "25 500 001" in page and "25 500 002" in page  # an unticked box hides nothing
    _, waiting = _list(client, url, {"undecided": "on"}, django_assert_max_num_queries)
    assert "25 500 002" in waiting and "25 500 001" not in waiting
    for n in range(8):
        case = services.ombudsman_case_create(
            reference=f"25 600 {n:03d}", received_on=today, by=officer
        )
        services.decision_record(
            case,
            decision=Decision.objects.get(code="not_upheld"),
            decision_on=today,
            route="investigation",
        )
    many, _ = _list(client, url, {}, django_assert_max_num_queries)
    assert few == many


def test_deadlines_the_ombudsman_set_are_recorded_and_met(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("ombudsman-new"),
        {
            "submission": str(uuid.uuid4()),
            "reference": "25 000 222",
            "route": "assessment",
            "summary": "About contact",
            **dates("received_on", dt.date.today()),
            **dates("enquiry_response_due_on", dt.date.today() + dt.timedelta(days=20)),
        },
    )
    case = OmbudsmanCase.objects.get(reference="25 000 222")
    assert response["Location"] == reverse("ombudsman-detail", args=[case.pk])
    enquiries = case.deadlines.get()
    assert enquiries.kind == "enquiry_response" and enquiries.met_on is None
    due = dt.date.today() + dt.timedelta(days=30)
    client.post(
        reverse("ombudsman-deadline", args=[case.pk]),
        {"submission": str(uuid.uuid4()), "kind": "draft_comments", **dates("due_on", due)},
    )
    assert case.deadlines.get(kind="draft_comments").due_on == due
    client.post(reverse("ombudsman-met", args=[case.pk, enquiries.pk]))
    enquiries.refresh_from_db()
    assert enquiries.met_on == dt.date.today()


def test_an_upheld_decision_needs_an_investigation(client, officer):
    today = dt.date.today()
    case = services.ombudsman_case_create(reference="25 000 113", received_on=today, by=officer)
    client.force_login(officer)
    url = reverse("ombudsman-decision", args=[case.pk])
    upheld = Decision.objects.get(code="upheld_fault_injustice").pk
    response = client.post(
        url, {"submission": str(uuid.uuid4()), "decision": upheld, **dates("decision_on", today)}
    )
    assert response.status_code == 400
    assert "Assessment and enquiries" in response.content.decode()
    case.refresh_from_db()
    assert case.decision is None
    # Said to have followed an investigation, it is recorded, and the route with it.
    response = client.post(
        url,
        {
            "submission": str(uuid.uuid4()),
            "decision": upheld,
            "route": "investigation",
            **dates("decision_on", today),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.decision_id == upheld and case.route == "investigation"


def test_an_ombudsman_case_is_opened_from_the_complaint(client, officer, build, team_manager):
    complaint = build.case("responded")
    client.force_login(officer)
    page = client.get(reverse("case-detail", args=[complaint.reference])).content.decode()
    link = reverse("ombudsman-new") + f"?complaint={complaint.reference}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'value="{complaint.reference}"' in form
    # Only the complaints team records Ombudsman cases, and a made-up reference fills nothing.
    made_up = client.get(reverse("ombudsman-new") + "?complaint=CSC-1999-99999").content.decode()
    assert "CSC-1999-99999" not in made_up
    client.force_login(team_manager)
    assert client.get(link).status_code == 403


def test_the_decision_form_records_the_draft_date_and_an_earlier_remedy(client, officer):
    today = dt.date.today()
    case = services.ombudsman_case_create(
        reference="25 000 114", received_on=today - dt.timedelta(days=60), by=officer
    )
    client.force_login(officer)
    response = client.post(
        reverse("ombudsman-decision", args=[case.pk]),
        {
            "submission": str(uuid.uuid4()),
            "decision": Decision.objects.get(code="upheld_fault_injustice").pk,
            "route": "investigation",
            "remedied_before_decision": "yes",
            "published_summary": "A grandparent's contact was not arranged; we apologised.",
            **dates("draft_decision_on", today - dt.timedelta(days=10)),
            **dates("decision_on", today),
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.remedied_before_decision is True
    assert case.published_summary.startswith("A grandparent's contact")
    assert case.draft_decision_on == today - dt.timedelta(days=10)
    page = client.get(reverse("ombudsman-detail", args=[case.pk])).content.decode()
    assert "the council had already remedied the complaint" in page
