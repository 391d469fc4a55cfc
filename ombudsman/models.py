"""Complaints the Local Government and Social Care Ombudsman (LGSCO) considers, its decisions
and recommendations, and what the council did about them."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from complaints.models import AgreedAction, Case, Category, ServiceArea

User = settings.AUTH_USER_MODEL


class Decision(Category):
    """The Ombudsman's decision categories (since April 2014), admin-editable.

    `legacy_labels` maps the older wording seed reports use ("maladministration and
    injustice", "premature complaint", "refusal to investigate") onto these.
    """

    class Group(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"
        CLOSED_AFTER_INITIAL_ENQUIRIES = "closed", "Closed after initial enquiries"
        PREMATURE = "premature", "Referred back for local resolution"
        ADVICE = "advice", "Advice given"
        INVALID = "invalid", "Incomplete or invalid"

    group = models.CharField(max_length=10, choices=Group.choices)
    fault = models.BooleanField(default=False)
    injustice = models.BooleanField(default=False)
    remedied_by_council = models.BooleanField(
        default=False, help_text="The council had already provided a satisfactory remedy."
    )
    legacy_labels = models.JSONField(default=list, blank=True)

    class Meta(Category.Meta):
        verbose_name = "Ombudsman decision"


class RecommendationKind(Category):
    requires_amount = models.BooleanField(default=False)
    service_improvement = models.BooleanField(
        default=False, help_text="Counts as learning identified (procedure, training, …)."
    )

    class Meta(Category.Meta):
        verbose_name = "recommendation kind"


class OmbudsmanCase(models.Model):
    class Route(models.TextChoices):
        ASSESSMENT = "assessment", "Assessment and enquiries"
        INVESTIGATION = "investigation", "Investigation"

    class PublicReport(models.TextChoices):
        NONE = "", "None"
        S30 = "s30", "Section 30 report"
        S31 = "s31", "Section 31(2) further report"

    reference = models.CharField(
        "LGSCO reference", max_length=20, unique=True, help_text="For example 24 004 450."
    )
    complaints = models.ManyToManyField(Case, blank=True, related_name="ombudsman_cases")
    service_area = models.ForeignKey(
        ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField()
    route = models.CharField(max_length=13, choices=Route.choices, default=Route.ASSESSMENT)
    summary = models.TextField(blank=True)
    # What the annual report prints about the case, written to identify no one; the internal
    # summary above is never printed. Empty: the case is left out of the report's list.
    published_summary = models.TextField(blank=True)
    draft_decision_on = models.DateField(null=True, blank=True)
    # The annual letter counts upheld decisions where the council had already put things right;
    # empty: not known.
    remedied_before_decision = models.BooleanField(
        "The council had already remedied the complaint before the decision",
        null=True,
        blank=True,
    )
    decision_on = models.DateField(null=True, blank=True)
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_report = models.CharField(
        max_length=3, choices=PublicReport.choices, blank=True, default=""
    )
    public_report_on = models.DateField(null=True, blank=True)
    committee_consideration_due_on = models.DateField(null=True, blank=True, editable=False)
    committee_considered_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # When its personal data was removed at the end of its retention period.
    anonymised_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["received_on"]), models.Index(fields=["decision_on"])]

    def __str__(self) -> str:
        return self.reference


class OmbudsmanDeadline(models.Model):
    """A date the Ombudsman set the council, and when the council met it."""

    class Kind(models.TextChoices):
        ENQUIRY_RESPONSE = "enquiry_response", "Response to enquiries"
        DRAFT_DECISION_COMMENTS = "draft_comments", "Comments on the draft decision"
        COMPLIANCE = "compliance", "Compliance with recommendations"

    ombudsman_case = models.ForeignKey(
        OmbudsmanCase, on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on:%-d %b %Y}"


class Recommendation(models.Model):
    """What the Ombudsman recommended; each is also an AgreedAction, so it is chased."""

    ombudsman_case = models.ForeignKey(
        OmbudsmanCase, on_delete=models.CASCADE, related_name="recommendations"
    )
    kind = models.ForeignKey(RecommendationKind, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    detail = models.TextField(blank=True)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    action = models.OneToOneField(
        AgreedAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} £{self.amount}" if self.amount else str(self.kind)
