"""The figures of the Ombudsman's annual review letter, for any period: one function the
dashboard and the annual report both use.

Counting rules (following the LGSCO's "interpreting local authority statistics"):
- received: enquiries the Ombudsman opened with the council in the period;
- decided: decisions made in the period, whenever the complaint arrived, so the two differ;
- decided of received: of the enquiries received in the period, those decided by its last
  day, by decision group (what councils publish as "outcomes of this year's referrals");
- investigated: decisions after a detailed investigation, that is upheld or not upheld;
- uphold rate: upheld ÷ investigated, rounded as complaints.rounding says;
- compliance: of upheld decisions with recommendations due by the period's end, those where
  every recommendation was complied with by its due date;
- remedied by the council: upheld decisions where the council had already provided a
  satisfactory remedy before the decision (recorded on the case, or a decision category that
  says so), as a share of upheld;
- payments: the sum of payment recommendations on decisions made in the period;
- learning identified: service-improvement recommendations on decisions in the period.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from complaints.rounding import percent
from ombudsman.models import Decision, OmbudsmanCase, Recommendation


@dataclass(frozen=True)
class AnnualLetterFigures:
    received: int
    decided: int
    investigated: int
    upheld: int
    uphold_rate: int | None
    with_recommendations: int
    complied: int
    compliance_rate: int | None
    remedied_by_council: int
    remedied_share: int | None
    payments: Decimal
    learning_identified: int
    decided_by_group: dict[str, int]
    decided_of_received: int = 0
    decided_of_received_by_group: dict[str, int] | None = None


def annual_letter_figures(
    *, start: dt.date, end: dt.date, service_area=None
) -> AnnualLetterFigures:
    cases = OmbudsmanCase.objects.all()
    if service_area is not None:
        cases = cases.filter(service_area=service_area)
    received = cases.filter(received_on__range=(start, end)).count()
    of_received = cases.filter(
        received_on__range=(start, end), decision__isnull=False, decision_on__lte=end
    )
    of_received_by_group = dict(
        of_received.values_list("decision__group").annotate(n=Count("pk")).order_by()
    )
    decided = cases.filter(decision_on__range=(start, end), decision__isnull=False)
    by_group = dict(decided.values_list("decision__group").annotate(n=Count("pk")).order_by())
    upheld_cases = decided.filter(decision__group=Decision.Group.UPHELD)
    upheld = by_group.get(Decision.Group.UPHELD, 0)
    investigated = upheld + by_group.get(Decision.Group.NOT_UPHELD, 0)

    due_upheld = upheld_cases.filter(recommendations__due_on__lte=end).distinct()
    late_or_open = Recommendation.objects.filter(
        Q(completed_on__isnull=True) | Q(completed_on__gt=F("due_on")),
        ombudsman_case__in=due_upheld,
    ).values("ombudsman_case")
    with_recommendations = due_upheld.count()
    complied = due_upheld.exclude(pk__in=late_or_open).count()

    recommendations = Recommendation.objects.filter(ombudsman_case__in=decided)
    total = recommendations.filter(kind__requires_amount=True).aggregate(total=Sum("amount"))
    payments = Decimal(total["total"] or 0).quantize(Decimal("0.01"))
    remedied = upheld_cases.filter(
        Q(decision__remedied_by_council=True) | Q(remedied_before_decision=True)
    ).count()
    return AnnualLetterFigures(
        received=received,
        decided=sum(by_group.values()),
        investigated=investigated,
        upheld=upheld,
        uphold_rate=percent(upheld, investigated),
        with_recommendations=with_recommendations,
        complied=complied,
        compliance_rate=percent(complied, with_recommendations),
        remedied_by_council=remedied,
        remedied_share=percent(remedied, upheld),
        payments=payments,
        learning_identified=recommendations.filter(kind__service_improvement=True).count(),
        decided_by_group=by_group,
        decided_of_received=sum(of_received_by_group.values()),
        decided_of_received_by_group=of_received_by_group,
    )


def ombudsman_timeline(case: OmbudsmanCase) -> list[tuple[dt.date, str]]:
    """What happened on an Ombudsman case, newest first, from its prefetched rows."""
    entries = [(case.received_on, "The Ombudsman contacted the council")]
    for deadline in case.deadlines.all():
        if deadline.met_on:
            entries.append((deadline.met_on, f"{deadline.get_kind_display()}: sent"))
    if case.draft_decision_on:
        entries.append((case.draft_decision_on, "Draft decision received"))
    if case.decision_on and case.decision:
        entries.append((case.decision_on, f"Final decision: {case.decision}"))
    if case.public_report_on and case.public_report:
        entries.append((case.public_report_on, f"{case.get_public_report_display()} issued"))
    if case.committee_considered_on:
        entries.append((case.committee_considered_on, "Report considered by committee"))
    for rec in case.recommendations.all():
        if rec.completed_on:
            entries.append((rec.completed_on, f"Complied with: {rec}"))
    return sorted(entries, key=lambda entry: entry[0], reverse=True)


def decision_for_label(label: str) -> Decision | None:
    """A decision category for a label as written, current or older wording."""
    text = " ".join(label.lower().split())
    for decision in Decision.objects.all():
        if text == decision.label.lower() or text in [x.lower() for x in decision.legacy_labels]:
            return decision
    return None
