"""Call-back requests: due in two working days, called back by someone named, and either
resolved or turned into a complaint that keeps its dates. Advocacy: offered to a child or young
person, referred to a provider, chased until it is, and counted."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from complaints import chasing, services, workflow
from complaints.errors import DomainError
from complaints.models import AdvocacyProvider, Case, Relationship
from complaints.periods import Period
from complaints.workingdays import add_working_days
from reporting import statistics
from reporting.tables import build as build_tables
from tests.support.forms import date_fields, token

pytestmark = pytest.mark.django_db
D = dt.date


JUNE_2 = D(2025, 6, 2)


def _call_back(build, received=JUNE_2):
    with freeze_time(received):
        return build.log(kind=Case.Kind.CALL_BACK, received_on=received)


def test_a_call_back_is_due_in_two_working_days_and_has_someone_to_make_it(
    build, officer, team_manager
):
    case = _call_back(build)  # Monday 2 June 2025
    assert case.callback_due_on == D(2025, 6, 4)
    assert case.next_due_on == D(2025, 6, 4)
    with freeze_time(D(2025, 6, 2)):
        workflow.arrange_call_back(case, by=officer, person=team_manager)
    case.refresh_from_db()
    assert case.callback_by == team_manager
    assert case.events.last().move == "arrange_call_back"


def test_a_call_back_that_becomes_a_complaint_keeps_its_dates(build, officer, client):
    case = _call_back(build)
    with freeze_time(D(2025, 6, 3)):
        client.force_login(officer)
        url = reverse("case-action", args=[case.reference, "convert-call-back"])
        response = client.post(url, {"submission": token(), **date_fields("on", D(2025, 6, 3))})
        assert response.status_code == 302, response.context["form"].errors
        case.refresh_from_db()
        assert case.kind == Case.Kind.COMPLAINT and case.state == Case.State.RECEIVED
        assert case.received_on == D(2025, 6, 2)  # the clock runs from the first contact
        assert case.callback_outcome == Case.CallBackOutcome.COMPLAINT
        case = build.accept(case)
    respond = case.current_stage.deadlines.get(step="respond")
    assert respond.due_on == add_working_days(D(2025, 6, 2), 10)


def test_a_resolved_call_back_closes_and_is_not_a_complaint(build, officer):
    case = _call_back(build)
    with freeze_time(D(2025, 6, 3)):
        workflow.resolve_call_back(case, by=officer, on=D(2025, 6, 3), note="Explained the plan.")
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.kind == Case.Kind.CALL_BACK
    assert case.callback_outcome == Case.CallBackOutcome.RESOLVED
    with pytest.raises(DomainError):
        workflow.convert_call_back(case, by=officer, on=D(2025, 6, 3))


def test_only_a_call_back_has_a_call_back_outcome(build, officer):
    case = build.log()
    with pytest.raises(DomainError, match="call-back"):
        workflow.resolve_call_back(case, by=officer, on=case.received_on)


def test_the_conversion_rate_is_counted(build, officer):
    for n in range(3):
        case = _call_back(build)
        with freeze_time(D(2025, 6, 3)):
            if n == 0:
                workflow.resolve_call_back(case, by=officer, on=D(2025, 6, 3))
            elif n == 1:
                workflow.convert_call_back(case, by=officer, on=D(2025, 6, 3))
    figures = statistics.figures_for(Period.year(2025))
    assert figures.call_backs == {"resolved": 1, "complaint": 1, "": 1}
    table = build_tables([figures])["call_backs"]
    values = {row.label: row.values[0] for row in table.rows}
    assert values["Call-back requests"] == 3
    assert values["Became a complaint"] == 1
    assert values["Became a complaint (% of those called back)"] == 50


def test_a_call_back_not_made_is_chased(build, officer, team_manager):
    case = _call_back(build)
    with freeze_time(D(2025, 6, 2)):
        workflow.arrange_call_back(case, by=officer, person=team_manager)
    with freeze_time(D(2025, 6, 4)):
        assert chasing.run(D(2025, 6, 4)).queued == 0  # due today: not yet late
    with freeze_time(D(2025, 6, 5)):
        chasing.run(D(2025, 6, 5))
    chased = [m for m in mail.outbox if case.reference in m.subject and "call" in m.subject]
    assert len(chased) == 1 and team_manager.email in chased[0].to


# --- advocacy ------------------------------------------------------------------------------


def _young_persons_complaint(build):
    case = build.case(Case.State.IN_PROGRESS, received_on=D(2025, 6, 2))
    case.complainant.relationship = Relationship.objects.filter(is_child=True).first()
    case.complainant.save()
    case.officer = build.officer
    case.save()
    return case


def test_advocacy_is_offered_referred_and_counted(build, officer, client):
    case = _young_persons_complaint(build)
    client.force_login(officer)
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert "Offer an advocate" in page  # a child or young person complains
    provider = AdvocacyProvider.objects.first()
    with freeze_time(D(2025, 6, 10)):
        services.advocacy_record(
            case=case,
            by=officer,
            offered_on=D(2025, 6, 3),
            accepted=True,
            referred_on=D(2025, 6, 4),
            provider=provider,
        )
    case.refresh_from_db()
    assert (case.advocacy_accepted, case.advocacy_provider) == (True, provider)
    figures = statistics.figures_for(Period.year(2025))
    assert (figures.statutory.advocacy_offered, figures.statutory.advocacy_accepted) == (1, 1)
    assert figures.statutory.advocacy_referred == 1
    rows = {r.label: r.values[0] for r in build_tables([figures])["advocacy"].rows}
    assert rows["Took up the offer"] == 1


def test_a_referral_needs_an_accepted_offer_and_a_provider(build, officer):
    case = _young_persons_complaint(build)
    with pytest.raises(DomainError, match="provider"):
        services.advocacy_record(
            case=case,
            by=officer,
            offered_on=D(2025, 6, 3),
            accepted=True,
            referred_on=D(2025, 6, 4),
            provider=None,
        )
    with pytest.raises(DomainError, match="before"):
        services.advocacy_record(
            case=case,
            by=officer,
            offered_on=D(2025, 6, 3),
            accepted=True,
            referred_on=D(2025, 6, 2),
            provider=AdvocacyProvider.objects.first(),
        )
    with pytest.raises(DomainError, match="accepted"):
        services.advocacy_record(
            case=case,
            by=officer,
            offered_on=D(2025, 6, 3),
            accepted=False,
            referred_on=D(2025, 6, 4),
            provider=AdvocacyProvider.objects.first(),
        )


def test_an_accepted_offer_not_yet_referred_is_chased(build, officer):
    case = _young_persons_complaint(build)
    with freeze_time(D(2025, 6, 3)):
        services.advocacy_record(case=case, by=officer, offered_on=D(2025, 6, 3), accepted=True)
    mail.outbox.clear()
    with freeze_time(D(2025, 6, 6)):
        chasing.run(D(2025, 6, 6))  # two working days after the offer
    chased = [m for m in mail.outbox if "advocate" in m.subject.lower()]
    assert len(chased) == 1 and officer.email in chased[0].to


def test_whoever_is_to_call_back_can_open_the_case(build, officer, other_team_manager, client):
    case = _call_back(build)
    client.force_login(other_team_manager)
    url = reverse("case-detail", args=[case.reference])
    assert client.get(url).status_code == 404
    with freeze_time(JUNE_2):
        workflow.arrange_call_back(case, by=officer, person=other_team_manager)
    assert client.get(url).status_code == 200


def test_advocacy_is_not_recorded_on_an_anonymised_case(build, officer):
    case = _young_persons_complaint(build)
    Case.objects.filter(pk=case.pk).update(anonymised_on=D(2025, 6, 3))
    with pytest.raises(DomainError, match="personal data was removed"):
        services.advocacy_record(case=case, by=officer, offered_on=D(2025, 6, 3), accepted=True)


def test_the_advocacy_page_shows_what_was_recorded(build, officer, client):
    case = _young_persons_complaint(build)
    client.force_login(officer)
    url = reverse("case-action", args=[case.reference, "advocacy"])
    assert client.get(url).context["form"].initial["offered_on"] == timezone.localdate()
    services.advocacy_record(case=case, by=officer, offered_on=D(2025, 6, 3), accepted=True)
    initial = client.get(url).context["form"].initial
    assert (initial["offered_on"], initial["accepted"]) == (D(2025, 6, 3), "yes")
