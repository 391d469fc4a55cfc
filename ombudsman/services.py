"""Recording what the Ombudsman does, and what the council does in return."""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from complaints import learning, workflow
from complaints.errors import DomainError
from complaints.models import AgreedAction, Case
from complaints.services import check_amount
from ombudsman.models import (
    Decision,
    OmbudsmanCase,
    OmbudsmanDeadline,
    Recommendation,
    RecommendationKind,
)

# A council must consider a public report and say what it will do within three months
# (LGA 1974 s31(2)).
COMMITTEE_MONTHS = 3


def _not_future(day: dt.date, label: str, field: str) -> None:
    if day > timezone.localdate():
        raise DomainError(f"The {label} cannot be in the future.", field=field)


@transaction.atomic
def ombudsman_case_create(
    *,
    reference: str,
    received_on: dt.date,
    by,
    complaints=(),
    service_area=None,
    enquiry_response_due_on: dt.date | None = None,
    **fields,
) -> OmbudsmanCase:
    reference = " ".join(reference.split())
    if not reference:
        raise DomainError("Enter the Ombudsman's reference.", field="reference")
    limit = OmbudsmanCase._meta.get_field("reference").max_length
    if len(reference) > limit:
        raise DomainError(
            f"The Ombudsman's reference has at most {limit} characters.", field="reference"
        )
    _not_future(received_on, "date received", "received_on")
    if OmbudsmanCase.objects.filter(reference__iexact=reference).exists():
        raise DomainError(
            f"An Ombudsman case with reference {reference} is already recorded.",
            field="reference",
        )
    complaints = list(complaints)
    if service_area is None and complaints:
        service_area = complaints[0].service_area
    try:
        with transaction.atomic():
            case = OmbudsmanCase.objects.create(
                reference=reference,
                received_on=received_on,
                service_area=service_area,
                created_by=by,
                **fields,
            )
    except IntegrityError:  # recorded by someone else a moment ago
        raise DomainError(
            f"An Ombudsman case with reference {reference} is already recorded.",
            field="reference",
        ) from None
    case.complaints.set(complaints)
    if enquiry_response_due_on:
        deadline_add(
            case, kind=OmbudsmanDeadline.Kind.ENQUIRY_RESPONSE, due_on=enquiry_response_due_on
        )
    return case


def deadline_add(case: OmbudsmanCase, *, kind: str, due_on: dt.date) -> OmbudsmanDeadline:
    """A date the Ombudsman set the council."""
    return OmbudsmanDeadline.objects.create(ombudsman_case=case, kind=kind, due_on=due_on)


def deadline_met(deadline: OmbudsmanDeadline, *, on: dt.date) -> OmbudsmanDeadline:
    deadline.met_on = on
    deadline.save(update_fields=["met_on"])
    return deadline


# The Ombudsman upholds a complaint, or finds no fault, only after investigating it; assessment
# ends in closure, advice or a premature referral.
AFTER_INVESTIGATION = {Decision.Group.UPHELD, Decision.Group.NOT_UPHELD}


@transaction.atomic
def decision_record(
    case: OmbudsmanCase,
    *,
    decision: Decision,
    decision_on: dt.date,
    draft_decision_on: dt.date | None = None,
    public_report: str = "",
    route: str = "",
    remedied_before_decision: bool | None = None,
    published_summary: str = "",
) -> OmbudsmanCase:
    if decision is None:
        raise DomainError("Choose the Ombudsman's decision.", field="decision")
    _not_future(decision_on, "decision date", "decision_on")
    if decision_on < case.received_on:
        raise DomainError(
            f"The decision date ({decision_on:%-d %B %Y}) cannot be before the date the "
            f"Ombudsman's enquiry was received ({case.received_on:%-d %B %Y}).",
            field="decision_on",
        )
    if draft_decision_on and not case.received_on <= draft_decision_on <= decision_on:
        raise DomainError(
            "The draft decision comes between the date received and the final decision.",
            field="draft_decision_on",
        )
    route = route or case.route
    if decision.group in AFTER_INVESTIGATION and route != OmbudsmanCase.Route.INVESTIGATION:
        raise DomainError(
            f"“{decision.label}” follows an investigation, and this case is at "
            f"{OmbudsmanCase.Route(route).label}. If the Ombudsman investigated, say so under "
            "“Stage at the Ombudsman”; otherwise choose the decision it made on assessment.",
            field="decision",
        )
    case.decision, case.decision_on, case.route = decision, decision_on, route
    case.draft_decision_on = draft_decision_on or case.draft_decision_on
    case.remedied_before_decision = remedied_before_decision
    case.published_summary = published_summary.strip()
    case.public_report = public_report
    if public_report:
        case.public_report_on = case.public_report_on or decision_on
        case.committee_consideration_due_on = case.public_report_on + relativedelta(
            months=COMMITTEE_MONTHS
        )
    case.save()
    return case


@transaction.atomic
def premature_referral(case: OmbudsmanCase, *, by, complaint: Case, level: int) -> Case:
    """The Ombudsman sends the complaint back: reopen it at the chosen stage in one step."""
    if case.decision is None or case.decision.group != Decision.Group.PREMATURE:
        raise DomainError("Record the Ombudsman's decision as premature first.")
    if not case.complaints.filter(pk=complaint.pk).exists():
        raise DomainError("That complaint is not linked to this Ombudsman case.")
    return workflow.reopen(
        complaint,
        by=by,
        level=level,
        reason=f"Referred back by the Ombudsman as premature ({case.reference}).",
        on=case.decision_on,
    )


@transaction.atomic
def recommendation_add(
    case: OmbudsmanCase,
    *,
    by,
    kind: RecommendationKind,
    due_on: dt.date,
    owner,
    amount: Decimal | None = None,
    detail: str = "",
) -> Recommendation:
    if kind is None:
        raise DomainError("Choose the kind of recommendation.", field="kind")
    check_amount(kind, amount)
    recommendation = Recommendation(
        ombudsman_case=case, kind=kind, amount=amount, detail=detail, due_on=due_on
    )
    # Chased like every agreed action, on the latest complaint it concerns if there is one.
    recommendation.action = learning.action_add(
        case=case.complaints.order_by("-received_on").first(),
        source=AgreedAction.Source.OMBUDSMAN,
        description=f"Ombudsman {case.reference}: {kind.label}"
        + (f" of £{amount}" if amount else "")
        + (f". {detail}" if detail else ""),
        owner=owner,
        due_on=due_on,
        by=by,
    )
    recommendation.save()
    return recommendation


@transaction.atomic
def recommendation_complete(
    recommendation: Recommendation, *, by, evidence: str, on: dt.date
) -> Recommendation:
    if recommendation.completed_on:
        raise DomainError("This recommendation is already recorded as complied with.")
    if not evidence.strip():
        raise DomainError("Say what was done, as evidence of compliance.", field="evidence")
    _not_future(on, "date complied", "on")
    recommendation.completed_on, recommendation.evidence = on, evidence
    recommendation.save(update_fields=["completed_on", "evidence"])
    if recommendation.action and recommendation.action.status == AgreedAction.Status.OPEN:
        learning.action_complete(recommendation.action, by=by, evidence=evidence, on=on)
    return recommendation
