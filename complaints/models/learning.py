"""What the council learns from complaints, and the actions it agrees, until they are done."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from complaints.models.cases import Case, Stage
from complaints.models.organisation import Team

User = settings.AUTH_USER_MODEL


class LessonsLearnt(models.Model):
    """The form a team manager owes after responding to a complaint that found fault."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="lessons_learnt")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lessons_learnt")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    owed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons_owed"
    )
    due_on = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    what_went_wrong = models.TextField(blank=True)
    learning = models.TextField(blank=True)
    applies_beyond_case = models.BooleanField(null=True, blank=True)
    wider_learning = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "lessons-learnt form"
        ordering = ["due_on"]
        indexes = [models.Index(fields=["submitted_on", "due_on"])]

    def __str__(self) -> str:
        return f"Lessons learnt, {self.stage}"


class AgreedAction(models.Model):
    """An action the council agreed: from a lessons-learnt form, a Stage 2 or 3
    recommendation, or the Ombudsman. Chased until done."""

    class Source(models.TextChoices):
        LESSONS_LEARNT = "lessons_learnt", "Lessons-learnt form"
        STAGE_2 = "stage_2", "Stage 2 recommendation"
        STAGE_3 = "stage_3", "Stage 3 review panel recommendation"
        OMBUDSMAN = "ombudsman", "Ombudsman recommendation"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Not going ahead"

    # Empty for an Ombudsman recommendation on a complaint that never came to the council.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="agreed_actions"
    )
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL)
    lessons_learnt = models.ForeignKey(
        LessonsLearnt,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actions",
    )
    source = models.CharField(max_length=15, choices=Source.choices)
    description = models.TextField()
    owner = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="agreed_actions"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="What was done, and where it is shown.")
    # The annual report lists an action only in these words, written for the public.
    published_summary = models.TextField(
        "For the annual report",
        blank=True,
        help_text="The action in words that identify nobody. Left empty, it is counted in the "
        "annual report but not listed.",
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.description[:80]
