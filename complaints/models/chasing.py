"""Chasing: the rules a complaints manager sets, and the outbox of every message they cause.

A ChaseRule says when to write and to whom: a number of working days from a deadline (before
it, on it, after it), a stage not allocated in time, a workflow move as it happens, or a weekly
digest. The chase job turns each rule that has come due into a Notification row with a unique
key, so a rule fires once per case and stage however often the job runs; delivery then sends
the outbox. Both are in complaints.chasing.
"""

from django.conf import settings
from django.db import models

from complaints.models.cases import Case, Stage
from complaints.models.timescales import Level, Procedure, Step

User = settings.AUTH_USER_MODEL


class Recipient(models.TextChoices):
    RESPONDING_MANAGER = "responding_manager", "Responding manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    CASE_OFFICER = "case_officer", "Case officer"
    COMPLAINTS_MANAGERS = "complaints_managers", "Complaints managers"
    SENIOR_MANAGERS = "senior_managers", "Senior managers"
    INVESTIGATING_OFFICER = "investigating_officer", "Investigating officer"
    ACTION_OWNER = "action_owner", "Owner of the action"
    CALL_BACK_BY = "callback_by", "Who is to make the call-back"


class ChaseRule(models.Model):
    class Trigger(models.TextChoices):
        DEADLINE = "deadline", "A deadline not met"
        NOT_ALLOCATED = "not_allocated", "A stage not allocated"
        MOVE = "move", "A workflow move"
        LESSONS_LEARNT = "lessons_learnt", "A lessons-learnt form not returned"
        ACTION = "action", "An agreed action not completed"
        DIGEST = "digest", "Weekly digest of open and overdue cases"
        CALL_BACK = "call_back", "A call-back not made"
        ADVOCACY = "advocacy", "An accepted advocacy offer not referred"
        POOL_CHECK = "pool_check", "A pool member's check about to expire"

    class Anchor(models.TextChoices):
        SERVICE_TARGET = "service_target", "The service target"
        DUE = "due", "The due date (extended, if it was)"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    active = models.BooleanField(default=True)
    trigger = models.CharField(max_length=15, choices=Trigger.choices)
    procedure = models.CharField(
        max_length=10, choices=Procedure.choices, blank=True, help_text="Empty: either."
    )
    level = models.PositiveSmallIntegerField(
        choices=Level.choices, null=True, blank=True, help_text="Empty: any stage."
    )
    step = models.CharField(
        max_length=20, choices=Step.choices, blank=True, help_text="For deadline rules."
    )
    anchor = models.CharField(max_length=15, choices=Anchor.choices, blank=True)
    offset_working_days = models.SmallIntegerField(
        default=0, help_text="Negative: before the date; positive: after it."
    )
    offset_months = models.PositiveSmallIntegerField(
        default=0, help_text="Calendar months, for 'not allocated' rules."
    )
    unless = models.CharField(
        max_length=30,
        blank=True,
        help_text="For deadline rules: the stage date that stops the chase, if not the "
        "deadline's own (e.g. report_received_on for the investigator's report).",
    )
    only_while_drafting = models.BooleanField(
        default=False,
        help_text="Chase only while the response is being drafted, not once it is with the "
        "complaints team for its quality check.",
    )
    move = models.CharField(max_length=30, blank=True, help_text="For move rules.")
    to = models.JSONField(default=list, help_text='Recipient roles, e.g. ["responding_manager"].')
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200, help_text="Django template text.")
    body = models.TextField(
        help_text="Django template text: {{ case.reference }}, {{ stage_name }}, {{ due_on }}, "
        "{{ days }}, {{ link }}, {{ recipient_name }}. Keep personal data out: the link is enough."
    )

    class Meta:
        ordering = ["trigger", "level", "offset_working_days"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from complaints.templating import TemplateTextError, check

        for field in ("subject", "body"):
            try:
                check(getattr(self, field))
            except TemplateTextError as error:
                raise ValidationError({field: str(error)}) from None


class Notification(models.Model):
    """One message: written to the outbox in the transaction that caused it, then delivered.

    `key` makes each (case, stage, rule) or (rule, week) fire once, whatever runs twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=120, unique=True)
    rule = models.ForeignKey(ChaseRule, null=True, on_delete=models.SET_NULL)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.CASCADE)
    action = models.ForeignKey(
        "AgreedAction", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    # A letter sent to the complainant by e-mail goes with its PDF.
    attachment = models.ForeignKey(
        "Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=250)
    body = models.TextField()
    # An invitation to a review panel goes with its calendar entry (iCalendar text).
    calendar = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Why it went to the complaints team's shared address rather than to the rule's people.
    fallback = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A worker delivering it holds it until then (database time); no other worker takes it
    # meanwhile. Left behind by a worker that was killed, it lapses and the message goes later.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class ChaseRun(models.Model):
    """One run of the chase job: what it found, and how it ended."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    for_date = models.DateField()
    queued = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Chase for {self.for_date:%-d %b %Y}"
