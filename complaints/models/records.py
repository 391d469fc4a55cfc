"""What the case file holds beside its stages: notes of contact, documents and letters."""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from complaints.models.cases import Case, Stage
from complaints.models.timescales import Level, Procedure

User = settings.AUTH_USER_MODEL


class Contact(models.Model):
    """A note of a call, meeting, visit or message about the case."""

    class Kind(models.TextChoices):
        CALL = "call", "Telephone call"
        MEETING = "meeting", "Meeting"
        VISIT = "visit", "Home visit"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    happened_on = models.DateField()
    with_whom = models.CharField(max_length=150, blank=True)
    note = models.TextField()
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on:%-d %b %Y}"


def _document_path(instance, filename: str) -> str:
    # A random name: the original (often a person's name) is kept in the database only.
    return f"documents/{uuid.uuid4().hex}"


class Document(models.Model):
    """A file on the case. Served only through the permission-checked download view."""

    class Kind(models.TextChoices):
        CORRESPONDENCE = "correspondence", "Correspondence from the complainant"
        EVIDENCE = "evidence", "Evidence"
        INVESTIGATION_REPORT = "investigation_report", "Investigating officer's report"
        INDEPENDENT_PERSON_REPORT = "independent_person_report", "Independent person's report"
        ADJUDICATION = "adjudication", "Adjudication on the Stage 2 report"
        PANEL_SUBMISSION = "panel_submission", "Complainant's submission to the review panel"
        PANEL_PAPERS = "panel_papers", "Review panel papers (for the panel only)"
        PANEL_REPORT = "panel_report", "Review panel report"
        LETTER = "letter", "Letter sent"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_document_path)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    REFUSAL = "refusal", "Refusal"
    EXTENSION = "extension", "Extension of time"
    RESPONSE = "response", "Stage response"


class LetterTemplate(models.Model):
    """A letter a complaints manager words in the admin.

    `body` is Django template text. The context offers the case, stage, complainant, elements,
    findings, remedies, due dates and `paragraph.<code>` for each statutory paragraph, so the
    wording of the law is written once and shared by every letter.
    """

    kind = models.CharField(max_length=16, choices=LetterKind.choices)
    procedure = models.CharField(
        max_length=10, choices=Procedure.choices, blank=True, help_text="Empty: any procedure."
    )
    level = models.PositiveSmallIntegerField(
        choices=Level.choices, null=True, blank=True, help_text="Empty: any stage."
    )
    name = models.CharField(max_length=100, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "procedure", "level"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        _check_template_text(self, "subject", "body")


def _check_template_text(obj, *fields: str) -> None:
    from django.core.exceptions import ValidationError

    from complaints.templating import TemplateTextError, check

    for field in fields:
        try:
            check(getattr(obj, field))
        except TemplateTextError as error:
            raise ValidationError({field: str(error)}) from None


class LetterParagraph(models.Model):
    """A paragraph the law requires in letters: how to escalate, advocacy, the Ombudsman."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=100)
    text = models.TextField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        _check_template_text(self, "text")


class Letter(models.Model):
    """A letter drafted on a case. Once sent, its PDF is a Document and the text is final."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=16, choices=LetterKind.choices)
    template = models.ForeignKey(LetterTemplate, null=True, on_delete=models.SET_NULL)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    document = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="letter"
    )
    drafted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    sent_on = models.DateField(null=True, blank=True)
    # Until someone changes its text by hand, a draft follows the case: it is drafted again
    # from its template whenever it is shown or sent (complaints.letters.current).
    edited_by_hand = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-drafted_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class SubmittedForm(models.Model):
    """A form's one-off token, claimed in the transaction that acts on it: a double submit
    finds the token taken and changes nothing."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.token)
