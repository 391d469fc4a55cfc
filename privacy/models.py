"""How long each kind of record keeps its personal data: a council's retention schedule."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class RetentionRule(models.Model):
    """Years a kind of record keeps its personal data, from the date `Record` names. After
    that privacy.retention anonymises it, unless a case is under a legal hold."""

    class Record(models.TextChoices):
        COMPLAINT = "complaint", "Complaints, counted from the end of the case"
        OTHER = (
            "other_representation",
            (
                "Other representations (enquiries, concerns, call-backs, comments, signposting), "
                "counted from the end of the case"
            ),
        )
        COMPLIMENT = "compliment", "Compliments, counted from the date received"
        OMBUDSMAN = (
            "ombudsman_case",
            ("Ombudsman cases, counted from the decision (or the date received, if undecided)"),
        )

    record = models.CharField(max_length=24, choices=Record.choices, unique=True)
    years = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Personal data is removed this many years after the date above.",
    )
    active = models.BooleanField(
        default=True, help_text="Untick to keep this kind of record until further notice."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="Where the period comes from, e.g. the schedule."
    )

    # Who shortened a period, and when: a change here decides what is deleted next Sunday.
    history = HistoricalRecords()

    class Meta:
        ordering = ["record"]

    def __str__(self) -> str:
        return f"{self.get_record_display()}: {self.years} years"
