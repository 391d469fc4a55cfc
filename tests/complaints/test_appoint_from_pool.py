"""Appointing the Stage 2 investigating officer and independent person from the pool: the page
proposes, the move checks (complaints.pool) and records each appointment."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from complaints import selectors, workflow
from complaints.errors import DomainError
from complaints.models import Appointment, Case, Level, Part, PoolCheck, Procedure
from tests.factories import PoolMemberFactory, UserFactory
from tests.support.forms import date_fields, token

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def stage2_case(build):
    """A statutory case just escalated to Stage 2, nobody appointed yet."""
    case = build.case(Case.State.RESPONDED)
    return build.escalate(case)


def _appoint(case, by, officer, independent, **more):
    return workflow.appoint_investigators(
        case, by=by, investigating_officer=officer, independent_person=independent, **more
    )


def test_appointing_records_each_appointment_and_names_their_sign_ins(
    stage2_case, officer, investigator, independent_person
):
    _appoint(stage2_case, officer, investigator.pool_member, independent_person)

    stage = stage2_case.current_stage
    stage.refresh_from_db()
    assert (stage.investigating_officer, stage.independent_person) == (
        investigator,
        independent_person,
    )
    assert {(a.member.user, a.part, a.rate) for a in stage.appointments.all()} == {
        (investigator, Part.INVESTIGATING_OFFICER, investigator.pool_member.rate),
        (independent_person, Part.INDEPENDENT_PERSON, independent_person.pool_member.rate),
    }
    # Who may see the case follows the stage, as before the pool.
    assert selectors.cases_visible_to(investigator).filter(pk=stage2_case.pk).exists()
    assert stage2_case.events.filter(move="appoint_investigators").count() == 1


def test_reappointing_stands_down_the_earlier_investigator_and_keeps_the_same_person(
    stage2_case, officer, investigator, independent_person
):
    _appoint(stage2_case, officer, investigator, independent_person)
    other = PoolMemberFactory(parts=["investigates"])
    _appoint(stage2_case, officer, other, independent_person)

    stage = stage2_case.current_stage
    first = stage.appointments.get(member__user=investigator)
    assert first.ended_on == TODAY
    assert "Replaced by" in first.end_reason
    assert stage.appointments.filter(ended_on__isnull=True).count() == 2
    # The independent person was not replaced: still their first appointment, not a second.
    assert stage.appointments.filter(member__user=independent_person).count() == 1
    stage.refresh_from_db()
    assert stage.investigating_officer == other.user


@pytest.mark.parametrize("problem", ["conflict", "expired", "no_part"])
def test_a_member_who_may_not_take_the_part_is_refused_on_its_field_and_nothing_saved(
    stage2_case, officer, investigator, problem
):
    area = stage2_case.service_area
    parts = ["investigates"] if problem == "no_part" else ["independent_person"]
    member = PoolMemberFactory(parts=parts, conflicts=[area] if problem == "conflict" else [])
    if problem == "expired":
        PoolCheck.objects.create(
            member=member,
            kind=PoolCheck.Kind.TRAINING,
            obtained_on=TODAY - dt.timedelta(days=400),
            expires_on=TODAY - dt.timedelta(days=1),
        )
    with pytest.raises(DomainError) as refused:
        _appoint(stage2_case, officer, investigator, member)
    assert refused.value.field == "independent_person"
    assert {
        "conflict": "conflict of interest",
        "expired": "expired",
        "no_part": "not in the pool as independent person",
    }[problem] in str(refused.value)
    assert not Appointment.objects.filter(stage__case=stage2_case).exists()
    stage2_case.current_stage.refresh_from_db()
    assert stage2_case.current_stage.investigating_officer is None


def test_someone_outside_the_pool_is_refused(stage2_case, officer, independent_person):
    outsider = UserFactory(username="olly")
    with pytest.raises(DomainError, match="not in the pool"):
        _appoint(stage2_case, officer, outsider, independent_person)


def test_nobody_is_both_investigator_and_independent_person(stage2_case, officer):
    both = PoolMemberFactory(parts=["investigates", "independent_person"])
    with pytest.raises(DomainError, match="cannot also be"):
        _appoint(stage2_case, officer, both, both)
    # Nor by their sign-in on one side and their membership on the other.
    with pytest.raises(DomainError, match="cannot also be"):
        _appoint(stage2_case, officer, both, both.user)


def test_the_investigator_of_an_earlier_stage_2_cannot_be_its_independent_person(
    build, officer, investigator, independent_person
):
    case = build.case(Case.State.RESPONDED, level=Level.INVESTIGATION)
    case = workflow.reopen(case, by=officer, level=Level.INVESTIGATION, reason="Referred back")
    investigator.pool_member.independent_person = True
    investigator.pool_member.save()
    other = PoolMemberFactory(parts=["investigates"])
    with pytest.raises(DomainError, match="investigated this case") as refused:
        _appoint(case, officer, other, investigator)
    assert refused.value.field == "independent_person"


def test_the_stage_1_managers_and_head_of_service_are_refused(
    stage2_case, officer, team, head_of_service, independent_person
):
    for user in (team.manager, head_of_service):
        PoolMemberFactory(user=user, parts=["investigates"], engagement="internal")
        with pytest.raises(DomainError, match="worked on this case"):
            _appoint(stage2_case, officer, user, independent_person)


def test_a_corporate_stage_2_needs_no_independent_person_and_drops_one(build, officer):
    case = build.escalate(build.case(Case.State.RESPONDED))
    Case.objects.filter(pk=case.pk).update(procedure=Procedure.CORPORATE)
    case.refresh_from_db()
    io, ip = (PoolMemberFactory(parts=[p]) for p in ("investigates", "independent_person"))
    _appoint(case, officer, io, ip)
    _appoint(case, officer, io, None)
    stage = case.current_stage
    assert stage.appointments.get(member=ip).ended_on == TODAY
    assert stage.appointments.get(member=io).ended_on is None


def test_a_history_replay_takes_an_account_outside_the_pool(stage2_case, officer, investigator):
    outsider = UserFactory(username="olly")
    with workflow.as_of(TODAY):
        _appoint(stage2_case, officer, investigator, outsider)
    stage = stage2_case.current_stage
    stage.refresh_from_db()
    assert stage.independent_person == outsider
    assert [a.member.user for a in stage.appointments.all()] == [investigator]


# --- the page and the API -----------------------------------------------------------------


def _url(case):
    return reverse("case-action", args=[case.reference, "appoint-investigators"])


def test_the_page_offers_the_proposals_first_with_their_caseload_then_the_rest(
    client, stage2_case, officer, investigator, independent_person
):
    area = stage2_case.service_area
    conflicted = PoolMemberFactory(
        parts=["investigates"], conflicts=[area], user__first_name="Connie"
    )
    client.force_login(officer)
    body = client.get(_url(stage2_case)).content.decode()
    assert body.index(investigator.get_full_name()) < body.index("Connie")
    assert "Proposed: no open cases, external, self-employed" in body
    assert "Not proposed: conflict of interest with this case" in body
    assert "or someone else in the pool" in body
    assert conflicted.user.get_full_name() in body


def test_choosing_a_conflicted_member_on_the_page_shows_the_error_and_saves_nothing(
    client, stage2_case, officer, investigator
):
    conflicted = PoolMemberFactory(
        parts=["independent_person"], conflicts=[stage2_case.service_area]
    )
    client.force_login(officer)
    response = client.post(
        _url(stage2_case),
        {
            "submission": token(),
            "investigating_officer": investigator.pk,
            "independent_person": conflicted.user.pk,
            **date_fields("on", TODAY),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "conflict of interest" in body
    assert "govuk-error-summary" in body
    assert not Appointment.objects.filter(stage__case=stage2_case).exists()


def test_the_api_appoints_by_username_and_refuses_on_the_field(
    stage2_case, officer, investigator, independent_person
):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}")
    url = f"/api/v1/cases/{stage2_case.reference}/appoint-investigators/"
    conflicted = PoolMemberFactory(parts=["investigates"], conflicts=[stage2_case.service_area])
    refused = api.post(
        url,
        {
            "investigating_officer": conflicted.user.username,
            "independent_person": independent_person.username,
            "on": TODAY.isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 400, refused.json()
    assert "conflict of interest" in refused.json()["investigating_officer"][0]

    done = api.post(
        url,
        {
            "investigating_officer": investigator.username,
            "independent_person": independent_person.username,
            "on": TODAY.isoformat(),
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert stage2_case.current_stage.appointments.filter(ended_on__isnull=True).count() == 2


def test_the_page_costs_the_same_queries_for_a_pool_of_3_or_30(
    client, stage2_case, officer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    client.get(_url(stage2_case))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(_url(stage2_case))
    area = stage2_case.service_area
    for i in range(27):
        member = PoolMemberFactory(
            parts=["investigates" if i % 2 else "independent_person"],
            conflicts=[area] if i % 3 == 0 else [],
        )
        if i % 5 == 0:
            PoolCheck.objects.create(
                member=member,
                kind=PoolCheck.Kind.CONTRACT,
                obtained_on=TODAY - dt.timedelta(days=400),
                expires_on=TODAY - dt.timedelta(days=1),
            )
    with django_assert_max_num_queries(len(few)):
        body = client.get(_url(stage2_case)).content.decode()
    assert body.count('class="govuk-radios__input"') == 2 + 27
