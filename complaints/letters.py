"""Letters: drafted from the templates a complaints manager words in the admin, edited on the
case, then sent as a PDF kept on the case, and by e-mail where the complainant agreed to it.

The template context is built here and only here (`letter_context`), so every letter and every
statutory paragraph can use the same names: see LetterTemplate's docstring for the list.

A draft follows the case until someone changes its text by hand: findings, remedies and
signatories recorded later reach it (`current`). Redrafting brings a hand-edited letter back to
the case's facts. Text in square brackets is a placeholder, and a letter holding one is not
submitted for its quality check or sent (`check_ready`).
"""

import datetime as dt
import difflib
import re

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import chasing, concurrency, deadlines, pdf, templating
from complaints.errors import DomainError
from complaints.escalation_link import escalation_link
from complaints.models import (
    Case,
    Document,
    Letter,
    LetterKind,
    LetterParagraph,
    LetterTemplate,
    Level,
    Notification,
    Procedure,
    Stage,
    Step,
)
from complaints.workingdays import add_working_days

ESCALATION_WINDOW_DAYS = 20
PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,80}\]")
# Where the case's own fields come from, for the placeholders a template puts in their place.
PLACEHOLDER_HELP = {
    "[Job title]": "the signatory's job title comes from their account: a complaints manager "
    "can add it under Settings and templates, Users",
    "[Name]": "the signatory is the stage's responding manager: allocate the stage first",
    "[Adjudicating officer's name]": "appoint the adjudicating officer on the case first",
    "[Director's name]": "the director is set by the DIRECTOR_NAME setting",
    "[finding to be recorded]": "record a finding on every element",
}


def _person(user) -> dict:
    """A member of staff as a letter may name them; `get_full_name` keeps templates written
    before the context became plain values working."""
    if user is None:
        return {"name": "", "get_full_name": "", "job_title": ""}
    name = user.get_full_name() or user.username
    return {"name": name, "get_full_name": name, "job_title": user.job_title}


def _signatory(case: Case, stage: Stage | None) -> dict:
    """Who signs: at Stage 2 the adjudicating officer, at Stage 3 the director, otherwise the
    manager responding for the stage (or, with no stage, the case officer)."""
    if stage is None:
        return _person(case.officer)
    if case.procedure == Procedure.STATUTORY and stage.level == Level.INVESTIGATION:
        return _person(stage.adjudicating_officer)
    if case.procedure == Procedure.STATUTORY and stage.level == Level.REVIEW_PANEL:
        return _director()
    manager = stage.responding_manager or (stage.team.manager if stage.team_id else None)
    return _person(manager)


def _director() -> dict:
    name = settings.DIRECTOR_NAME
    return {"name": name, "get_full_name": name, "job_title": settings.DIRECTOR_JOB_TITLE}


