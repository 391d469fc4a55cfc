"""The review panel's papers: one PDF for the panel, kept on the case as a PANEL_PAPERS document
that only the complaints team and that stage's panel may open (complaints.access,
`may_download`).

In order, each part a bookmark with its title:
1. a cover and contents page (the parts, the page each starts on, and any file not included);
2. the complaint: the representation as logged, the outcome sought and the statement of
   complaint, laid out here;
3. the Stage 2 reports (investigating officer's, independent person's);
4. the adjudication: documents of that kind, or else the Stage 2 response letter;
5. the complainant's submission to the panel.
Uploaded PDFs are appended page for page with pypdf; other files (Word, images, e-mails) and
PDFs that cannot be read are listed on the contents page as not included, by title.
"""

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from complaints import pdf
from complaints.errors import DomainError
from complaints.models import Case, Document, LetterKind, Level

Kind = Document.Kind


@dataclass
class Paper:
    title: str
    reader: PdfReader | None = None
    start: int | None = None  # 1-based page in the bundle


@dataclass
class Part:
    title: str
    papers: list[Paper] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # titles not included
    start: int | None = None


def _pdf_of(document: Document) -> PdfReader | None:
    if document.content_type != "application/pdf":
        return None
    try:
        with document.file.open("rb") as file:
            reader = PdfReader(BytesIO(file.read()))
        if reader.is_encrypted or not reader.pages:
            return None
        return reader
    except (PyPdfError, OSError, ValueError):
        return None


def _part(title: str, documents) -> Part:
    part = Part(title)
    for document in documents:
        reader = _pdf_of(document)
        if reader is None:
            part.missing.append(document.title)
        else:
            part.papers.append(Paper(document.title, reader))
    return part


def parts(case: Case) -> list[Part]:
    """The parts after the complaint, from the case's documents."""
    documents = case.documents.order_by("uploaded_at", "pk")
    adjudication = list(documents.filter(kind=Kind.ADJUDICATION))
    if not adjudication:
        letter = (
            case.letters.filter(
                kind=LetterKind.RESPONSE,
                stage__level=Level.INVESTIGATION,
                document__isnull=False,
            )
            .select_related("document")
            .order_by("-sent_on", "-pk")
            .first()
        )
        adjudication = [letter.document] if letter else []
    return [
        _part(
            "The Stage 2 reports",
            documents.filter(kind__in=[Kind.INVESTIGATION_REPORT, Kind.INDEPENDENT_PERSON_REPORT]),
        ),
        _part("The adjudication", adjudication),
        _part("The complainant's submission", documents.filter(kind=Kind.PANEL_SUBMISSION)),
    ]


def cover_html(case: Case, appended: list[Part], *, on: dt.date, complaint_page=None) -> str:
    """The cover, contents and the complaint, as HTML for WeasyPrint (escaped by Django's
    templates: all of it is typed by people)."""
    stage = case.current_stage
    return render_to_string(
        "complaints/panel_papers.html",
        {
            "case": case,
            "stage": stage,
            "elements": case.elements.select_related("nature").order_by("number"),
            "parts": appended,
            "complaint_page": complaint_page,
            "on": on,
        },
    )


def _render(case: Case, appended: list[Part], on: dt.date):
    """Lay out the first pages twice: the contents' page numbers depend on how many there are."""
    complaint_page = None
    for _ in range(3):
        document = pdf.layout(cover_html(case, appended, on=on, complaint_page=complaint_page))
        found = next(i for i, page in enumerate(document.pages) if "complaint" in page.anchors)
        page = len(document.pages) + 1
        changed = found + 1 != complaint_page
        complaint_page = found + 1
        for part in appended:
            part.start = page if part.papers else None
            for paper in part.papers:
                changed |= paper.start != page
                paper.start = page
                page += len(paper.reader.pages)
        if not changed:
            break
    return document, complaint_page


def render(case: Case, *, on: dt.date) -> bytes:
    """The bundle's bytes, with its bookmarks."""
    appended = parts(case)
    document, complaint_page = _render(case, appended, on)
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf.write(document))))
    for part in appended:
        for paper in part.papers:
            writer.append(paper.reader, import_outline=False)
    # Bookmarks once every page is in place: each points at a page of the bundle.
    writer.add_outline_item(title="Contents", page_number=0)
    writer.add_outline_item(title="The complaint", page_number=complaint_page - 1)
    for part in appended:
        if not part.papers:
            continue
        parent = writer.add_outline_item(title=part.title, page_number=part.papers[0].start - 1)
        for paper in part.papers:
            writer.add_outline_item(title=paper.title, page_number=paper.start - 1, parent=parent)
    writer.add_metadata({"/Title": f"Review panel papers, complaint {case.reference}"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@transaction.atomic
def bundle_make(*, case: Case, by, on: dt.date | None = None) -> Document:
    """Make the panel's papers and keep them on the case, for the panel only."""
    stage = case.current_stage
    if stage is None or stage.level != Level.REVIEW_PANEL:
        raise DomainError("The panel's papers are made at Stage 3.")
    on = on or timezone.localdate()
    content = render(case, on=on)
    name = f"{case.reference}-panel-papers-{on:%Y-%m-%d}.pdf"
    document = Document(
        case=case,
        stage=stage,
        kind=Kind.PANEL_PAPERS,
        title=f"Review panel papers, {on:%-d %B %Y}",
        filename=name,
        content_type="application/pdf",
        size=len(content),
        uploaded_by=by,
    )
    document.file.save(name, SimpleUploadedFile(name, content), save=False)
    document.save()
    return document
