"""What an appointment from the pool costs: time and expenses recorded against it, invoices
recorded and approved, and the one rule for what counts as its cost.

- Accrued cost: the time recorded (in the appointment's rate unit, days or hours) times the
  rate agreed at appointment, plus the expenses recorded (`accrued`).
- **An appointment's cost is the total of its approved invoices if any invoice is approved;
  otherwise its accrued cost.** An approved invoice is what the council actually pays, so it
  replaces the estimate rather than adding to it; an invoice not yet approved counts for
  nothing (`cost`, `cost_from`). The statistics (reporting.statistics) count by the same rule.
- An appointment is costed once it has time recorded or an approved invoice; one with neither
  is not counted as costed, whatever its rate.
- Payments made to a complainant as a remedy are Remedy rows, never costs here.

Refused with a DomainError, saving nothing: a negative quantity, expenses or rate; nothing
recorded at all; an invoice with no amount, or zero or less; an invoice number used twice on
one appointment; approving an invoice twice, or by someone without the permission. Someone
outside the complaints team (an investigating officer) records time only on their own
appointment.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints import selectors
from complaints.errors import DomainError
from complaints.models import Appointment, Invoice, TimeEntry

ZERO = Decimal("0.00")
APPROVE_PERMISSION = "complaints.approve_invoice"
# Who keeps the costs of every appointment (the complaints team); anyone else who records
# time sees and records only their own.
_KEEPS_COSTS = "complaints.record_invoice"


def keeps_costs(user) -> bool:
    return user.has_perm(_KEEPS_COSTS)


def _money(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def cost_from(
    rate: Decimal, quantity: Decimal, expenses: Decimal, approved: int, invoiced: Decimal
) -> Decimal:
    """The rule, from an appointment's sums: approved invoices' total if any, else accrued."""
    if approved:
        return _money(invoiced)
    return _money(rate * quantity + expenses)


def is_costed(entries: int, approved: int) -> bool:
    return bool(entries or approved)


def _summed(model, value: str, condition: Q | None = None):
    rows = (
        model.objects.filter(condition or Q(), appointment=OuterRef("pk"))
        .order_by()
        .values("appointment")
        .annotate(total=Sum(value))
        .values("total")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(rows, output_field=money), Value(ZERO), output_field=money)


def _counted(model, condition: Q | None = None):
    rows = (
        model.objects.filter(condition or Q(), appointment=OuterRef("pk"))
        .order_by()
        .values("appointment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), Value(0))


def with_costs(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Annotate each appointment's sums, one subquery each, so a list costs one query:
    `time_quantity`, `time_expenses`, `time_entries`, `approved_invoices`, `invoiced`."""
    approved = Q(approved_on__isnull=False)
    return appointments.annotate(
        time_quantity=_summed(TimeEntry, "quantity"),
        time_expenses=_summed(TimeEntry, "expenses"),
        time_entries=_counted(TimeEntry),
        approved_invoices=_counted(Invoice, approved),
        invoiced=_summed(Invoice, "amount", approved),
    )


def annotated_cost(appointment: Appointment) -> Decimal:
    """The cost of an appointment read through `with_costs`."""
    return cost_from(
        appointment.rate,
        appointment.time_quantity,
        appointment.time_expenses,
        appointment.approved_invoices,
        appointment.invoiced,
    )


def accrued(appointment: Appointment) -> Decimal:
    """Time recorded times the rate agreed, plus expenses."""
    sums = appointment.time.aggregate(quantity=Sum("quantity"), expenses=Sum("expenses"))
    return _money(appointment.rate * (sums["quantity"] or 0) + (sums["expenses"] or 0))


def cost(appointment: Appointment) -> Decimal:
    """What the appointment counts as costing (the module's rule)."""
    approved = appointment.invoices.filter(approved_on__isnull=False).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    if approved["n"]:
        return _money(approved["total"])
    return accrued(appointment)


def _not_negative(value, field: str, what: str) -> Decimal:
    if value is None:
        return ZERO
    if value < 0:
        raise DomainError(f"{what} cannot be negative.", field=field)
    return value


def time_record(
    *,
    appointment: Appointment,
    by,
    worked_on: dt.date,
    quantity: Decimal | None,
    expenses: Decimal | None = None,
    note: str = "",
) -> TimeEntry:
    """Time worked (in the appointment's rate unit) and any expenses."""
    unit = appointment.get_rate_unit_display().removeprefix("per ")
    quantity = _not_negative(quantity, "quantity", f"The {unit}s worked")
    expenses = _not_negative(expenses, "expenses", "Expenses")
    if not quantity and not expenses:
        raise DomainError(f"Enter the {unit}s worked, the expenses, or both.", field="quantity")
    if worked_on < appointment.appointed_on:
        raise DomainError(
            f"The date worked cannot be before the appointment, on "
            f"{appointment.appointed_on:%-d %B %Y}.",
            field="worked_on",
        )
    if worked_on > timezone.localdate():
        raise DomainError("The date worked cannot be in the future.", field="worked_on")
    if not keeps_costs(by) and appointment.member.user_id != by.pk:
        raise DomainError(
            "You can record time only on your own appointment; the complaints team records "
            "anyone else's.",
            field="appointment",
        )
    return TimeEntry.objects.create(
        appointment=appointment,
        worked_on=worked_on,
        quantity=quantity,
        expenses=expenses,
        note=note.strip(),
        recorded_by=by,
    )