def placeholders(text: str) -> list[str]:
    """Each distinct [placeholder] in the text, in order."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def check_ready(letter: Letter) -> None:
    """Refuse a letter that still holds a placeholder, naming each one and where to fix it."""
    found = placeholders(f"{letter.subject}\n{letter.body}")
    if not found:
        return
    raise DomainError(
        "The letter still holds text in square brackets, so it cannot go to the family. "
        "Replace each of these in the letter, then try again:",
        details=[
            f"“{p}”: {PLACEHOLDER_HELP[p]}, or type it into the letter."
            if p in PLACEHOLDER_HELP
            else f"“{p}”"
            for p in found
        ],
    )


def templates_for(case: Case, kind: str | None = None):
    level = case.current_stage.level if case.current_stage else None
    found = LetterTemplate.objects.filter(active=True)
    if kind:
        found = found.filter(kind=kind)
    if case.current_stage is None:
        # An acknowledgement tells the complainant when to expect the response, which is
        # known once the complaint is accepted into a procedure.
        found = found.exclude(kind=LetterKind.ACKNOWLEDGEMENT)
    found = found.filter(procedure__in=["", case.procedure or ""])
    return found.filter(level__isnull=True) | found.filter(level=level)


def _escalation_by(stage: Stage | None, on: dt.date) -> dt.date | None:
    if stage is None:
        return None
    if stage.responded_on:
        window = stage.deadlines.filter(step=Step.ESCALATION_WINDOW).first()
        if window is not None:
            return window.effective_due_on
    return add_working_days(stage.responded_on or on, ESCALATION_WINDOW_DAYS)


def letter_context(case: Case, stage: Stage | None, on: dt.date | None = None) -> dict:
    """Everything a letter template may use: plain values only (see complaints.templating).
    `on` is the letter's date, from which an unissued response's escalation window runs."""
    on = on or timezone.localdate()
    respond = stage.deadlines.filter(step=Step.RESPOND).first() if stage else None
    findings = list(stage.element_findings.select_related("element", "finding")) if stage else []
    complainant = case.complainant
    next_stage_name = _next_stage_name(case, stage)
    context = {
        "council": {
            "name": settings.COUNCIL_NAME,
            "address": settings.COUNCIL_ADDRESS,
            "contact": settings.COMPLAINTS_CONTACT,
        },
        "today": on,
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
        "next_stage_name": next_stage_name,
        # The complainant's own way to ask for the next stage online (complaints.escalation_link).
        "escalation_link": escalation_link(stage) if next_stage_name else "",
        "due_on": respond.effective_due_on if respond else None,
        "escalate_by": _escalation_by(stage, on),
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
        "signatory": _signatory(case, stage),
        "adjudicator": _person(stage.adjudicating_officer if stage else None),
        "director": _director(),
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


def _drafted(
    case: Case, template: LetterTemplate, by, stage: Stage | None, on: dt.date | None = None
) -> Letter:
    """A letter filled in from its template (and the paragraphs it names), not yet saved."""
    try:
        context = letter_context(case, stage, on)
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
def other_templates_for(case: Case):
    """The letters prepared by hand: all but the response, which follows the case."""
    return templates_for(case).exclude(kind=LetterKind.RESPONSE)


def action_for(letter: Letter) -> str:
    """The action (complaints.actions) that edits the draft: a response is the responder's."""
    return "draft-response" if letter.kind == LetterKind.RESPONSE else "letter"


def sent_by_hand(letter: Letter) -> bool:
    """A response goes when the response is issued (the issue-response move); others are sent
    from their own page."""
    return letter.kind != LetterKind.RESPONSE


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


def current(letter: Letter, *, on: dt.date | None = None) -> Letter:
    """The letter as it reads now: while nobody has edited it by hand, drafted again from its
    template with what the case holds today. Changes the object only; nothing is saved."""
    if letter.sent_on or letter.edited_by_hand or letter.template_id is None:
        return letter
    fresh = _drafted(letter.case, letter.template, letter.drafted_by, letter.stage, on)
    letter.subject, letter.body = fresh.subject, fresh.body
    return letter


def letter_fingerprint(letter: Letter) -> str:
    return concurrency.fingerprint(letter.subject, letter.body) if letter.pk else ""


def _text(body: str) -> str:
    return body.replace("\r\n", "\n").strip() + "\n"


@transaction.atomic
def letter_update(letter: Letter, *, subject: str, body: str, seen: str | None = None) -> Letter:
    """Save the letter's text: a prepared draft is saved for the first time; a saved one only
    if nobody else saved it, and the case did not change it, after the form was opened. Text
    that differs from the draft the case gives stops the letter following the case."""
    before = letter
    if letter.pk is not None:
        before = current(
            Letter.objects.select_for_update().select_related("case").get(pk=letter.pk)
        )
        concurrency.check(seen, letter_fingerprint(before), "this letter")
        letter.sent_on, letter.edited_by_hand = before.sent_on, before.edited_by_hand
    if letter.sent_on:
        raise DomainError("This letter has been sent; it cannot be changed.")
    subject, body = subject.strip(), body.replace("\r\n", "\n")
    if (subject, _text(body)) != (before.subject.strip(), _text(before.body)):
        letter.edited_by_hand = True
    letter.subject, letter.body = subject, body
    letter.save()
    return letter


@transaction.atomic
def letter_redraft(letter: Letter, *, by) -> Letter:
    """Draft the letter again from its template and the case, replacing any hand edits."""
    letter = Letter.objects.select_for_update().select_related("case").get(pk=letter.pk)
    if letter.sent_on:
        raise DomainError("This letter has been sent; it cannot be changed.")
    if letter.template_id is None:
        raise DomainError("This letter was not drafted from a template: it cannot be redrafted.")
    letter.edited_by_hand = False
    current(letter)
    letter.drafted_by = by
    letter.save()
    return letter


def response_letter_save(case: Case, *, by) -> Letter:
    """The stage's response letter saved as it reads now (drafted first if need be)."""
    letter = current(response_letter_prepared(case, by=by))
    return letter_update(letter, subject=letter.subject, body=letter.body)


