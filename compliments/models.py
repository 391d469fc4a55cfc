"""Compliments: praise for a team or a member of staff, counted for the annual report."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from complaints.models import Category, Channel, ServiceArea, Team

User = settings.AUTH_USER_MODEL


class ComplimentSource(Category):
    """Who the compliment came from: a child or young person, a parent, a carer, …"""

    class Meta(Category.Meta):
        verbose_name = "compliment source"


class ComplimentTheme(Category):
    class Meta(Category.Meta):
        verbose_name = "compliment theme"


class Compliment(models.Model):
    received_on = models.DateField()
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    staff_named = models.CharField(max_length=200, blank=True)
    staff_member = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="compliments"
    )
    source = models.ForeignKey(ComplimentSource, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=200)
    # Who sent it, when they chose to say (the public e-form asks; both are optional).
    from_name = models.CharField("Sender's name", max_length=150, blank=True)
    from_contact = models.CharField("Sender's e-mail or telephone", max_length=200, blank=True)
    full_text = models.TextField(blank=True)
    consent_to_publish = models.BooleanField(default=False)
    extract = models.TextField(
        blank=True, help_text="An anonymised extract the annual report may quote."
    )
    themes = models.ManyToManyField(ComplimentTheme, blank=True, related_name="+")
    staff_told_on = models.DateField(null=True, blank=True)
    manager_told_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    # The reference in the spreadsheet it was imported from; re-importing matches on it.
    source_reference = models.CharField(max_length=40, blank=True, editable=False)
    # When its personal data was removed at the end of its retention period.
    anonymised_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["received_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source_reference"],
                condition=~models.Q(source_reference=""),
                name="unique_compliment_source_reference",
            )
        ]

    def __str__(self) -> str:
        return self.summary
