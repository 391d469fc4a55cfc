"""complaints.costs: time, expenses and invoices on an appointment, and what it costs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints import costs, pool
from complaints.errors import DomainError
from complaints.models import Appointment, Invoice, Level, Part, RateUnit, TimeEntry
from tests.factories import PoolMemberFactory, appointed

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(build, investigator):
    stage = build.case(level=Level.INVESTIGATION).current_stage
    return appointed(stage, investigator, Part.INVESTIGATING_OFFICER, rate=Decimal("350"))


def _time(appointment, by, quantity="2", expenses="0", **more):
    return costs.time_record(
        appointment=appointment,
        by=by,
        worked_on=more.pop("worked_on", timezone.localdate()),
        quantity=Decimal(quantity) if quantity is not None else None,
        expenses=Decimal(expenses) if expenses is not None else None,
        **more,
    )


def _invoice(appointment, by, number="INV-1", amount="900"):
    return costs.invoice_record(
        appointment=appointment,
        by=by,
        number=number,
        received_on=timezone.localdate(),
        amount=Decimal(amount) if amount is not None else None,
    )


def test_accrued_is_time_at_the_rate_plus_expenses(appointment, officer):
    _time(appointment, officer, "2", "40.50")
    _time(appointment, officer, "0.5")
    assert costs.accrued(appointment) == Decimal("915.50")  # 2.5 days × £350 + £40.50
    assert costs.cost(appointment) == Decimal("915.50")


def test_an_hourly_rate_is_costed_by_the_hour(appointment, officer):
    appointment.rate, appointment.rate_unit = Decimal("45"), RateUnit.HOUR
    appointment.save()
    _time(appointment, officer, "7.5")
    assert costs.accrued(appointment) == Decimal("337.50")


def test_the_rate_is_the_one_agreed_at_appointment_not_the_members_today(appointment, officer):
    appointment.member.rate = Decimal("999")
    appointment.member.save()
    _time(appointment, officer, "1")
    assert costs.cost(appointment) == Decimal("350.00")


def test_an_approved_invoice_replaces_the_accrued_cost(appointment, officer, complaints_manager):
    """The rule: approved invoices' total if any is approved, else the accrued cost."""
    _time(appointment, officer, "3")  # accrued £1,050
    invoice = _invoice(appointment, officer, amount="980")
    # Recorded but not approved: it counts for nothing yet.
    assert costs.cost(appointment) == Decimal("1050.00")
    costs.invoice_approve(invoice=invoice, by=complaints_manager, on=timezone.localdate())
    assert costs.cost(appointment) == Decimal("980.00")
    second = _invoice(appointment, officer, number="INV-2", amount="120")
    costs.invoice_approve(invoice=second, by=complaints_manager, on=timezone.localdate())
    assert costs.cost(appointment) == Decimal("1100.00")
    # The accrued cost is still what the time says.
    assert costs.accrued(appointment) == Decimal("1050.00")


def test_the_annotated_cost_follows_the_same_rule(appointment, officer, complaints_manager):
    _time(appointment, officer, "1", "10")
    read = costs.with_costs(Appointment.objects.filter(pk=appointment.pk)).get()
    assert costs.annotated_cost(read) == Decimal("360.00")
    invoice = _invoice(appointment, officer, amount="500")
    costs.invoice_approve(invoice=invoice, by=complaints_manager, on=timezone.localdate())
    read = costs.with_costs(Appointment.objects.filter(pk=appointment.pk)).get()
    assert costs.annotated_cost(read) == Decimal("500.00")


@pytest.mark.parametrize(
    ("quantity", "expenses", "field", "message"),
    [
        ("-1", "0", "quantity", "cannot be negative"),
        ("1", "-5", "expenses", "cannot be negative"),
        ("0", "0", "quantity", "Enter the days worked, the expenses, or both"),
        (None, None, "quantity", "Enter the days worked"),
    ],
)
def test_bad_time_is_refused_and_saves_nothing(
    appointment, officer, quantity, expenses, field, message
):
    with pytest.raises(DomainError, match=message) as refused:
        _time(appointment, officer, quantity, expenses)
    assert refused.value.field == field
    assert not TimeEntry.objects.exists()


