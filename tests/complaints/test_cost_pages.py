"""Recording what an appointment costs, on the case page and through the API: the actions
"time", "invoice" and "invoice-approve" of complaints.actions."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import costs, pool
from complaints.models import Case, Invoice, Level, Part, TimeEntry
from tests.factories import PoolMemberFactory, appointed
from tests.support.forms import date_fields, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(build, investigator, independent_person):
    case = build.case(Case.State.IN_PROGRESS, level=Level.INVESTIGATION)
    stage = case.current_stage
    appointed(
        stage, investigator, Part.INVESTIGATING_OFFICER, rate=Decimal("350"), rate_unit="day"
    )
    appointed(
        stage, independent_person, Part.INDEPENDENT_PERSON, rate=Decimal("40"), rate_unit="hour"
    )
    return case


def _appointment(case, part):
    return case.current_stage.appointments.get(part=part)


def _url(case, slug):
    return reverse("case-action", args=[case.reference, slug])


def _time(client, case, appointment, quantity="2", expenses=""):
    return client.post(
        _url(case, "time"),
        {
            "submission": token(),
            "appointment": appointment.pk,
            "quantity": quantity,
            "expenses": expenses,
            **date_fields("worked_on", timezone.localdate()),
        },
    )


def _invoice(client, case, appointment, amount="900", number="INV-1"):
    return client.post(
        _url(case, "invoice"),
        {
            "submission": token(),
            "appointment": appointment.pk,
            "number": number,
            "amount": amount,
            **date_fields("received_on", timezone.localdate()),
        },
    )


def test_the_case_page_shows_each_appointments_cost_with_its_links(client, officer, case):
    io = _appointment(case, Part.INVESTIGATING_OFFICER)
    client.force_login(officer)
    assert _time(client, case, io, "2", "15.20").status_code == 302
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert 'id="costs"' in page
    assert "£715.20" in page  # 2 days at £350, and £15.20 expenses
    assert f"/cases/{case.reference}/time/?appointment={io.pk}" in page
    assert f"/cases/{case.reference}/invoice/?appointment={io.pk}" in page
    assert "£40.00 per hour" in page


def test_a_link_chooses_the_appointment_in_advance(client, officer, case):
    io = _appointment(case, Part.INVESTIGATING_OFFICER)
    client.force_login(officer)
    page = client.get(_url(case, "time") + f"?appointment={io.pk}").content.decode()
    radios = re.findall(r"<input[^>]*radio[^>]*>", page, re.S)
    # The independent person's first, then the investigating officer's, chosen.
    assert [("checked" in r) for r in radios] == [False, True]


def test_negative_time_gets_an_error_summary_and_saves_nothing(client, officer, case):
    client.force_login(officer)
    response = _time(client, case, _appointment(case, Part.INVESTIGATING_OFFICER), "-1")
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "cannot be negative" in body
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("", "Enter the invoice&#x27;s amount"), ("0", "more than £0"), ("-5", "more than £0")],
)
def test_an_invoice_without_a_positive_amount_is_refused_on_the_page(
    client, officer, case, amount, message
):
    client.force_login(officer)
    response = _invoice(client, case, _appointment(case, Part.INDEPENDENT_PERSON), amount)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and message in body
    assert not Invoice.objects.exists()


def test_the_manager_approves_an_invoice_once_and_an_officer_may_not(
    client, officer, complaints_manager, case
):
    ip = _appointment(case, Part.INDEPENDENT_PERSON)
    client.force_login(officer)
    assert _invoice(client, case, ip, "1200").status_code == 302
    invoice = Invoice.objects.get()
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert "awaiting approval" in page
    assert "/invoice-approve/" not in page  # not the officer's to approve
    assert client.get(_url(case, "invoice-approve")).status_code == 403

    client.force_login(complaints_manager)
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert f"/cases/{case.reference}/invoice-approve/?invoice={invoice.pk}" in page
    data = {"submission": token(), "invoice": invoice.pk} | date_fields("on", timezone.localdate())
    assert client.post(_url(case, "invoice-approve"), data).status_code == 302
    invoice.refresh_from_db()
    assert invoice.approved_by == complaints_manager
    assert costs.cost(ip) == Decimal("1200.00")

    again = client.post(_url(case, "invoice-approve"), data | {"submission": token()})
    assert again.status_code == 400
    assert "already approved" in again.content.decode()


def test_an_investigator_records_their_own_time_and_sees_only_their_appointment(
    client, investigator, case
):
    io = _appointment(case, Part.INVESTIGATING_OFFICER)
    ip = _appointment(case, Part.INDEPENDENT_PERSON)
    client.force_login(investigator)
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert f"?appointment={io.pk}" in page
    assert f"?appointment={ip.pk}" not in page
    assert "/invoice/" not in page  # invoices are the complaints team's
    # The time form offers only their own appointment, without anyone's rate.
    form = client.get(_url(case, "time")).content.decode()
    assert f'value="{io.pk}"' in form and f'value="{ip.pk}"' not in form
    assert str(ip.member) not in form and "£" not in form
    assert _time(client, case, io, "1").status_code == 302
    refused = _time(client, case, ip, "1")
    assert refused.status_code == 400
    assert str(ip.member) not in refused.content.decode()
    assert TimeEntry.objects.count() == 1


def test_a_team_manager_may_not_record_costs(client, team_manager, case):
    client.force_login(team_manager)
    assert client.get(_url(case, "time")).status_code == 403
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert 'id="costs"' not in page


def test_a_case_without_appointments_offers_no_cost_actions(client, officer, build):
    client.force_login(officer)
    case = build.case(Case.State.IN_PROGRESS, level=Level.INVESTIGATION, prepare=False)
    assert client.get(_url(case, "time")).status_code == 403


def test_the_api_records_time_through_the_same_form(client, officer, case):
    io = _appointment(case, Part.INVESTIGATING_OFFICER)
    client.force_login(officer)
    url = reverse("api-case-time", args=[case.reference])
    day = timezone.localdate().isoformat()
    bad = client.post(
        url,
        {"appointment": io.pk, "worked_on": day, "quantity": "-2"},
        content_type="application/json",
    )
    assert bad.status_code == 400, bad.content
    assert not TimeEntry.objects.exists()
    good = client.post(
        url,
        {"appointment": io.pk, "worked_on": day, "quantity": "1.5", "expenses": "12.00"},
        content_type="application/json",
    )
    assert good.status_code == 200, good.content
    assert costs.accrued(io) == Decimal("537.00")


def test_worked_on_before_the_appointment_lands_on_its_field(client, officer, case):
    client.force_login(officer)
    io = _appointment(case, Part.INVESTIGATING_OFFICER)
    response = client.post(
        _url(case, "time"),
        {"submission": token(), "appointment": io.pk, "quantity": "1"}
        | date_fields("worked_on", io.appointed_on - dt.timedelta(days=3)),
    )
    assert response.status_code == 400
    assert "before the appointment" in response.content.decode()


def test_the_case_page_reads_costs_in_the_same_queries_however_many_appointments(
    client, officer, build, case, django_assert_max_num_queries
):
    client.force_login(officer)
    busy = build.case(Case.State.IN_PROGRESS, level=Level.INVESTIGATION)
    for n in range(3):
        member = PoolMemberFactory(parts=["independent_person"])
        appointment = pool.appoint(
            busy.current_stage, member, Part.INDEPENDENT_PERSON, by=None, on=timezone.localdate()
        )
        costs.time_record(
            appointment=appointment, by=officer, worked_on=timezone.localdate(), quantity=1
        )
        costs.invoice_record(
            appointment=appointment,
            by=officer,
            number=f"N{n}",
            received_on=timezone.localdate(),
            amount=Decimal("10"),
        )

    def queries(reference):
        with django_assert_max_num_queries(60) as captured:
            assert client.get(reverse("case-detail", args=[reference])).status_code == 200
        return len(captured)

    queries(case.reference)  # the first page of a session reads more
    assert queries(case.reference) == queries(busy.reference)
