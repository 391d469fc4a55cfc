"""Writes that are not state changes: logging a case, the statement of complaint, findings and
remedies. State changes live in complaints.workflow."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from complaints import concurrency, letters, workflow
from complaints.errors import DomainError
from complaints.models import (
    AdvocacyProvider,
    Case,
    Child,
    Complainant,
    Contact,
    Element,
    ElementFinding,
    Finding,
    LetterKind,
    Nature,
    Remedy,
    RemedyKind,
    Stage,
)
from complaints.selectors import possible_repeats


def people_on_record(
    *, by, complainant: Complainant, children: list[Child]
) -> tuple[Complainant, list[Child]]:
    """The complainant and children as already on record, so one person has one record
    across the years and repeats show. Only for those who see every case: matching for anyone
    else would show them another case's people (a name, a child, their parental
    responsibility) for an e-mail address or a case-system ID they typed."""
    if not by.has_perm("complaints.view_all_cases"):
        return complainant, children
    found = []
    for child in children:
        ref = child.case_system_reference
        existing = Child.objects.filter(case_system_reference=ref).first() if ref else None
        found.append(existing or child)
    return existing_complainant(complainant) or complainant, found


def existing_complainant(candidate: Complainant) -> Complainant | None:
    """The complainant already on record as the same person: same email, or same name and
    postcode. One record across the years lets repeat complaints be seen."""
    if candidate.pk:
        return candidate
    if candidate.email:
        found = Complainant.objects.filter(email__iexact=candidate.email).first()
        if found:
            return found
    if candidate.postcode:
        return Complainant.objects.filter(
            name__iexact=candidate.name, postcode__iexact=candidate.postcode
        ).first()
    return None


@transaction.atomic
def case_log(
    *,
    by,
    complainant: Complainant,
    kind: str,
    channel,
    received_on: dt.date,
    summary: str,
    children: Iterable[Child] = (),
    outcome_sought: Iterable[RemedyKind] = (),
    **fields,
) -> Case:
    """Log a representation and, if new, its complainant and children."""
    if not summary.strip():
        raise DomainError("Enter a summary of the representation.", field="summary")
    if complainant.pk is None:
        complainant.save()
    case = Case(
        complainant=complainant,
        kind=kind,
        channel=channel,
        received_on=received_on,
        summary=summary,
        **fields,
    )
    case.repeat_of = possible_repeats(complainant=complainant, children=children).first()
    workflow.receive(case, by=by)
    for child in children:
        if child.pk is None:
            child.save()
    case.children.set(children)
    case.outcome_sought.set(outcome_sought)
    return case


@transaction.atomic
def element_add(*, case: Case, summary: str, nature: Nature) -> Element:
    """Add the next numbered element; the open stage considers it."""
    if not summary.strip():
        raise DomainError("Enter the element of complaint.", field="summary")
    if nature is None:
        raise DomainError("Choose the nature of this element.", field="nature")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    number = (locked.elements.aggregate(n=Max("number"))["n"] or 0) + 1
    element = Element.objects.create(case=locked, number=number, summary=summary, nature=nature)
    stage = locked.current_stage
    if stage is not None and stage.responded_on is None and stage.withdrawn_on is None:
        ElementFinding.objects.create(stage=stage, element=element)
    return element


def finding_record(
    *, stage: Stage, element: Element, finding: Finding, reasoning: str = ""
) -> ElementFinding:
    """Record a stage's finding on an element it considered."""
    if finding is None:
        raise DomainError("Choose a finding.", field="finding")
    try:
        considered = ElementFinding.objects.get(stage=stage, element=element)
    except ElementFinding.DoesNotExist:
        raise DomainError(
            f"Element {element.number} was not considered at {stage.get_level_display()}, "
            "so that stage cannot make a finding on it.",
            field="element",
        ) from None
    if stage.responded_on is not None:
        raise DomainError(
            f"The {stage.get_level_display()} response has been issued; its findings are final.",
            field="finding",
        )
    considered.finding, considered.reasoning = finding, reasoning
    considered.save()
    return considered


def check_amount(kind, amount: Decimal | None) -> None:
    """A payment, remedy or recommendation, of a kind that needs an amount, has one above £0."""
    if kind.requires_amount and amount is None:
        raise DomainError(f"Enter the amount of the {kind.label.lower()}.", field="amount")
    if amount is not None and amount <= 0:
        raise DomainError("The amount must be more than £0.", field="amount")


def remedy_add(
    *, stage: Stage, kind: RemedyKind, amount: Decimal | None = None, detail: str = ""
) -> Remedy:
    if kind is None:
        raise DomainError("Choose the remedy.", field="kind")
    check_amount(kind, amount)
    return Remedy.objects.create(stage=stage, kind=kind, amount=amount, detail=detail)


def element_fingerprint(element: Element) -> str:
    return concurrency.fingerprint(element.summary, element.nature_id)


@transaction.atomic
def element_update(
    *, element: Element, summary: str, nature: Nature, seen: str | None = None
) -> Element:
    if not summary.strip():
        raise DomainError("Enter the element of complaint.", field="summary")
    saved = Element.objects.select_for_update().get(pk=element.pk)
    concurrency.check(seen, element_fingerprint(saved), f"element {element.number}")
    element.summary, element.nature = summary, nature
    element.save()
    return element


