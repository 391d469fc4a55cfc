"""The annual-letter figures over a small set of Ombudsman cases counted by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from complaints.errors import DomainError
from complaints.models import Case, Level
from ombudsman import services
from ombudsman.models import Decision, RecommendationKind
from ombudsman.selectors import annual_letter_figures, decision_for_label
from ombudsman.services import AFTER_INVESTIGATION

pytestmark = pytest.mark.django_db
D = dt.date
FY_2024 = {"start": D(2024, 4, 1), "end": D(2025, 3, 31)}
FY_2025 = {"start": D(2025, 4, 1), "end": D(2026, 3, 31)}


def decision(code):
    return Decision.objects.get(code=code)


def kind(code):
    return RecommendationKind.objects.get(code=code)


def lgsco(reference, received, decided=None, code=None, recommendations=(), *, by=None):
    case = services.ombudsman_case_create(reference=reference, received_on=received, by=by)
    if decided:
        route = "investigation" if decision(code).group in AFTER_INVESTIGATION else ""
        services.decision_record(case, decision=decision(code), decision_on=decided, route=route)
    for kind_code, amount, due, done in recommendations:
        rec = services.recommendation_add(
            case, by=by, kind=kind(kind_code), amount=amount, due_on=due, owner=by
        )
        if done:
            services.recommendation_complete(rec, by=by, evidence="Done.", on=done)
    return case


@pytest.fixture
def ombudsman_cases(officer):
    return [
        lgsco(
            "24 000 001",
            D(2024, 5, 1),
            D(2024, 9, 1),
            "upheld_fault_injustice",
            [
                ("payment", Decimal("300"), D(2024, 10, 1), D(2024, 9, 20)),
                ("apology", None, D(2024, 10, 1), D(2024, 9, 25)),
            ],
            by=officer,
        ),
        lgsco(
            "24 000 002",
            D(2024, 6, 1),
            D(2024, 11, 1),
            "upheld_remedied",
            [
                ("training", None, D(2025, 1, 31), D(2025, 2, 10)),  # complied late
                ("payment", Decimal("150"), D(2024, 12, 1), D(2024, 11, 20)),
            ],
            by=officer,
        ),
        lgsco("24 000 003", D(2024, 7, 1), D(2024, 10, 1), "not_upheld", by=officer),
        lgsco(
            "24 000 004",
            D(2024, 8, 1),
            D(2024, 8, 20),
            "closed_after_initial_enquiries",
            by=officer,
        ),
        # Received in 2024/25, decided in 2025/26.
        lgsco(
            "24 000 005",
            D(2025, 3, 1),
            D(2025, 5, 1),
            "upheld_fault_no_injustice",
            [("procedure_review", None, D(2025, 6, 1), None)],
            by=officer,
        ),
        # Received in 2023/24, decided in 2024/25.
        lgsco("23 000 006", D(2024, 2, 1), D(2024, 4, 15), "premature", by=officer),
        lgsco("24 000 007", D(2024, 12, 1), by=officer),  # not yet decided
    ]


def test_the_figures_for_2024_25(ombudsman_cases):
    figures = annual_letter_figures(**FY_2024)
    assert figures.received == 6  # received and decided counts differ
    assert figures.decided == 5
    assert figures.decided_by_group == {"upheld": 2, "not_upheld": 1, "closed": 1, "premature": 1}
    assert (figures.upheld, figures.investigated, figures.uphold_rate) == (2, 3, 67)
    assert (figures.with_recommendations, figures.complied, figures.compliance_rate) == (2, 1, 50)
    assert (figures.remedied_by_council, figures.remedied_share) == (1, 50)
    assert str(figures.payments) == "450.00"
    assert figures.learning_identified == 1


def test_the_figures_for_2025_26_count_the_late_decision(ombudsman_cases):
    figures = annual_letter_figures(**FY_2025)
    assert (figures.received, figures.decided, figures.upheld) == (0, 1, 1)
    assert figures.uphold_rate == 100
    assert (figures.with_recommendations, figures.complied, figures.compliance_rate) == (1, 0, 0)
    assert figures.payments == Decimal("0.00")
    assert figures.learning_identified == 1


def test_a_service_area_narrows_the_figures(ombudsman_cases, team):
    ombudsman_cases[0].service_area = team.service
    ombudsman_cases[0].save()
    figures = annual_letter_figures(**FY_2024, service_area=team.service)
    assert (figures.received, figures.decided, figures.upheld) == (1, 1, 1)
    assert figures.payments == Decimal("300.00")


def test_older_labels_map_onto_the_current_decisions():
    assert decision_for_label("Maladministration and injustice").code == "upheld_fault_injustice"
    assert decision_for_label("premature complaint").code == "premature"
    assert decision_for_label("Refusal to investigate").code == "closed_after_initial_enquiries"
    assert decision_for_label("Not upheld").code == "not_upheld"
    assert decision_for_label("awaiting outcome") is None


# --- bad input ----------------------------------------------------------------------------


def test_a_decision_before_the_date_received_is_refused(officer):
    case = services.ombudsman_case_create(
        reference="24 100 001", received_on=D(2024, 6, 1), by=officer
    )
    with pytest.raises(DomainError, match="cannot be before") as error:
        services.decision_record(case, decision=decision("not_upheld"), decision_on=D(2024, 5, 1))
    assert error.value.field == "decision_on"
    case.refresh_from_db()
    assert case.decision is None


def test_a_payment_without_an_amount_is_refused(officer):
    case = lgsco("24 100 002", D(2024, 6, 1), D(2024, 7, 1), "upheld_fault_injustice", by=officer)
    with pytest.raises(DomainError, match="amount") as error:
        services.recommendation_add(
            case, by=officer, kind=kind("payment"), due_on=D(2024, 8, 1), owner=officer
        )
    assert error.value.field == "amount"
    assert not case.recommendations.exists()


def test_an_over_long_reference_is_refused(officer):
    with pytest.raises(DomainError, match="at most 20 characters"):
        services.ombudsman_case_create(
            reference="24 100 003 and more words", received_on=D(2024, 6, 1), by=officer
        )


def test_a_duplicate_reference_is_refused(officer):
    services.ombudsman_case_create(reference="24 100 003", received_on=D(2024, 6, 1), by=officer)
    with pytest.raises(DomainError, match="already recorded") as error:
        services.ombudsman_case_create(
            reference="24  100 003", received_on=D(2024, 7, 1), by=officer
        )
    assert error.value.field == "reference"


# --- premature referral and recommendations as actions --------------------------------------


def test_a_premature_referral_reopens_the_complaint_at_stage_1_in_one_step(build, officer):
    complaint = build.case(Case.State.CLOSED)  # received a week ago, closed today
    today = dt.date.today()
    case = services.ombudsman_case_create(
        reference="24 200 001", received_on=today, by=officer, complaints=[complaint]
    )
    services.decision_record(case, decision=decision("premature"), decision_on=today)
    reopened = services.premature_referral(
        case, by=officer, complaint=complaint, level=Level.LOCAL_RESOLUTION
    )
    assert reopened.state == Case.State.IN_PROGRESS
    assert reopened.current_stage.level == Level.LOCAL_RESOLUTION
    assert reopened.current_stage.requested_on == today
    assert "24 200 001" in reopened.events.last().reason


def test_a_recommendation_becomes_an_agreed_action_and_compliance_closes_it(build, officer):
    complaint = build.case(Case.State.CLOSED)
    case = services.ombudsman_case_create(
        reference="24 200 002", received_on=D(2025, 6, 2), by=officer, complaints=[complaint]
    )
    services.decision_record(
        case,
        decision=decision("upheld_fault_injustice"),
        decision_on=D(2025, 6, 20),
        route="investigation",
    )
    rec = services.recommendation_add(
        case,
        by=officer,
        kind=kind("payment"),
        amount=Decimal("300"),
        due_on=D(2025, 7, 20),
        owner=officer,
    )
    assert rec.action.source == "ombudsman"
    assert "£300" in rec.action.description
    assert rec.action.status == "open"
    services.recommendation_complete(rec, by=officer, evidence="Paid by BACS.", on=D(2025, 7, 1))
    rec.action.refresh_from_db()
    assert rec.action.status == "done"


def test_the_timeline_tells_the_story_newest_first(ombudsman_cases):
    from ombudsman.selectors import ombudsman_timeline

    entries = ombudsman_timeline(ombudsman_cases[1])
    assert entries[0] == (D(2025, 2, 10), "Complied with: Staff training or guidance")
    assert (
        D(2024, 11, 1),
        "Final decision: Upheld: the council had already remedied the injustice",
    ) in entries
    assert entries[-1] == (D(2024, 6, 1), "The Ombudsman contacted the council")


def test_a_recommendation_without_a_local_complaint_is_still_chased(officer):
    from django.core import mail
    from freezegun import freeze_time

    from complaints import chasing

    case = lgsco("24 300 001", D(2025, 5, 1), D(2025, 6, 2), "upheld_fault_injustice", by=officer)
    rec = services.recommendation_add(
        case, by=officer, kind=kind("apology"), due_on=D(2025, 6, 30), owner=officer
    )
    assert rec.action.case is None
    with freeze_time(D(2025, 7, 1)):
        chasing.run(D(2025, 7, 1))
    (message,) = [m for m in mail.outbox if "agreed action" in m.subject]
    assert message.to == [officer.email]
    assert "/learning/" in message.body
    assert message.subject.startswith("Ombudsman recommendation: agreed action was due")


def test_decisions_on_the_years_enquiries_are_counted_apart_from_the_years_decisions(
    ombudsman_cases,
):
    """2024/25 made 5 decisions, one on an enquiry of the year before; of its own 6 enquiries,
    4 were decided by the year's end (one was decided in May 2025, one is waiting)."""
    figures = annual_letter_figures(**FY_2024)
    assert (figures.received, figures.decided) == (6, 5)
    assert figures.decided_of_received == 4
    assert figures.decided_of_received_by_group == {"upheld": 2, "not_upheld": 1, "closed": 1}
    later = annual_letter_figures(**FY_2025)
    assert (later.decided, later.decided_of_received) == (1, 0)


def test_an_upheld_case_the_council_had_already_remedied_counts_as_remedied(officer):
    # "upheld_fault_no_injustice" does not say the council remedied it; the case does.
    case = services.ombudsman_case_create(
        reference="25 000 900", received_on=D(2025, 4, 2), by=officer
    )
    services.decision_record(
        case,
        decision=decision("upheld_fault_no_injustice"),
        decision_on=D(2025, 6, 2),
        route="investigation",
        remedied_before_decision=True,
    )

    figures = annual_letter_figures(start=D(2025, 4, 1), end=D(2026, 3, 31))

    assert (figures.upheld, figures.remedied_by_council, figures.remedied_share) == (1, 1, 100)
