"""Subject access: everything held about one complainant or one child, as a bundle for a
complaints officer to review (and redact what is about other people) before release.

The bundle is a ZIP:
- `summary.pdf`: the person's details and, for each of their cases, its stages, statement of
  complaint, findings, remedies, notes of contact and timeline;
- `letters/`: every letter sent on those cases, as sent;
- `documents/`: every other document on those cases, as uploaded;
- `history.csv`: every move on those cases and every edit to their records, with who and when;
- `README.txt`: what the bundle is and what to check before release.
Only the person's own cases are in it: those they made (a complainant) or that concern them
(a child). Making one is recorded in the access log, once per case.
"""

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import audit, pdf, selectors, spreadsheets
from complaints.models import (
    Case,
    Child,
    Complainant,
    Contact,
    Document,
    Element,
    ElementFinding,
    Letter,
)

Action = audit.Action


@dataclass
class Subject:
    kind: str  # "complainant" or "child"
    person: Complainant | Child

    @property
    def name(self) -> str:
        return self.person.name

    def cases(self) -> QuerySet[Case]:
        if self.kind == "child":
            return Case.objects.filter(children=self.person).order_by("received_on", "pk")
        return Case.objects.filter(complainant=self.person).order_by("received_on", "pk")


def search(text: str) -> dict[str, list]:
    """Complainants and children whose name, e-mail, postcode or case-system ID matches."""
    text = text.strip()
    if len(text) < 2:
        return {"complainants": [], "children": []}
    complainants = Complainant.objects.filter(
        Q(name__icontains=text) | Q(email__iexact=text) | Q(postcode__iexact=text),
        anonymised_on__isnull=True,
    ).order_by("name")[:50]
    children = Child.objects.filter(
        Q(name__icontains=text) | Q(case_system_reference__iexact=text),
        anonymised_on__isnull=True,
    ).order_by("name")[:50]
    return {"complainants": list(complainants), "children": list(children)}


def _case_context(case: Case) -> dict:
    case = selectors.whole_case_queryset().get(pk=case.pk)
    return {
        "case": case,
        "stages": list(case.stages.all()),
        "timeline": selectors.case_timeline(case),
    }


def _edits(subject: Subject, case: Case):
    """The edit histories that belong to the case and to the person: (what, records)."""
    yield "The case", case.history.all()
    yield "The complainant", case.complainant.history.all()
    for child in case.children.all():
        if subject.kind == "complainant" or child == subject.person:
            yield "A child", child.history.all()
    for model, what in (
        (Element, "An element of complaint"),
        (ElementFinding, "A finding"),
        (Contact, "A note of contact"),
        (Document, "A document"),
        (Letter, "A letter"),
    ):
        lookup = {"stage__case": case} if model is ElementFinding else {"case": case}
        ids = model.objects.filter(**lookup).values("pk")
        yield what, model.history.filter(id__in=ids)


def _history_rows(subject: Subject, cases: list[Case]):
    """Every move on the cases and every edit of their records, oldest first."""
    rows = []
    for case in cases:
        for event in case.events.select_related("actor").order_by("at", "pk"):
            when = timezone.localtime(event.at).isoformat(timespec="seconds")
            rows.append(
                (when, case.reference, "Move", event.move, str(event.actor or ""), event.reason)
            )
        for what, records in _edits(subject, case):
            for record in records.select_related("history_user"):
                when = timezone.localtime(record.history_date).isoformat(timespec="seconds")
                by = str(record.history_user or "")
                rows.append(
                    (when, case.reference, what, record.get_history_type_display(), by, "")
                )
    return sorted(set(rows))


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "file"


def summary_pdf(subject: Subject, cases: list[Case], *, made_on: dt.date) -> bytes:
    html = render_to_string(
        "privacy/subject_access_summary.html",
        {
            "subject": subject,
            "person": subject.person,
            "cases": [_case_context(c) for c in cases],
            "made_on": made_on,
            "council_name": settings.COUNCIL_NAME,
        },
    )
    return pdf.from_html(html)


def bundle(subject: Subject, *, request) -> bytes:
    """The ZIP, and a line in the access log for each case in it."""
    cases = list(subject.cases())
    today = timezone.localdate()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.pdf", summary_pdf(subject, cases, made_on=today))
        header = ["When", "Case", "What", "Which", "By", "Reason or note"]
        archive.writestr(
            "history.csv", spreadsheets.csv_text(header, _history_rows(subject, cases))
        )
        for document in Document.objects.filter(case__in=cases).select_related("case"):
            folder = "letters" if document.kind == Document.Kind.LETTER else "documents"
            name = (
                f"{folder}/{document.case.reference}-{document.pk}-{_safe_name(document.filename)}"
            )
            with document.file.open("rb") as handle:
                archive.writestr(name, handle.read())
        archive.writestr(
            "README.txt",
            render_to_string(
                "privacy/subject_access_readme.txt",
                {"subject": subject, "cases": cases, "made_on": today, "by": request.user},
            ),
        )
    for case in cases:
        audit.record(
            request,
            Action.SUBJECT_ACCESS,
            case=case,
            detail=f"Bundle for {subject.kind} {subject.person.pk}",
        )
    return out.getvalue()