def test_time_before_the_appointment_or_in_the_future_is_refused(appointment, officer):
    today = timezone.localdate()
    for day in (today - dt.timedelta(days=1), today + dt.timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            _time(appointment, officer, worked_on=day)
        assert refused.value.field == "worked_on"
    assert not TimeEntry.objects.exists()


def test_an_investigator_records_only_their_own_time(appointment, investigator, build):
    _time(appointment, investigator, "1")
    someone_else = pool.appoint(
        appointment.stage,
        PoolMemberFactory(parts=["independent_person"]),
        Part.INDEPENDENT_PERSON,
        by=None,
        on=timezone.localdate(),
    )
    with pytest.raises(DomainError, match="only on your own appointment"):
        _time(someone_else, investigator, "1")
    assert TimeEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (None, "Enter the invoice's amount"),
        ("0", "must be more than £0"),
        ("-10", "must be more than £0"),
    ],
)
def test_an_invoice_without_a_positive_amount_is_refused(appointment, officer, amount, message):
    with pytest.raises(DomainError, match=message) as refused:
        _invoice(appointment, officer, amount=amount)
    assert refused.value.field == "amount"
    assert not Invoice.objects.exists()


def test_an_invoice_number_used_twice_on_the_appointment_is_refused(appointment, officer, build):
    _invoice(appointment, officer, number="INV-7")
    with pytest.raises(DomainError, match="already recorded") as refused:
        _invoice(appointment, officer, number=" inv-7 ")
    assert refused.value.field == "number"
    assert Invoice.objects.count() == 1
    # Another appointment may have its own INV-7.
    other = pool.appoint(
        build.case(level=Level.INVESTIGATION).current_stage,
        PoolMemberFactory(parts=["investigates"]),
        Part.INVESTIGATING_OFFICER,
        by=None,
        on=timezone.localdate(),
    )
    _invoice(other, officer, number="INV-7")


def test_approving_twice_is_refused(appointment, officer, complaints_manager):
    invoice = _invoice(appointment, officer)
    today = timezone.localdate()
    costs.invoice_approve(invoice=invoice, by=complaints_manager, on=today)
    with pytest.raises(DomainError, match="already approved"):
        costs.invoice_approve(invoice=invoice, by=complaints_manager, on=today)
    invoice.refresh_from_db()
    assert (invoice.approved_by, invoice.approved_on) == (complaints_manager, today)


def test_approving_without_the_permission_is_refused(appointment, officer):
    invoice = _invoice(appointment, officer)
    with pytest.raises(DomainError, match="Only a complaints manager"):
        costs.invoice_approve(invoice=invoice, by=officer, on=timezone.localdate())
    invoice.refresh_from_db()
    assert invoice.approved_on is None and invoice.approved_by is None


def test_a_negative_rate_is_refused_and_saves_nothing(appointment, officer):
    for rate, message in ((Decimal("-1"), "cannot be negative"), (None, "Enter the rate")):
        with pytest.raises(DomainError, match=message) as refused:
            costs.rate_agree(appointment=appointment, rate=rate, by=officer)
        assert refused.value.field == "rate"
    appointment.refresh_from_db()
    assert appointment.rate == Decimal("350.00")
    costs.rate_agree(appointment=appointment, rate=Decimal("400"), by=officer)
    appointment.refresh_from_db()
    assert appointment.rate == Decimal("400.00")


def test_what_the_case_page_shows_each_person(appointment, officer, investigator, team_manager):
    stages = list(appointment.stage.case.stages.all())
    ip = appointment.stage.appointments.get(part=Part.INDEPENDENT_PERSON)
    _time(appointment, officer, "1")
    shown = costs.appointments_for(appointment.stage.case, stages, officer)[appointment.stage_id]
    assert [(a, a.cost) for a in shown] == [(ip, Decimal("0.00")), (appointment, Decimal("350"))]
    assert costs.appointments_for(appointment.stage.case, stages, investigator) == {
        appointment.stage_id: [appointment]
    }
    assert costs.appointments_for(appointment.stage.case, stages, team_manager) == {}
