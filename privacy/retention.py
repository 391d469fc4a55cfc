"""Retention: removing the personal data of records kept past their period (RetentionRule).

What is due:
- a case once it has ended (responded, closed, refused or withdrawn), counted from its last
  workflow move; complaints and other representations have periods of their own;
- a compliment, counted from the date received;
- an Ombudsman case, counted from its decision (or the date received, if undecided).
A case under a legal hold (Case.held_since) is never due, nor are its complainant and
children. Open cases are never due.

What anonymising removes, and what it keeps:
- removed: names, contact details, dates of birth and case-system IDs of complainants and
  children (once none of their cases is kept), every free text about the case (summary,
  elements, reasoning, remedies' detail, notes, reasons given for moves and pauses, the
  lessons-learnt form's words and the agreed actions'), its documents, letters and e-mails,
  the Ombudsman's summary and recommendations' words, and the edit history that held earlier
  copies;
- kept: every row and category the statistics count (cases, stages, dates, elements with
  their nature, findings, remedies with their kind and amount, complainants' relationship and
  equality answers, panels, lessons-learnt forms and agreed actions, the anonymised extracts
  of compliments), so a published annual report counts the same afterwards.
The access log is kept: it names staff and case references, and records the anonymising.

`plan` is the dry run; `anonymise_due(commit=True)` does it, in one transaction.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from complaints.models import (
    AccessRecord,
    AgreedAction,
    Case,
    Child,
    Complainant,
    Contact,
    Document,
    Element,
    ElementFinding,
    Event,
    LessonsLearnt,
    Letter,
    Notification,
    Pause,
    Remedy,
    Stage,
)
from compliments.models import Compliment
from ombudsman.models import OmbudsmanCase, Recommendation
from privacy.models import RetentionRule

Record = RetentionRule.Record
# States in which a case has ended; its last move dates the end.
ENDED = [Case.State.RESPONDED, Case.State.CLOSED, Case.State.REFUSED, Case.State.WITHDRAWN]
ANONYMISED = "Anonymised"
REVIEW_AHEAD = relativedelta(months=3)


def _cutoff(record: str, today: dt.date) -> dt.date | None:
    """Records dated before this day are past their period; None if the rule is off."""
    rule = RetentionRule.objects.filter(record=record, active=True).first()
    return today - relativedelta(years=rule.years) if rule else None


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def ended_cases() -> QuerySet[Case]:
    return (
        Case.objects.filter(state__in=ENDED, anonymised_on__isnull=True)
        .annotate(ended_at=Max("events__at"))
        .order_by("ended_at")
    )


def cases_due(today: dt.date) -> QuerySet[Case]:
    """Cases past their period and not held: what a run anonymises."""
    by_kind = Q(pk__in=[])
    for record, kinds in (
        (Record.COMPLAINT, Q(kind=Case.Kind.COMPLAINT)),
        (Record.OTHER, ~Q(kind=Case.Kind.COMPLAINT)),
    ):
        cutoff = _cutoff(record, today)
        if cutoff is not None:
            by_kind |= kinds & Q(ended_at__lt=_start_of(cutoff))
    return ended_cases().filter(by_kind, held_since__isnull=True)


def compliments_due(today: dt.date) -> QuerySet[Compliment]:
    cutoff = _cutoff(Record.COMPLIMENT, today)
    if cutoff is None:
        return Compliment.objects.none()
    return Compliment.objects.filter(received_on__lt=cutoff, anonymised_on__isnull=True)


def ombudsman_due(today: dt.date) -> QuerySet[OmbudsmanCase]:
    """Past their period, unless a complaint they concern is held."""
    cutoff = _cutoff(Record.OMBUDSMAN, today)
    if cutoff is None:
        return OmbudsmanCase.objects.none()
    return OmbudsmanCase.objects.filter(
        Q(decision_on__lt=cutoff) | Q(decision_on__isnull=True, received_on__lt=cutoff),
        anonymised_on__isnull=True,
    ).exclude(complaints__held_since__isnull=False)


@dataclass
class Plan:
    """What a run would anonymise today, every case a hold is keeping, and what comes due
    within the next three months (for review before it does)."""

    today: dt.date
    cases: list = field(default_factory=list)
    held: list = field(default_factory=list)
    coming: list = field(default_factory=list)
    compliments: int = 0
    ombudsman_cases: int = 0

    def counts(self) -> dict:
        return {
            "date": self.today.isoformat(),
            "cases": len(self.cases),
            "complaints": sum(1 for c in self.cases if c.kind == Case.Kind.COMPLAINT),
            "other representations": sum(1 for c in self.cases if c.kind != Case.Kind.COMPLAINT),
            "compliments": self.compliments,
            "ombudsman cases": self.ombudsman_cases,
            "held": len(self.held),
        }


def plan(today: dt.date | None = None) -> Plan:
    today = today or timezone.localdate()
    due = list(cases_due(today))
    ahead = {c.pk for c in due}
    return Plan(
        today=today,
        cases=due,
        held=list(Case.objects.filter(held_since__isnull=False, anonymised_on__isnull=True)),
        coming=[c for c in cases_due(today + REVIEW_AHEAD) if c.pk not in ahead],
        compliments=compliments_due(today).count(),
        ombudsman_cases=ombudsman_due(today).count(),
    )


def anonymise_due(today: dt.date | None = None, *, commit: bool = False) -> Plan:
    """Anonymise everything due; without `commit`, only say what that would be."""
    due = plan(today)
    if commit:
        with transaction.atomic():
            for case in due.cases:
                case_anonymise(case, on=due.today)
            compliments_anonymise(compliments_due(due.today), on=due.today)
            ombudsman_anonymise(ombudsman_due(due.today), on=due.today)
    return due


def _purge_history(model, **lookup) -> None:
    model.history.model.objects.filter(**lookup).delete()


def case_anonymise(case: Case, *, on: dt.date) -> None:
    """Remove one case's personal data (see the module docstring). Updates are made with
    QuerySet.update, which writes no new history, and the history of earlier copies goes."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.held_since or case.anonymised_on:
        return
    stages = Stage.objects.filter(case=case)
    Case.objects.filter(pk=case.pk).update(
        summary="",
        outcome_sought_detail="",
        via_name="",
        advocate_name="",
        late_acceptance_reason="",
        reasonable_adjustments="",
        anonymised_on=on,
    )
    stages.update(extension_detail="", escalation_detail="")
    Element.objects.filter(case=case).update(summary="")
    ElementFinding.objects.filter(stage__case=case).update(reasoning="")
    Remedy.objects.filter(stage__case=case).update(detail="")
    Event.objects.filter(case=case).update(reason="")
    Pause.objects.filter(stage__case=case).update(reason="")
    LessonsLearnt.objects.filter(case=case).update(
        what_went_wrong="", learning="", wider_learning=""
    )
    AgreedAction.objects.filter(case=case).update(description="", evidence="")
    Letter.objects.filter(case=case).delete()
    Contact.objects.filter(case=case).delete()
    Notification.objects.filter(case=case).delete()
    documents = list(Document.objects.filter(case=case))
    Document.objects.filter(case=case).delete()
    # The files go only once the rows' deletion is committed: a run that fails keeps both.
    for document in documents:
        transaction.on_commit(partial(document.file.storage.delete, document.file.name))
    stage_ids = list(stages.values_list("pk", flat=True))
    for model, lookup in (
        (Case, {"id": case.pk}),
        (Stage, {"case_id": case.pk}),
        (Element, {"case_id": case.pk}),
        (ElementFinding, {"stage_id__in": stage_ids}),
        (Remedy, {"stage_id__in": stage_ids}),
        (Letter, {"case_id": case.pk}),
        (Contact, {"case_id": case.pk}),
        (Document, {"case_id": case.pk}),
        (LessonsLearnt, {"case_id": case.pk}),
        (AgreedAction, {"case_id": case.pk}),
    ):
        _purge_history(model, **lookup)
    _people_anonymise(case, on=on)
    AccessRecord.objects.create(
        action=AccessRecord.Action.ANONYMISED, case=case, detail="Retention period ended"
    )