@transaction.atomic
def invoice_record(
    *,
    appointment: Appointment,
    by,
    number: str,
    received_on: dt.date,
    amount: Decimal | None,
) -> Invoice:
    """An invoice received for the appointment; it counts once approved."""
    number = (number or "").strip()
    if not number:
        raise DomainError("Enter the invoice number.", field="number")
    if amount is None:
        raise DomainError("Enter the invoice's amount in pounds.", field="amount")
    if amount <= 0:
        raise DomainError("The invoice's amount must be more than £0.", field="amount")
    # Locked, so two people recording the same invoice at once get the error, not a 500.
    Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
    if appointment.invoices.filter(number__iexact=number).exists():
        raise DomainError(
            f"Invoice {number} is already recorded for this appointment.", field="number"
        )
    return Invoice.objects.create(
        appointment=appointment, number=number, received_on=received_on, amount=amount
    )


@transaction.atomic
def invoice_approve(*, invoice: Invoice, by, on: dt.date) -> Invoice:
    """Approve an invoice for payment: a complaints manager's decision, once."""
    if not by.has_perm(APPROVE_PERMISSION):
        raise DomainError("Only a complaints manager can approve an invoice.", field="invoice")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.approved_on is not None:
        raise DomainError(
            f"Invoice {invoice.number} was already approved on {invoice.approved_on:%-d %B %Y}.",
            field="invoice",
        )
    if on < invoice.received_on:
        raise DomainError(
            f"The approval cannot be before the invoice was received, on "
            f"{invoice.received_on:%-d %B %Y}.",
            field="on",
        )
    invoice.approved_on = on
    invoice.approved_by = by
    invoice._history_user = by
    invoice.save(update_fields=["approved_on", "approved_by"])
    return invoice


def rate_agree(*, appointment: Appointment, rate: Decimal | None, by) -> Appointment:
    """Change the rate agreed for an appointment (renegotiated); time already recorded is
    costed at the new rate."""
    if rate is None:
        raise DomainError("Enter the rate in pounds.", field="rate")
    _not_negative(rate, "rate", "The rate")
    appointment.rate = rate
    appointment._history_user = by
    appointment.save(update_fields=["rate"])
    return appointment


def with_appointments_known(cases: QuerySet) -> QuerySet:
    """Cases read with `has_pool_appointments`: has_appointments then asks nothing more."""
    return cases.annotate(
        has_pool_appointments=Exists(Appointment.objects.filter(stage__case=OuterRef("pk")))
    )


def has_appointments(case) -> bool:
    """Whether a Stage 2 or 3 case has anyone appointed from the pool, so that its cost
    actions are offered: asked once per case object (the case page asks for each action)."""
    stage = case.current_stage
    if stage is None or stage.level < 2:
        return False
    if not hasattr(case, "has_pool_appointments"):
        case.has_pool_appointments = Appointment.objects.filter(stage__case=case).exists()
    return case.has_pool_appointments


def appointments_for(case, stages, user) -> dict[int, list[Appointment]]:
    """The Stage 2 and 3 appointments the case page shows, with their costs and invoices, by
    stage: all of them to the complaints team, only their own to anyone else who may record
    time, none to others. One query, whatever the number of appointments and invoices."""
    wanted = [s.pk for s in stages if s.level >= 2]
    if not wanted or getattr(case, "has_pool_appointments", True) is False:
        return {}
    appointments = Appointment.objects.filter(stage__in=wanted)
    if not keeps_costs(user):
        if not user.has_perm("complaints.record_time"):
            return {}
        appointments = appointments.filter(member__user=user)
    appointments = selectors.with_rows_as_json(
        with_costs(appointments.select_related("member__user")), "invoices"
    )
    appointments = list(appointments.order_by("stage", "part", "appointed_on", "pk"))
    selectors.rows_in_place(appointments, "invoices", order=lambda i: (i.received_on, i.pk))
    by_stage: dict[int, list[Appointment]] = {}
    for appointment in appointments:
        appointment.cost = annotated_cost(appointment)
        by_stage.setdefault(appointment.stage_id, []).append(appointment)
    return by_stage