def findings_fingerprint(stage: Stage) -> str:
    rows = stage.element_findings.order_by("element_id").values_list(
        "element_id", "finding_id", "reasoning"
    )
    return concurrency.fingerprint(*rows)


@transaction.atomic
def findings_record(
    *, stage: Stage, findings: list[tuple[Element, Finding, str]], seen: str | None = None
) -> None:
    """Record the stage's findings from one form: all of them, or none if someone else saved
    findings for this stage after the form was opened."""
    list(ElementFinding.objects.select_for_update().filter(stage=stage))
    concurrency.check(seen, findings_fingerprint(stage), "the findings")
    for element, finding, reasoning in findings:
        finding_record(stage=stage, element=element, finding=finding, reasoning=reasoning)


def contact_record(*, case: Case, by, kind: str, happened_on: dt.date, note: str, with_whom=""):
    if not note.strip():
        raise DomainError("Enter a note of the contact.", field="note")
    if happened_on < case.received_on - dt.timedelta(days=365):
        raise DomainError("The date is long before the case was received.", field="happened_on")
    return Contact.objects.create(
        case=case,
        stage=case.current_stage,
        kind=kind,
        happened_on=happened_on,
        with_whom=with_whom,
        note=note,
        recorded_by=by,
    )


def officer_change(*, case: Case, officer, by) -> Case:
    case.officer = officer
    case._history_user = by
    case.save(update_fields=["officer"])
    return case


@transaction.atomic
def case_accept(*, case: Case, by, send_acknowledgement: bool = False, **screening) -> Case:
    """Accept the representation into a procedure (workflow.accept) and, if asked, record the
    acknowledgement and send its letter in the same transaction: if the letter cannot go,
    nothing is accepted."""
    case = workflow.accept(case, by=by, **screening)
    if send_acknowledgement:
        on = screening.get("on")
        case = workflow.acknowledge(case, by=by, on=on)
        template = (
            letters.templates_for(case, LetterKind.ACKNOWLEDGEMENT)
            .order_by("-level", "-procedure")
            .first()
        )
        if template is None:
            raise DomainError(
                "There is no active acknowledgement letter template: a complaints manager can "
                "add one in the admin, or accept without sending it.",
                field="send_acknowledgement",
            )
        letter = letters.letter_draft(case=case, template=template, by=by)
        letters.letter_send(letter, by=by, on=on)
    return case


@transaction.atomic
def response_submit(*, case: Case, by) -> Case:
    """Send the draft response for its quality check, with its letter saved as it reads now
    so the checker reads exactly what was submitted; a letter with placeholders is refused."""
    case = workflow.submit_for_qa(case, by=by)
    letters.check_ready(letters.response_letter_save(case, by=by))
    return case


@transaction.atomic
def response_issue(*, case: Case, by, responded_on: dt.date, outcome: Finding | None) -> Case:
    """Issue the stage's response (workflow.issue_response, which also makes a lessons-learnt
    form owed) and send its letter as a PDF on the case.

    From Stage 1 on a response is a letter, so one must be drafted first; Stage 0 is often
    resolved by telephone and needs none.
    """
    stage = case.current_stage
    letter = letters.response_letter(case)
    if stage is not None and stage.level >= 1 and letter is None:
        raise DomainError("Draft the response letter before issuing the response.")
    case = workflow.issue_response(case, by=by, responded_on=responded_on, outcome=outcome)
    if letter is not None:
        letters.letter_send(letter, by=by, on=responded_on)
    return case


@transaction.atomic
def advocacy_record(
    *,
    case: Case,
    by,
    offered_on: dt.date | None,
    accepted: bool | None = None,
    referred_on: dt.date | None = None,
    provider: AdvocacyProvider | None = None,
    advocate_name: str = "",
) -> Case:
    """The offer of an advocate (CA 1989 s26A), whether it was taken up, and the referral.
    An accepted offer not yet referred is chased (the chase rule "advocacy-referral")."""
    today = timezone.localdate()
    if offered_on is None:
        raise DomainError("Enter the date the advocate was offered.", field="offered_on")
    for day, field in ((offered_on, "offered_on"), (referred_on, "referred_on")):
        if day and day > today:
            raise DomainError("The date cannot be in the future.", field=field)
    if referred_on:
        if accepted is not True:
            raise DomainError(
                "A referral follows an accepted offer: record that the offer was accepted.",
                field="accepted",
            )
        if referred_on < offered_on:
            raise DomainError("The referral cannot be before the offer.", field="referred_on")
        if provider is None:
            raise DomainError("Choose the advocacy provider referred to.", field="provider")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.anonymised_on:
        raise DomainError(
            f"{locked.reference}'s personal data was removed at the end of its retention "
            "period, so nothing more about the people in it is recorded."
        )
    locked.advocacy_offered_on, locked.advocacy_accepted = offered_on, accepted
    locked.advocacy_referred_on, locked.advocacy_provider = referred_on, provider
    locked.advocate_name = advocate_name
    locked._history_user = by
    locked.save()
    return locked