def _people_anonymise(case: Case, *, on: dt.date) -> None:
    """A complainant or child goes once none of their cases keeps their data (a case still
    open, within its period or held)."""
    kept = Case.objects.filter(anonymised_on__isnull=True)
    complainant = case.complainant
    if not kept.filter(complainant=complainant).exists():
        Complainant.objects.filter(pk=complainant.pk).update(
            name=ANONYMISED, email="", phone="", address="", postcode="", anonymised_on=on
        )
        _purge_history(Complainant, id=complainant.pk)
    for child in case.children.all():
        if not kept.filter(children=child).exists():
            Child.objects.filter(pk=child.pk).update(
                name=ANONYMISED, date_of_birth=None, case_system_reference="", anonymised_on=on
            )
            _purge_history(Child, id=child.pk)


def compliments_anonymise(compliments: QuerySet[Compliment], *, on: dt.date) -> int:
    """Names and words go; the anonymised extract a published report quotes stays."""
    ids = list(compliments.values_list("pk", flat=True))
    Compliment.objects.filter(pk__in=ids).update(
        staff_named="",
        summary=ANONYMISED,
        full_text="",
        from_name="",
        from_contact="",
        anonymised_on=on,
    )
    _purge_history(Compliment, id__in=ids)
    return len(ids)


def ombudsman_anonymise(cases: QuerySet[OmbudsmanCase], *, on: dt.date) -> int:
    """The summary and the recommendations' words go; decisions, kinds, amounts and dates
    (the annual letter's figures) stay."""
    ids = list(cases.values_list("pk", flat=True))
    OmbudsmanCase.objects.filter(pk__in=ids).update(summary="", anonymised_on=on)
    Recommendation.objects.filter(ombudsman_case_id__in=ids).update(detail="", evidence="")
    _purge_history(OmbudsmanCase, id__in=ids)
    _purge_history(Recommendation, ombudsman_case_id__in=ids)
    return len(ids)


@transaction.atomic
def hold_place(case: Case, *, by, reason: str, on: dt.date | None = None) -> Case:
    from complaints.errors import DomainError

    if not reason.strip():
        raise DomainError("Say why the case is held, e.g. the claim or inquiry.", field="reason")
    if case.anonymised_on:
        raise DomainError(f"{case.reference} was anonymised on {case.anonymised_on:%-d %B %Y}.")
    Case.objects.filter(pk=case.pk).update(
        held_since=on or timezone.localdate(), held_reason=reason.strip(), held_by=by
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def hold_release(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(held_since=None, held_reason="", held_by=None)
    case.refresh_from_db()
    return case
