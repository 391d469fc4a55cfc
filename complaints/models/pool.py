"""The pool of people the council appoints at Stages 2 and 3, what they are appointed to, and
what their independence costs.

A PoolMember is one person who may take one or more Parts (investigating officer, independent
person, panel chair, panel member), staff or external, with a sign-in of their own. Their
checks (training, DBS, contract) expire; their conflicts are the service areas they managed or
worked in. An Appointment puts a member on a stage in one Part, at the rate agreed then, and
accrues cost through the time recorded against it and the invoices approved for it. Payments
made to a complainant as a remedy are Remedy rows, never costs here.

The rules (who may be proposed and appointed, caseloads, what is due to expire) are in
complaints.pool; a panel's meetings and invitations in complaints.panels; costs in
complaints.costs.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from complaints.models.cases import Stage
from complaints.models.organisation import ServiceArea

User = settings.AUTH_USER_MODEL

_NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Part(models.TextChoices):
    """What a pool member may be appointed to do."""

    INVESTIGATING_OFFICER = "investigating_officer", "Investigating officer"
    INDEPENDENT_PERSON = "independent_person", "Independent person"
    PANEL_CHAIR = "panel_chair", "Review panel chair"
    PANEL_MEMBER = "panel_member", "Review panel member"


# The PoolMember field that says a member may take each part.
PART_FIELD = {
    Part.INVESTIGATING_OFFICER: "investigates",
    Part.INDEPENDENT_PERSON: "independent_person",
    Part.PANEL_CHAIR: "chairs_panels",
    Part.PANEL_MEMBER: "sits_on_panels",
}


class RateUnit(models.TextChoices):
    DAY = "day", "per day"
    HOUR = "hour", "per hour"


class PoolMember(models.Model):
    class Engagement(models.TextChoices):
        INTERNAL = "internal", "Council staff"
        AGENCY = "agency", "Agency"
        FRAMEWORK = "framework", "Framework (for example NEPO)"
        SELF_EMPLOYED = "self_employed", "Self-employed"

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="pool_member")
    engagement = models.CharField(max_length=15, choices=Engagement.choices)
    supplier = models.CharField(
        max_length=150, blank=True, help_text="The agency or framework they come through."
    )

    investigates = models.BooleanField("Investigating officer", default=False)
    independent_person = models.BooleanField("Independent person", default=False)
    chairs_panels = models.BooleanField("Review panel chair", default=False)
    sits_on_panels = models.BooleanField("Review panel member", default=False)

    rate = models.DecimalField(max_digits=8, decimal_places=2, validators=_NOT_NEGATIVE)
    rate_unit = models.CharField(max_length=4, choices=RateUnit.choices, default=RateUnit.DAY)

    # Availability: not proposed while away, nor once at their most cases.
    unavailable_until = models.DateField(
        null=True, blank=True, help_text="Not to be proposed for new cases until this date."
    )
    most_cases = models.PositiveSmallIntegerField(
        default=3, help_text="The most open appointments they take at once."
    )
    # Service areas they managed or worked in: never proposed for those areas' cases.
    conflicts = models.ManyToManyField(ServiceArea, blank=True, related_name="+")

    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["notes"])

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0), name="pool_rate_not_negative")
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_external(self) -> bool:
        return self.engagement != self.Engagement.INTERNAL

    def takes(self, part: str) -> bool:
        return getattr(self, PART_FIELD[part])


class PoolCheck(models.Model):
    """A check a member must hold while appointed: refused once the latest of its kind expires."""

    class Kind(models.TextChoices):
        DBS = "dbs", "DBS check"
        TRAINING = "training", "Training"
        CONTRACT = "contract", "Contract"

    member = models.ForeignKey(PoolMember, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    obtained_on = models.DateField()
    expires_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "kind", "-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("obtained_on")), name="check_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.expires_on:%-d %b %Y}"


class Appointment(models.Model):
    """A pool member appointed to a part on a stage, at the rate agreed when appointed."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="appointments")
    member = models.ForeignKey(PoolMember, on_delete=models.PROTECT, related_name="appointments")
    part = models.CharField(max_length=25, choices=Part.choices)
    appointed_on = models.DateField()
    appointed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    rate = models.DecimalField(max_digits=8, decimal_places=2, validators=_NOT_NEGATIVE)
    rate_unit = models.CharField(max_length=4, choices=RateUnit.choices)
    # Stood down or replaced before the stage ended; an appointment open on a stage that has
    # ended is finished, not ended.
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "part", "appointed_on"]
        indexes = [models.Index(fields=["member", "ended_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0), name="appointment_rate_not_negative")
        ]
        # Costs (complaints.costs), granted per role in accounts.roles.
        permissions = [
            ("record_time", "Can record time and expenses on an appointment"),
            ("record_invoice", "Can record an invoice for an appointment"),
            ("approve_invoice", "Can approve an invoice for payment"),
        ]

    def __str__(self) -> str:
        return f"{self.member} as {self.get_part_display()}"


class TimeEntry(models.Model):
    """Time worked on an appointment, in its rate's unit, with any expenses."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="time")
    worked_on = models.DateField()
    quantity = models.DecimalField(
        max_digits=6, decimal_places=2, validators=_NOT_NEGATIVE, help_text="Days or hours."
    )
    expenses = models.DecimalField(
        max_digits=9, decimal_places=2, default=Decimal("0"), validators=_NOT_NEGATIVE
    )
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["appointment", "worked_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(expenses__gte=0), name="time_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.appointment.rate_unit}s on {self.worked_on:%-d %b %Y}"


class Invoice(models.Model):
    """An invoice received for an appointment; it counts as spent once approved."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=50)
    received_on = models.DateField()
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["appointment", "received_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.UniqueConstraint(
                fields=["appointment", "number"], name="unique_invoice_per_appointment"
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"


class PanelMeeting(models.Model):
    """One arrangement of a review panel's meeting. Rearranging cancels it and makes the next;
    the invitations (with their .ics) follow each, complaints.panels."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="panel_meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=250, help_text="The room, or how to join online.")
    # The calendar's UID and SEQUENCE: a rearrangement updates the same calendar entry.
    uid = models.CharField(max_length=100, db_index=True)
    sequence = models.PositiveSmallIntegerField(default=0)
    arranged_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    arranged_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "-arranged_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["stage"], condition=Q(cancelled_at__isnull=True), name="one_live_meeting"
            ),
            # A rearrangement keeps the UID; each arrangement has its own SEQUENCE.
            models.UniqueConstraint(fields=["uid", "sequence"], name="one_meeting_per_sequence"),
        ]

    def __str__(self) -> str:
        return f"Panel on {self.starts_at:%-d %b %Y}"
