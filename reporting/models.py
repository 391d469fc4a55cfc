"""The statutory annual report (reg 13(3); Getting the Best from Complaints §5.6): an edition per
financial year, its narrative, and the PDFs rendered from it.

The figures are never stored while an edition is a draft: each preview or PDF reads them from
reporting.statistics as the dashboard last counted them. Publishing freezes them with the
edition (`tables`) and its PDF; a later change is a new version, never an edit of a published one.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from complaints.models import Category
from compliments.models import Compliment
from reporting.counting import Basis, Counting, OnTimeBase

User = settings.AUTH_USER_MODEL

# The narrative sections a complaints manager writes, in the order the report prints them.
NARRATIVE_SECTIONS = {
    "executive_summary": "Executive summary",
    "learning_implemented": "Learning and service improvement: changes implemented",
    "learning_not_implemented": "Learning and service improvement: changes not implemented",
    "recommendations": "Recommendations",
    "future_developments": "Future developments",
    "effectiveness_review": "Review of the effectiveness of the complaints procedure",
    "code_self_assessment": "Corporate complaints: commentary on the self-assessment against "
    "the Complaint Handling Code",
    "code_service_improvement": "Corporate complaints: service improvement report",
}


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    year = models.PositiveSmallIntegerField(help_text="The financial year starting 1 April.")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(
        max_length=200,
        default="Annual report on compliments, complaints and representations: "
        "children's social care",
    )
    small_number_threshold = models.PositiveSmallIntegerField(
        default=5,
        help_text="Counts from 1 up to one less than this are shown as “fewer than N”, so no "
        "one can be identified.",
    )
    basis = models.CharField(
        "What the stage figures describe",
        max_length=12,
        choices=Basis.choices,
        default=Basis.COMPLETIONS,
        help_text="Count as your council has published before, so years compare.",
    )
    on_time_base = models.CharField(
        "“% on time” is a share of",
        max_length=22,
        choices=OnTimeBase.choices,
        default=OnTimeBase.RESPONDED,
    )

    executive_summary = models.TextField(blank=True)
    learning_implemented = models.TextField(blank=True)
    learning_not_implemented = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    future_developments = models.TextField(blank=True)
    effectiveness_review = models.TextField(blank=True)
    code_self_assessment = models.TextField(blank=True)
    code_service_improvement = models.TextField(blank=True)
    compliments = models.ManyToManyField(
        Compliment,
        blank=True,
        related_name="+",
        help_text="Compliments whose anonymised extract the report quotes.",
    )

    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Frozen at publishing: the tables (reporting.tables.Table.to_dict) and quoted texts.
    frozen = models.JSONField(null=True, blank=True, editable=False)
    pdf = models.FileField(upload_to="annual-reports/", blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["frozen"])

    class Meta:
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="unique_edition_version")
        ]

    def __str__(self) -> str:
        return f"{self.year_label} annual report, version {self.version}"

    @property
    def counting(self) -> Counting:
        return Counting(basis=self.basis, on_time_base=self.on_time_base)

    @property
    def year_label(self) -> str:
        return f"{self.year}/{str(self.year + 1)[2:]}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CaseStudy(models.Model):
    """An anonymised account of one complaint and what changed because of it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="case_studies")
    title = models.CharField(max_length=150)
    text = models.TextField(help_text="No names, ages, places or dates that identify anyone.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.title


class CodeProvision(Category):
    """A requirement of the Ombudsman's Complaint Handling Code that the yearly self-assessment
    answers (Code 8.1). Kept as data: the Code's paragraph numbers are not all confirmed."""

    paragraph = models.CharField(max_length=10, blank=True, help_text="As the Code numbers it.")
    label = models.TextField(verbose_name="requirement")

    class Meta(Category.Meta):
        ordering = ["order", "pk"]
        verbose_name = "Complaint Handling Code requirement"


class CodeAssessment(models.Model):
    """How the council met one requirement of the Code in an edition's year."""

    class Compliance(models.TextChoices):
        COMPLIES = "complies", "Complies"
        PARTLY = "partly", "Partly complies"
        DOES_NOT = "does_not", "Does not comply"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="code_assessments")
    provision = models.ForeignKey(CodeProvision, on_delete=models.PROTECT, related_name="+")
    compliance = models.CharField(max_length=8, choices=Compliance.choices, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["provision__order", "provision__pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "provision"], name="one_assessment_each")
        ]

    def __str__(self) -> str:
        return f"{self.provision.paragraph} {self.get_compliance_display()}"


class Rendering(models.Model):
    """One run of the PDF renderer for an edition, with its progress for the browser."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Rendering"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="renderings")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=7, choices=State.choices, default=State.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    step = models.CharField(max_length=80, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    pdf = models.FileField(upload_to="annual-reports/drafts/", blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.edition}: {self.get_state_display()}"


class ReportGrouping(models.Model):
    """Categories the council publishes together, such as "Apology and explanation" or
    "Parents and carers": the annual report shows one row for them, summed, while each case
    keeps the category it was recorded with."""

    TABLES = [
        ("customer_groups", "Who made complaints"),
        ("customer_groups_corporate", "Who made complaints: corporate procedure"),
        ("channels", "How complaints were made"),
        ("outcome_sought", "Outcome sought and outcome provided"),
        ("remedies", "Remedies provided"),
        ("natures_statutory", "Children Act complaints: nature of each element"),
        ("natures_corporate", "Corporate complaints: nature of each element"),
    ]

    table = models.CharField(max_length=40, choices=TABLES)
    label = models.CharField("Published as", max_length=120)
    members = models.TextField(
        help_text="The categories it brings together, one a line, named as the table names them."
    )
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["table", "order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["table", "label"], name="unique_grouping_label")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_table_display()})"

    @property
    def member_labels(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class PublishedFigure(models.Model):
    """A figure a council published for a year before it kept its cases here, entered from its
    report so trends and "up or down on last year" start from the first year. Read into the
    report's and the dashboard's tables (reporting.published) for years with no cases."""

    year = models.PositiveSmallIntegerField(help_text="The financial year starting 1 April.")
    table = models.CharField(max_length=60, help_text="The table's key, e.g. representations.")
    row = models.CharField(
        max_length=120, help_text="The row's key, e.g. complaint, or a category's label."
    )
    value = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True, help_text="Where it was published.")

    history = HistoricalRecords()  # it stands for a year's figures: who changed it, and when

    class Meta:
        ordering = ["-year", "table", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "table", "row"], name="unique_published_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.table} / {self.row} = {self.value}"
