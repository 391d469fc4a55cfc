"""Letters: drafted from the templates a complaints manager words in the admin, edited on the
case, then sent as a PDF kept on the case.

The template context is built here and only here (`letter_context`), so every letter and every
statutory paragraph can use the same names: see LetterTemplate's docstring for the list.
"""

import datetime as dt
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import deadlines
from complaints.errors import DomainError
from complaints.models import (
    Case,
    Document,
    Letter,
    LetterKind,
    LetterParagraph,
    LetterTemplate,
    Stage,
    Step,
)
from complaints.workingdays import add_working_days

# Admin-written text gets the plain engine: no custom tags, no file loaders, autoescape off
# because letters are plain text that the PDF template escapes once.
_ENGINE = Engine(autoescape=False, libraries={}, builtins=["django.template.defaultfilters"])
ESCALATION_WINDOW_DAYS = 20


def compile_template(text: str):
    try:
        return _ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise DomainError(f"The letter text has a template error: {error}", field="body") from None


def templates_for(case: Case, kind: str | None = None):
    level = case.current_stage.level if case.current_stage else None
    found = LetterTemplate.objects.filter(active=True)
    if kind:
        found = found.filter(kind=kind)
    found = found.filter(procedure__in=["", case.procedure or ""])
    return found.filter(level__isnull=True) | found.filter(level=level)


def _escalation_by(stage: Stage | None) -> dt.date | None:
    if stage is None:
        return None
    window = stage.deadlines.filter(step=Step.ESCALATION_WINDOW).first()
    if window is not None:
        return window.effective_due_on
    start = stage.responded_on or timezone.localdate()
    return add_working_days(start, ESCALATION_WINDOW_DAYS)


def letter_context(case: Case, stage: Stage | None) -> dict:
    """Everything a letter template may use."""
    respond = stage.deadlines.filter(step=Step.RESPOND).first() if stage else None
    findings = list(stage.element_findings.select_related("element", "finding")) if stage else []
    context = {
        "council": {
            "name": settings.COUNCIL_NAME,
            "address": settings.COUNCIL_ADDRESS,
            "contact": settings.COMPLAINTS_CONTACT,
        },
        "today": timezone.localdate(),
        "case": case,
        "complainant": case.complainant,
        "children": list(case.children.all()),
        "stage": stage,
        "stage_name": stage.get_level_display() if stage else "",
        "next_stage_name": _next_stage_name(case, stage),
        "due_on": respond.effective_due_on if respond else None,
        "escalate_by": _escalation_by(stage),
        "elements": [
            {
                "number": ef.element.number,
                "summary": ef.element.summary,
                "finding": ef.finding.label if ef.finding else "",
                "reasoning": ef.reasoning,
            }
            for ef in findings
        ],
        "remedies": list(stage.remedies.select_related("kind")) if stage else [],
        "refusal_reason": case.refusal_reason.label if case.refusal_reason_id else "",
        "officer": case.officer,
    }
    context["paragraph"] = {
        p.code: compile_template(p.text).render(Context(context, autoescape=False))
        for p in LetterParagraph.objects.all()
    }
    return context


def _next_stage_name(case: Case, stage: Stage | None) -> str:
    if stage is None or not case.procedure:
        return ""
    nxt = deadlines.stage_definition(case.procedure, stage.level + 1)
    return f"Stage {nxt.level}, {nxt.name.lower()}" if nxt else ""


def render_text(text: str, case: Case, stage: Stage | None) -> str:
    return (
        compile_template(text)
        .render(Context(letter_context(case, stage), autoescape=False))
        .strip()
        + "\n"
    )


@transaction.atomic
def letter_draft(
    *, case: Case, template: LetterTemplate, by, stage: Stage | None = None
) -> Letter:
    stage = stage or case.current_stage
    return Letter.objects.create(
        case=case,
        stage=stage,
        kind=template.kind,
        template=template,
        subject=render_text(template.subject, case, stage).strip(),
        body=render_text(template.body, case, stage),
        drafted_by=by,
    )


def response_letter(case: Case, *, by=None, create: bool = False) -> Letter | None:
    """The current stage's draft response letter; drafted from its template when asked."""
    stage = case.current_stage
    if stage is None:
        return None
    letter = stage.letter_set.filter(kind=LetterKind.RESPONSE, sent_on__isnull=True).first()
    if letter is None and create:
        template = (
            templates_for(case, LetterKind.RESPONSE).order_by("-level", "-procedure").first()
        )
        if template is None:
            raise DomainError(
                f"There is no active response letter template for {stage.get_level_display()}: "
                "a complaints manager can add one in the admin."
            )
        letter = letter_draft(case=case, template=template, by=by, stage=stage)
    return letter


def letter_update(letter: Letter, *, subject: str, body: str) -> Letter:
    if letter.sent_on:
        raise DomainError("This letter has been sent; it cannot be changed.")
    letter.subject, letter.body = subject.strip(), body
    letter.save(update_fields=["subject", "body"])
    return letter


def render_pdf(letter: Letter, *, on: dt.date) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "letters/letter.html",
        {
            "letter": letter,
            "case": letter.case,
            "complainant": letter.case.complainant,
            "on": on,
            "council_name": settings.COUNCIL_NAME,
            "council_address": settings.COUNCIL_ADDRESS,
            "complaints_contact": settings.COMPLAINTS_CONTACT,
        },
    )
    out = BytesIO()
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(out)
    return out.getvalue()


@transaction.atomic
def letter_send(letter: Letter, *, by, on: dt.date | None = None) -> Letter:
    """Render the PDF, keep it on the case and freeze the letter."""
    letter = Letter.objects.select_for_update().select_related("case").get(pk=letter.pk)
    if letter.sent_on:
        raise DomainError("This letter has already been sent.")
    on = on or timezone.localdate()
    pdf = render_pdf(letter, on=on)
    name = f"{letter.case.reference}-{letter.kind}-{on:%Y%m%d}.pdf"
    document = Document(
        case=letter.case,
        stage=letter.stage,
        kind=Document.Kind.LETTER,
        title=letter.subject,
        filename=name,
        content_type="application/pdf",
        size=len(pdf),
        uploaded_by=by,
    )
    document.file.save(name, SimpleUploadedFile(name, pdf), save=False)
    document.save()
    letter.document, letter.sent_on = document, on
    letter.save(update_fields=["document", "sent_on"])
    return letter
