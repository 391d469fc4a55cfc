"""Timescales as data: which stages each procedure has, and each step's target in working days.

The statutory defaults come from the Children Act 1989 Representations Procedure (England)
Regulations 2006 and the corporate ones from the LGSCO Complaint Handling Code; both are loaded
by `manage.py load_reference_data` and edited in the admin.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models


class Procedure(models.TextChoices):
    STATUTORY = "statutory", "Children Act 1989 (statutory)"
    CORPORATE = "corporate", "Corporate"


class Level(models.IntegerChoices):
    EARLY_RESOLUTION = 0, "Stage 0"
    LOCAL_RESOLUTION = 1, "Stage 1"
    INVESTIGATION = 2, "Stage 2"
    REVIEW_PANEL = 3, "Stage 3"


class Step(models.TextChoices):
    """A deadline within a stage. Which stage fact meets it is in complaints.deadlines."""

    ACKNOWLEDGE = "acknowledge", "Acknowledgement"
    RESPOND = "respond", "Response"
    PANEL_HELD = "panel_held", "Review panel held"
    PANEL_REPORT = "panel_report", "Panel report"
    COUNCIL_RESPONSE = "council_response", "Council's response to the panel"
    ESCALATION_WINDOW = "escalation_window", "Complainant may ask for the next stage"


class ClockStart(models.TextChoices):
    """The stage fact a step's clock runs from. Until that fact is recorded the clock runs from
    the stage's request date, so every open stage always has a due date to chase."""

    REQUESTED = "requested_on", "Stage requested (receipt, for the first stage)"
    ACKNOWLEDGED = "acknowledged_on", "Acknowledged"
    STATEMENT_AGREED = "statement_agreed_on", "Statement of complaint agreed"
    PANEL_HELD = "panel_held_on", "Panel held"
    PANEL_REPORT_RECEIVED = "panel_report_on", "Panel report received"
    RESPONDED = "responded_on", "Response issued"


# Steps that carry a Children Act deadline: council closure days never count for them.
STATUTORY_STEPS = {
    Step.RESPOND,
    Step.PANEL_HELD,
    Step.PANEL_REPORT,
    Step.COUNCIL_RESPONSE,
    Step.ESCALATION_WINDOW,
}


class StageDefinition(models.Model):
    """A stage a procedure offers. Untick `active` to stop offering it (e.g. corporate Stage 0,
    which the Complaint Handling Code discourages)."""

    procedure = models.CharField(max_length=10, choices=Procedure.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    name = models.CharField(max_length=80, help_text='As letters say it, e.g. "Local resolution".')
    active = models.BooleanField(default=True)
    requires_quality_assurance = models.BooleanField(
        default=True, help_text="The draft response must be approved before it is issued."
    )
    lessons_learnt_working_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=20,
        help_text="Working days after a response that found fault for the team manager's "
        "lessons-learnt form. Empty: no form at this stage.",
    )

    class Meta:
        ordering = ["procedure", "level"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "level"], name="unique_stage_definition")
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()}: {self.get_level_display()} {self.name.lower()}"


# Before any case: the timescales a council starts with apply to its whole history.
IN_FORCE_FROM_THE_START = datetime.date(2000, 1, 1)


class Timescale(models.Model):
    stage = models.ForeignKey(StageDefinition, on_delete=models.CASCADE, related_name="timescales")
    step = models.CharField(max_length=20, choices=Step.choices)
    target_days = models.PositiveSmallIntegerField(help_text="Working days from the clock start.")
    max_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The most an extension may allow, in working days."
    )
    service_target_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Internal target asked of the service, earlier than the one promised.",
    )
    clock_start = models.CharField(
        max_length=20, choices=ClockStart.choices, default=ClockStart.REQUESTED
    )
    counts_closure_days = models.BooleanField(
        default=False,
        help_text="Skip council closure days. Never for Children Act deadlines.",
    )
    effective_from = models.DateField(
        default=IN_FORCE_FROM_THE_START,
        help_text="It applies to stages requested on or after this date. To change a "
        "timescale, add a row with a later date rather than editing this one, so that past "
        "stages keep the timescale they began under.",
    )

    class Meta:
        ordering = ["stage", "step", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "step", "effective_from"], name="unique_timescale_step_from"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.get_step_display()} in {self.target_days} working days"

    def clean(self) -> None:
        errors = {}
        if self.max_days is not None and self.max_days < self.target_days:
            errors["max_days"] = "The maximum cannot be shorter than the target."
        if self.service_target_days is not None and self.service_target_days > self.target_days:
            errors["service_target_days"] = "The service target must come before the target."
        if (
            self.counts_closure_days
            and self.stage.procedure == Procedure.STATUTORY
            and self.step in STATUTORY_STEPS
        ):
            errors["counts_closure_days"] = (
                "Children Act deadlines count every working day; closure days cannot stop them."
            )
        if errors:
            raise ValidationError(errors)


class NonWorkingDay(models.Model):
    """A day that is not a working day beyond weekends and the `holidays` package's list.

    A new bank holiday by royal proclamation counts for every deadline; a council closure day
    (e.g. between Christmas and New Year) counts only for corporate and internal targets.
    """

    class Kind(models.TextChoices):
        BANK_HOLIDAY = "bank_holiday", "Bank holiday (all deadlines)"
        CLOSURE = "closure", "Council closure day (corporate and internal targets only)"

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y}: {self.name}"
