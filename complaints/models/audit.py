"""Who opened, downloaded and exported what: the access log beside the edit history."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from complaints.models.cases import Case


class AppendOnly(Exception):
    """The access log is never changed or deleted, by anyone."""


class AccessRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The access log is append-only.")

    def delete(self):
        raise AppendOnly("The access log is append-only.")


class AccessRecord(models.Model):
    """One opening of a case, download of a file, or export. Append-only: the model refuses
    changes and deletions, and on PostgreSQL so does a trigger (migration 0010), so not even
    the admin or a shell can rewrite it. It names the member of staff and the case, never the
    complainant, so it outlives the case's retention period unchanged."""

    class Action(models.TextChoices):
        VIEWED_CASE = "viewed_case", "Opened the case"
        DOWNLOADED_DOCUMENT = "downloaded_document", "Downloaded a document"
        DOWNLOADED_LETTER = "downloaded_letter", "Downloaded a letter"
        EXPORTED = "exported", "Exported"
        SUBJECT_ACCESS = "subject_access", "Made a subject-access bundle"
        ANONYMISED = "anonymised", "Anonymised, at the end of its retention period"

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    action = models.CharField(max_length=24, choices=Action.choices, editable=False)
    case = models.ForeignKey(
        Case, null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # What was downloaded or exported: a document's number and kind, an export's address.
    # Never a title or a name, which could identify someone.
    detail = models.CharField(max_length=255, blank=True, editable=False)
    address = models.GenericIPAddressField(null=True, blank=True, editable=False)

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"]), models.Index(fields=["user", "-at"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {timezone.localtime(self.at):%-d %b %Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The access log is append-only.")
