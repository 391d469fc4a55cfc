"""Writing and reading the access log (AccessRecord): who opened which case, downloaded which
document or letter, and exported what. Views call `record`; a complaints manager reads a
case's log and a person's activity."""

from urllib.parse import urlencode

from django.db.models import QuerySet

from accounts.network import client_address
from complaints.models import AccessRecord, Case, Document

Action = AccessRecord.Action


def record(request, action: str, *, case: Case | None = None, detail: str = "") -> None:
    AccessRecord.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        case=case,
        detail=detail[:255],
        address=client_address(request),
    )


def record_download(request, document: Document) -> None:
    letter = document.kind == Document.Kind.LETTER
    record(
        request,
        Action.DOWNLOADED_LETTER if letter else Action.DOWNLOADED_DOCUMENT,
        case=document.case,
        detail=f"Document {document.pk}: {document.get_kind_display()}",
    )


def record_export(request, what: str, *, filters=None) -> None:
    """An export: `what` names it; with a FilterSet, the filters it declares as asked for, and
    nothing else the address carried (the log is kept for good, so no stray personal data)."""
    if filters is not None:
        declared = {*filters.filters, "ordering"}
        asked = [(k, v) for k, v in request.GET.items() if k in declared and v]
        what = f"{what} {urlencode(asked)}".strip()
    record(request, Action.EXPORTED, detail=what)


def case_log(case: Case) -> QuerySet[AccessRecord]:
    return AccessRecord.objects.filter(case=case).select_related("user")


def person_activity(user) -> QuerySet[AccessRecord]:
    return AccessRecord.objects.filter(user=user).select_related("case")