def quality_check(case: Case) -> dict:
    """What the complaints team reads before approving a draft response: the letter as it
    reads now, and, if the draft was returned before, the comments and what changed since."""
    letter = response_letter(case)
    if letter is None:
        return {}
    current(letter)
    returned = case.events.filter(move="return_draft", stage=case.current_stage).order_by("-at")
    last_return = returned.first()
    changes = []
    if last_return is not None:
        try:
            before = letter.history.as_of(last_return.at)
            earlier = f"{before.subject}\n{before.body}"
        except Letter.DoesNotExist:
            earlier = ""  # returned before any letter was saved: all of it is new
        changes = _changes(earlier, f"{letter.subject}\n{letter.body}")
    return {
        "letter": letter,
        "placeholders": placeholders(f"{letter.subject}\n{letter.body}"),
        "last_return": last_return,
        "changes": changes,
    }


def _changes(before: str, after: str) -> list[tuple[str, str]]:
    """Lines removed and added, in order, as ("removed" | "added", line)."""
    kinds = {"- ": "removed", "+ ": "added"}
    return [
        (kinds[line[:2]], line[2:])
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line[:2] in kinds and line[2:].strip()
    ]


def render_pdf(letter: Letter, *, on: dt.date) -> bytes:
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
    return pdf.from_html(html)


def _filename(letter: Letter, on: dt.date) -> str:
    """The case, stage, kind and date, e.g. CSC-2026-00042-stage-1-response-20261202.pdf; a
    second letter of the same kind that day gets -2."""
    parts = [letter.case.reference]
    if letter.stage_id:
        parts.append(f"stage-{letter.stage.level}")
    parts += [letter.kind, f"{on:%Y%m%d}"]
    base = "-".join(parts)
    taken = set(
        Document.objects.filter(case=letter.case, filename__startswith=base).values_list(
            "filename", flat=True
        )
    )
    name, number = f"{base}.pdf", 2
    while name in taken:
        name, number = f"{base}-{number}.pdf", number + 1
    return name


def _check_escalation_date(letter: Letter, on: dt.date) -> None:
    """A hand-edited response keeps the escalation date of the day it was edited; refuse one
    that would now give the family the wrong date."""
    if letter.kind != LetterKind.RESPONSE or not letter.edited_by_hand or not letter.template_id:
        return
    fresh = _drafted(letter.case, letter.template, None, letter.stage, on)
    right = _escalation_by(letter.stage, on)
    if right and f"{right:%-d %B %Y}" in fresh.body and f"{right:%-d %B %Y}" not in letter.body:
        raise DomainError(
            "The letter was edited by hand on an earlier day, so the date by which the family "
            f"may ask for the next stage is out of date: sent on {on:%-d %B %Y}, it is "
            f"{right:%-d %B %Y}. Correct the date in the letter, or redraft it."
        )


@transaction.atomic
def letter_send(letter: Letter, *, by, on: dt.date | None = None) -> Letter:
    """Render the PDF, keep it on the case, freeze the letter, and e-mail it with the PDF to a
    complainant who agreed to letters by e-mail."""
    letter = Letter.objects.select_for_update().select_related("case").get(pk=letter.pk)
    if letter.sent_on:
        raise DomainError("This letter has already been sent.")
    on = on or timezone.localdate()
    current(letter, on=on)
    check_ready(letter)
    _check_escalation_date(letter, on)
    pdf = render_pdf(letter, on=on)
    name = _filename(letter, on)
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
    letter.save(update_fields=["subject", "body", "document", "sent_on"])
    _email(letter)
    return letter


def _email(letter: Letter) -> Notification | None:
    """Queue the letter for the complainant, sent after the commit through the outbox. The
    e-mail names nobody: the letter is the attachment."""
    complainant = letter.case.complainant
    if not (complainant.letters_by_email and complainant.email):
        return None
    note = Notification(
        key=f"letter:{letter.pk}",
        case=letter.case,
        stage=letter.stage,
        to=[complainant.email],
        # Not the letter's own subject: that can be edited by hand, and may name someone.
        subject=f"A letter about your complaint, reference {letter.case.reference}",
        body=render_to_string(
            "letters/letter_email.txt",
            {
                "letter": letter,
                "council_name": settings.COUNCIL_NAME,
                "complaints_contact": settings.COMPLAINTS_CONTACT,
            },
        ),
        attachment=letter.document,
    )
    chasing.send_after_commit([note])
    return note
