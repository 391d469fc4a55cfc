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
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import concurrency, deadlines, templating
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

ESCALATION_WINDOW_DAYS = 20


def _person(user) -> dict:
    """A member of staff as a letter may name them; `get_full_name` keeps templates written
    before the context became plain values working."""
    if user is None:
        return {"name": "", "get_full_name": "", "job_title": ""}
    name = user.get_full_name() or user.username
    return {"name": name, "get_full_name": name, "job_title": user.job_title}


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
    """Everything a letter template may use: plain values only (see complaints.templating)."""
    respond = stage.deadlines.filter(step=Step.RESPOND).first() if stage else None
    findings = list(stage.element_findings.select_related("element", "finding")) if stage else []
    complainant = case.complainant
    context = {
        "council": {
            "name": settings.COUNCIL_NAME,
            "address": settings.COUNCIL_ADDRESS,
            "contact": settings.COMPLAINTS_CONTACT,
        },
        "today": timezone.localdate(),
        "case": {
            "reference": case.reference,
            "received_on": case.received_on,
            "kind": case.get_kind_display(),
            "procedure": case.get_procedure_display() if case.procedure else "",
        },
        "complainant": {
            "name": complainant.name,
            "address": complainant.address,
            "postcode": complainant.postcode,
        },
        "children": [{"name": child.name} for child in case.children.all()],
        "stage": (
            {
                "level": stage.level,
                "name": stage.get_level_display(),
                "requested_on": stage.requested_on,
            }
            if stage
            else None
        ),
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
        "remedies": [
            {"kind": {"label": r.kind.label}, "amount": r.amount, "detail": r.detail}
            for r in (stage.remedies.select_related("kind") if stage else [])
        ],
        "refusal_reason": case.refusal_reason.label if case.refusal_reason_id else "",
        "officer": _person(case.officer),
    }
    context["paragraph"] = {
        p.code: templating.render(p.text, context) for p in LetterParagraph.objects.all()
    }
    return context


def _next_stage_name(case: Case, stage: Stage | None) -> str:
    if stage is None or not case.procedure:
        return ""
    nxt = deadlines.stage_definition(case.procedure, stage.level + 1)
    return f"Stage {nxt.level}, {nxt.name.lower()}" if nxt else ""


def _drafted(case: Case, template: LetterTemplate, by, stage: Stage | None) -> Letter:
    """A letter filled in from its template (and the paragraphs it names), not yet saved."""
    try:
        context = letter_context(case, stage)
        subject = templating.render(template.subject, context)
        body = templating.render(template.body, context)
    except templating.TemplateTextError as error:
        raise DomainError(
            f"A letter template or paragraph has an error ({error}): a complaints manager "
            "can correct it in the admin."
        ) from None
    return Letter(
        case=case,
        stage=stage,
        kind=template.kind,
        template=template,
        subject=subject.strip(),
        body=body.strip() + "\n",
        drafted_by=by,
    )


@transaction.atomic
def letter_draft(
    *, case: Case, template: LetterTemplate, by, stage: Stage | None = None
) -> Letter:
    letter = _drafted(case, template, by, stage or case.current_stage)
    letter.save()
    return letter


def response_letter(case: Case) -> Letter | None:
    """The current stage's draft response letter, if one has been saved."""
    stage = case.current_stage
    if stage is None:
        return None
    return stage.letter_set.filter(kind=LetterKind.RESPONSE, sent_on__isnull=True).first()


def response_letter_prepared(case: Case, *, by) -> Letter:
    """The saved draft response letter, or one drafted from the stage's template and not yet
    saved: opening the page writes nothing; saving it does."""
    letter = response_letter(case)
    if letter is not None:
        return letter
    stage = case.current_stage
    template = templates_for(case, LetterKind.RESPONSE).order_by("-level", "-procedure").first()
    if template is None:
        raise DomainError(
            f"There is no active response letter template for {stage.get_level_display()}: "
            "a complaints manager can add one in the admin."
        )
    return _drafted(case, template, by, stage)


def letter_fingerprint(letter: Letter) -> str:
    return concurrency.fingerprint(letter.subject, letter.body) if letter.pk else ""


@transaction.atomic
def letter_update(letter: Letter, *, subject: str, body: str, seen: str | None = None) -> Letter:
    """Save the letter's text: a prepared draft is saved for the first time; a saved one only
    if nobody else saved it after the form was opened."""
    if letter.pk is not None:
        saved = Letter.objects.select_for_update().get(pk=letter.pk)
        concurrency.check(seen, letter_fingerprint(saved), "this letter")
        letter.sent_on = saved.sent_on
    if letter.sent_on:
        raise DomainError("This letter has been sent; it cannot be changed.")
    letter.subject, letter.body = subject.strip(), body
    letter.save()
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
