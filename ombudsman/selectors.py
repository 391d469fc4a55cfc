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
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

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
    return annual_letter_figures_for([(start, end)], service_area=service_area)[0]


def annual_letter_figures_for(
    periods: Sequence[tuple[dt.date, dt.date]], *, service_area=None
) -> list[AnnualLetterFigures]:
    """The figures for each (start, end), from one read of the cases received or decided in
    any of them and one of their recommendations: a council has a few dozen a year."""
    first, last = min(start for start, _ in periods), max(end for _, end in periods)
    cases = OmbudsmanCase.objects.filter(
        Q(received_on__range=(first, last)) | Q(decision_on__range=(first, last))
    )
    if service_area is not None:
        cases = cases.filter(service_area=service_area)
    rows = list(
        cases.values_list(
            "pk",
            "received_on",
            "decision_on",
            "decision__group",
            "decision__remedied_by_council",
            "remedied_before_decision",
        ).order_by()
    )
    recommendations = defaultdict(list)
    for row in Recommendation.objects.filter(ombudsman_case__in=cases.values("pk")).values_list(
        "ombudsman_case",
        "due_on",
        "completed_on",
        "amount",
        "kind__requires_amount",
        "kind__service_improvement",
    ):
        recommendations[row[0]].append(_Recommendation(*row[1:]))
    return [
        _figures([_Case(*row[1:], recommendations[row[0]]) for row in rows], *p) for p in periods
    ]


@dataclass(frozen=True)
class _Recommendation:
    due_on: dt.date
    completed_on: dt.date | None
    amount: Decimal | None
    requires_amount: bool
    service_improvement: bool

    @property
    def complied(self) -> bool:
        """Complied with by its due date."""
        return self.completed_on is not None and self.completed_on <= self.due_on


@dataclass(frozen=True)
class _Case:
    received_on: dt.date
    decision_on: dt.date | None
    group: str | None  # the decision's
    remedied_by_council: bool | None  # the decision says so
    remedied_before_decision: bool
    recommendations: list[_Recommendation]

    def decided_by(self, day: dt.date) -> bool:
        return self.group is not None and self.decision_on is not None and self.decision_on <= day


def _figures(cases: list[_Case], start: dt.date, end: dt.date) -> AnnualLetterFigures:
    received = [c for c in cases if start <= c.received_on <= end]
    of_received_by_group = Counter(c.group for c in received if c.decided_by(end))
    decided = [c for c in cases if c.decided_by(end) and c.decision_on >= start]
    by_group = Counter(c.group for c in decided)
    upheld_cases = [c for c in decided if c.group == Decision.Group.UPHELD]
    upheld = len(upheld_cases)
    investigated = upheld + by_group[Decision.Group.NOT_UPHELD]
    # Every recommendation of an upheld case with one due by the period's end must have been
    # complied with by its own due date.
    due_upheld = [c for c in upheld_cases if any(r.due_on <= end for r in c.recommendations)]
    complied = sum(all(r.complied for r in c.recommendations) for c in due_upheld)
    decided_recommendations = [r for c in decided for r in c.recommendations]
    payments = sum(
        (r.amount for r in decided_recommendations if r.requires_amount and r.amount is not None),
        Decimal("0"),
    ).quantize(Decimal("0.01"))
    remedied = sum(bool(c.remedied_by_council or c.remedied_before_decision) for c in upheld_cases)
    return AnnualLetterFigures(
        received=len(received),
        decided=len(decided),
        investigated=investigated,
        upheld=upheld,
        uphold_rate=percent(upheld, investigated),
        with_recommendations=len(due_upheld),
        complied=complied,
        compliance_rate=percent(complied, len(due_upheld)),
        remedied_by_council=remedied,
        remedied_share=percent(remedied, upheld),
        payments=payments,
        learning_identified=sum(r.service_improvement for r in decided_recommendations),
        decided_by_group=dict(by_group),
        decided_of_received=sum(of_received_by_group.values()),
        decided_of_received_by_group=dict(of_received_by_group),
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
