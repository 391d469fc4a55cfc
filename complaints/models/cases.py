"""A case: one representation logged with the complaints team, and every stage it went through.

Regulation 13 asks for a record of each representation, its outcome and whether time limits were
met; everything a report counts is a field or a category here, never free text. State changes
happen only in complaints.workflow, which writes an Event for each.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from complaints.models import reference as categories
from complaints.models.organisation import ServiceArea, Team
from complaints.models.timescales import Level, Procedure, Step

User = settings.AUTH_USER_MODEL


class Complainant(models.Model):
    """The person who made the representation. One record may make several over the years."""

    class ParentalResponsibility(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "Not known"

    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    letters_by_email = models.BooleanField(
        "Agreed to letters by e-mail",
        default=False,
        help_text="Letters then go to their e-mail address too, with the PDF attached.",
    )
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    relationship = models.ForeignKey(
        categories.Relationship, on_delete=models.PROTECT, related_name="+"
    )
    parental_responsibility = models.CharField(
        max_length=7,
        choices=ParentalResponsibility.choices,
        default=ParentalResponsibility.UNKNOWN,
    )
    # Equality monitoring is optional: empty means it was never recorded.
    gender = models.ForeignKey(
        categories.Gender, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ethnicity = models.ForeignKey(
        categories.Ethnicity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disability = models.ForeignKey(
        categories.Disability, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sexual_orientation = models.ForeignKey(
        categories.SexualOrientation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    age_band = models.ForeignKey(
        categories.AgeBand, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    anonymised_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["name"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.name


class Child(models.Model):
    """A child a case concerns. The council's case system holds the record; we keep its
    reference, never a copy."""

    name = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True)
    case_system_reference = models.CharField(
        max_length=40, blank=True, help_text="The child's ID in Mosaic, LCS, Protocol or similar."
    )

    anonymised_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["case_system_reference"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """A representation, whatever its kind. Complaints run through stages; the rest are logged
    and closed (or accepted as a complaint, e.g. a call-back request that becomes one)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "Complaint"
        PRE_COMPLAINT = "pre_complaint", "Pre-complaint"
        CASE_CONCERN = "case_concern", "Case concern"
        CALL_BACK = "call_back", "Call-back request"
        COMMENT = "comment", "Comment or suggestion"
        SIGNPOSTED = "signposted", "Ad hoc or signposted"
        DUTY_MATTER = "duty_matter", "Duty matter"
        # The Ombudsman's own enquiry about a complaint, logged as it arrives; its decision
        # is then recorded as an Ombudsman case.
        OMBUDSMAN_ENQUIRY = "ombudsman_enquiry", "Ombudsman enquiry"

    class State(models.TextChoices):
        RECEIVED = "received", "Received, not yet screened"
        IN_PROGRESS = "in_progress", "In progress"
        PAUSED = "paused", "Paused"
        AWAITING_QA = "awaiting_qa", "Draft response awaiting quality check"
        APPROVED = "approved", "Response approved, ready to issue"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class CallBackOutcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved by the call-back"
        COMPLAINT = "complaint", "Became a complaint"

    class ContactBy(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Telephone"
        POST = "post", "Letter"

    class Via(models.TextChoices):
        DIRECT = "direct", "Directly"
        MP = "mp", "Through their MP"
        COUNCILLOR = "councillor", "Through a councillor"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # The reference in the system the case was imported from; re-importing matches on it.
    source_reference = models.CharField(max_length=40, blank=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    procedure = models.CharField(
        max_length=10, choices=Procedure.choices, blank=True, help_text="Set when accepted."
    )
    channel = models.ForeignKey(categories.Channel, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    summary = models.TextField()
    outcome_sought = models.ManyToManyField(categories.RemedyKind, blank=True, related_name="+")
    outcome_sought_detail = models.TextField(blank=True)
    service_area = models.ForeignKey(
        ServiceArea, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # A joint complaint: the other service areas it concerns, each counted in the reports.
    joint_service_areas = models.ManyToManyField(
        ServiceArea,
        blank=True,
        related_name="joint_cases",
        help_text="A joint complaint: the other service areas that answer it.",
    )

    # People
    complainant = models.ForeignKey(Complainant, on_delete=models.PROTECT, related_name="cases")
    children = models.ManyToManyField(Child, blank=True, related_name="cases")
    on_behalf_of_child = models.BooleanField(default=False)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.DIRECT)
    via_name = models.CharField(max_length=150, blank=True, help_text="The MP or councillor.")
    # What the complainant asked for, e.g. on the public e-form: how to reach them, and any
    # support they need to take part (an interpreter, large print, a call at a set time).
    contact_by = models.CharField(
        "How they prefer to be contacted", max_length=5, choices=ContactBy.choices, blank=True
    )
    reasonable_adjustments = models.TextField(
        "Support or reasonable adjustments needed", blank=True
    )

    # Advocacy (CA 1989 s26A) and safeguarding
    advocacy_offered_on = models.DateField(null=True, blank=True)
    advocacy_referred_on = models.DateField(null=True, blank=True)
    advocacy_provider = models.ForeignKey(
        categories.AdvocacyProvider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    advocate_name = models.CharField(max_length=150, blank=True)
    # The take-up: whether the child or young person accepted the offer (empty: not known yet).
    advocacy_accepted = models.BooleanField(null=True, blank=True)

    # A call-back request: who calls back, by when, and what came of it. The outcome stays
    # when the request becomes a complaint, so the conversion rate can be counted.
    callback_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_due_on = models.DateField(null=True, blank=True)
    callback_outcome = models.CharField(max_length=10, choices=CallBackOutcome.choices, blank=True)
    callback_outcome_on = models.DateField(null=True, blank=True)
    safeguarding_referred_on = models.DateField(
        null=True, blank=True, help_text="Passed to the MASH or front door."
    )

    # Eligibility screening
    eligibility_ground = models.ForeignKey(
        categories.EligibilityGround,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sufficient_interest_tests = models.ManyToManyField(
        categories.SufficientInterestTest, blank=True, related_name="+"
    )
    grounds_arose_on = models.DateField(
        null=True, blank=True, help_text="When the matter complained of happened (one-year limit)."
    )
    late_acceptance_reason = models.TextField(
        blank=True, help_text="Why a complaint made after a year is accepted (reg 9)."
    )
    refusal_reason = models.ForeignKey(
        categories.RefusalReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    screened_on = models.DateField(null=True, blank=True)
    screened_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )

    # Kept by complaints.workflow only.
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.RECEIVED, editable=False
    )
    current_stage = models.ForeignKey(
        "Stage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    next_due_on = models.DateField(
        null=True, blank=True, editable=False, help_text="The nearest open deadline."
    )
    logged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_handled",
        help_text="The complaints officer who handles the case.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Retention (privacy.retention): a hold keeps the case's personal data past its period,
    # e.g. while a claim or an inquiry needs it; anonymised_on is when that data was removed.
    held_since = models.DateField(null=True, blank=True, editable=False)
    held_reason = models.CharField(max_length=500, blank=True, editable=False)
    held_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    anonymised_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["next_due_on", "current_stage"])

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["state", "next_due_on"]),
            models.Index(fields=["received_on"]),
            models.Index(fields=["kind", "received_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_reference"],
                condition=~Q(source_reference=""),
                name="unique_source_reference",
            )
        ]
        permissions = [
            ("view_all_cases", "Can see every case"),
            ("log_case", "Can log a representation"),
            ("screen_case", "Can screen, accept or refuse a representation"),
            ("allocate_case", "Can allocate a case"),
            ("extend_deadline", "Can extend a deadline"),
            ("pause_case", "Can pause and resume a case"),
            ("draft_response", "Can draft a response"),
            ("quality_assure_response", "Can approve or return a draft response"),
            ("issue_response", "Can issue a response"),
            ("record_escalation", "Can record an escalation request"),
            ("run_investigation", "Can run a Stage 2 investigation"),
            ("run_review_panel", "Can run a Stage 3 review panel"),
            ("withdraw_case", "Can withdraw a case"),
            ("close_case", "Can close a case"),
            ("reopen_case", "Can reopen a case"),
            ("manage_reference_data", "Can edit categories, timescales and templates"),
            ("edit_statement", "Can define the statement of complaint"),
            ("record_contact", "Can record calls, meetings and correspondence"),
            ("upload_document", "Can attach documents"),
            ("prepare_letter", "Can prepare and send letters"),
            ("manage_actions", "Can record agreed actions and see every open one"),
            ("record_ombudsman", "Can record Ombudsman cases, decisions and compliance"),
            ("view_dashboard", "Can see the dashboard and the annual report"),
            ("prepare_annual_report", "Can draft and publish the annual report"),
            ("view_access_log", "Can read who opened, downloaded and exported what"),
            ("make_subject_access_bundle", "Can gather what is held about a person"),
            ("manage_retention", "Can review records due for deletion and hold them"),
            ("import_history", "Can import cases from a council's earlier system"),
            ("manage_pool", "Can add, change and remove people in the Stage 2 and 3 pool"),
        ]

    def __str__(self) -> str:
        return self.reference


class Stage(models.Model):
    """One stage a case went through, with who acted, when, and how it ended."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    requested_on = models.DateField(help_text="Receipt for the first stage; the request after.")
    acknowledged_on = models.DateField(null=True, blank=True)
    allocated_on = models.DateField(null=True, blank=True)
    statement_agreed_on = models.DateField(null=True, blank=True)
    report_received_on = models.DateField(null=True, blank=True)
    panel_scheduled_for = models.DateField(null=True, blank=True)
    # Why the panel meets after the 30 working days the regulations allow.
    panel_late_reason = models.TextField(blank=True)
    panel_held_on = models.DateField(null=True, blank=True)
    panel_report_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)

    # Who acted
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="stages"
    )
    responding_manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="stages_responding"
    )
    investigating_officer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="stages_investigating"
    )
    independent_person = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="stages_independent"
    )
    adjudicating_officer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="stages_adjudicating"
    )

    # Extension
    extension_reason = models.ForeignKey(
        categories.ExtensionReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_detail = models.TextField(blank=True)
    complainant_agreed_extension = models.BooleanField(null=True, blank=True)
    complainant_informed_of_extension_on = models.DateField(null=True, blank=True)

    # Escalation into this stage
    escalation_reason = models.ForeignKey(
        categories.EscalationReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_response_method = models.ForeignKey(
        categories.ResponseMethod,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalation_detail = models.TextField(blank=True)
    accepted_late = models.BooleanField(
        default=False, help_text="Requested after the window and accepted by the council."
    )

    # How it ended
    outcome = models.ForeignKey(
        categories.Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.ForeignKey(
        categories.WithdrawalReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paused_working_days = models.PositiveSmallIntegerField(default=0, editable=False)

    # Costs of independent people
    investigator_fee = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    independent_person_fee = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True
    )
    panel_cost = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "level", "requested_on"]
        indexes = [models.Index(fields=["level", "requested_on"])]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_level_display()}"


class Deadline(models.Model):
    """A step's dates, computed by complaints.deadlines from the stage's timescales.

    Whether it was met is read from the stage fact named in deadlines.STEP_MET_BY, so there is
    one record of what happened and this row holds only what was due.
    """

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="deadlines")
    step = models.CharField(max_length=20, choices=Step.choices)
    starts_on = models.DateField()
    due_on = models.DateField()
    service_target_on = models.DateField(null=True, blank=True)
    max_due_on = models.DateField(null=True, blank=True)
    extended_due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["stage", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "step"], name="unique_deadline_step"),
            models.CheckConstraint(
                condition=Q(extended_due_on__isnull=True)
                | Q(extended_due_on__gte=models.F("due_on")),
                name="extension_after_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} due {self.effective_due_on:%d %b %Y}"

    @property
    def effective_due_on(self):
        return self.extended_due_on or self.due_on


class Pause(models.Model):
    """A stage's clock stopped, e.g. a reg 8 deferral while court or criminal proceedings run."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    working_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage"], condition=Q(ended_on__isnull=True), name="one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"Paused {self.started_on:%d %b %Y}" + (
            f" to {self.ended_on:%d %b %Y}" if self.ended_on else ""
        )


class PanelMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Panel member"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="panel_members")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    # Imported history's fee; a seat filled from the pool costs what its appointment accrues.
    fee = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    # The pool member's appointment to this seat; empty for a panel from imported history.
    appointment = models.OneToOneField(
        "Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="panel_seat"
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Element(models.Model):
    """One numbered element of the statement of complaint."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="elements")
    number = models.PositiveSmallIntegerField()
    summary = models.TextField()
    nature = models.ForeignKey(categories.Nature, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_element_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.summary[:60]}"


class ElementFinding(models.Model):
    """An element considered at a stage, and the finding that stage made on it."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="element_findings")
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="findings")
    finding = models.ForeignKey(
        categories.Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasoning = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "element__number"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "element"], name="unique_element_per_stage")
        ]

    def __str__(self) -> str:
        return f"Element {self.element.number}: {self.finding or 'no finding yet'}"


class Remedy(models.Model):
    """A remedy a stage provided: the case's actual outcome, set against what was sought."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="remedies")
    kind = models.ForeignKey(categories.RemedyKind, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    detail = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "remedies"

    def __str__(self) -> str:
        return f"{self.kind} £{self.amount}" if self.amount else str(self.kind)


class Event(models.Model):
    """One row per workflow move: the timeline, deadlines and reports read these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.CASCADE)
    move = models.CharField(max_length=30)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["move", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.move} {self.from_state or '-'} → {self.to_state}"


class ReferenceCounter(models.Model):
    """The last number issued per prefix and year; locked row by row to issue the next."""

    key = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"
