"""The pool's own pages and the capacity page: who may read and change the pool, bad input that
saves nothing, the query counts, leaving the pool, the days to appoint, and the chase of
checks about to expire."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.roles import Role, user_roles
from complaints import chasing, pool
from complaints.errors import DomainError
from complaints.models import (
    Appointment,
    Level,
    Notification,
    Part,
    PoolCheck,
    PoolMember,
    ServiceArea,
)
from tests.factories import PoolMemberFactory, ServiceAreaFactory, UserFactory
from tests.support.forms import date_fields, token

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def manager_client(client, complaints_manager):
    client.force_login(complaints_manager)
    return client


@pytest.fixture
def member(db):
    return PoolMemberFactory(parts=["investigates", "independent_person"])


def member_form(**overrides) -> dict:
    data = {
        "submission": token(),
        "first_name": "Pat",
        "last_name": "Okafor",
        "email": "pat.okafor@agency.example",
        "organisation": "North East Investigations",
        "engagement": PoolMember.Engagement.AGENCY,
        "supplier": "NEPO",
        "parts": ["investigating_officer"],
        "rate": "375.00",
        "rate_unit": "day",
        **date_fields("unavailable_until", None),
        "most_cases": "3",
        "notes": "",
    }
    return data | overrides


# --- who may see and change the pool ---------------------------------------------------------


def test_every_pool_page_opens_for_the_complaints_manager(manager_client, member):
    for name, kwargs in [
        ("pool-list", {}),
        ("pool-add", {}),
        ("pool-capacity", {}),
        ("pool-member", {"pk": member.pk}),
        ("pool-member-change", {"pk": member.pk}),
        ("pool-check-add", {"pk": member.pk}),
        ("pool-member-remove", {"pk": member.pk}),
    ]:
        response = manager_client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
    assert b'href="/pool/"' in manager_client.get(reverse("home")).content  # in the menu


def test_an_officer_reads_the_pool_but_does_not_change_it(client, officer, member):
    client.force_login(officer)
    assert client.get(reverse("pool-list")).status_code == 200
    assert client.get(reverse("pool-member", args=[member.pk])).status_code == 200
    for name, args in [
        ("pool-add", []),
        ("pool-capacity", []),
        ("pool-member-change", [member.pk]),
        ("pool-check-add", [member.pk]),
        ("pool-member-remove", [member.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    response = client.post(reverse("pool-member-remove", args=[member.pk]), {})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.left_on is None


@pytest.mark.parametrize("persona", ["investigator", "independent_person", "team_manager"])
def test_those_appointed_and_other_staff_do_not_see_the_pool(request, client, persona, member):
    client.force_login(request.getfixturevalue(persona))
    for name, args in [
        ("pool-list", []),
        ("pool-member", [member.pk]),
        ("pool-capacity", []),
        ("pool-add", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert b'href="/pool/"' not in client.get(reverse("home")).content


def test_an_anonymous_visitor_is_sent_to_sign_in(client, member):
    response = client.get(reverse("pool-member", args=[member.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- the list and the capacity page ----------------------------------------------------------


def _more_members(build, n: int) -> None:
    """Members with everything a row shows: checks, conflicts, open appointments."""
    area = ServiceAreaFactory(name="Fostering")
    stage = build.case(level=Level.INVESTIGATION).current_stage
    today = timezone.localdate()
    for i in range(n):
        m = PoolMemberFactory(parts=["investigates", "sits_on_panels"], conflicts=[area])
        PoolCheck.objects.create(
            member=m,
            kind=PoolCheck.Kind.TRAINING,
            obtained_on=today - dt.timedelta(days=300),
            expires_on=today + dt.timedelta(days=10 + i),
        )
        Appointment.objects.create(
            stage=stage,
            member=m,
            part=Part.PANEL_MEMBER,
            appointed_on=today,
            rate=m.rate,
            rate_unit=m.rate_unit,
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["pool-list", "pool-capacity"])
def test_the_list_and_capacity_pages_take_the_same_queries_however_big_the_pool(
    manager_client, build, member, name
):
    url = reverse(name)
    manager_client.get(url)  # the first request of a session reads more (permissions, etc.)
    few = _queries(manager_client, url)
    _more_members(build, 6)
    assert _queries(manager_client, url) == few


def test_the_list_reads_the_pool_in_three_queries(manager_client, build, member):
    _more_members(build, 4)
    members = []
    with CaptureQueriesContext(connection) as queries:
        members = pool.pool_list(on=timezone.localdate())
    # Members with their caseload in one query; their checks; their conflicts.
    assert len(queries) == 3
    members = _not_the_builders(build, members)
    assert len(members) == 5
    assert sorted(m.caseload for m in members) == [0, 1, 1, 1, 1]


def test_the_list_shows_caseloads_checks_about_to_expire_and_filters_by_part(
    manager_client, build, member
):
    _more_members(build, 1)
    body = manager_client.get(reverse("pool-list")).content.decode()
    assert "Training expires" in body
    assert str(member) in body
    body = manager_client.get(reverse("pool-list"), {"part": "panel_member"}).content.decode()
    assert str(member) not in body and "Training expires" in body


def test_the_list_can_show_those_who_have_left(manager_client, member):
    pool.member_remove(member=member, on=timezone.localdate())
    assert str(member) not in manager_client.get(reverse("pool-list")).content.decode()
    body = manager_client.get(reverse("pool-list"), {"show": "left"}).content.decode()
    assert str(member) in body


def test_check_alerts_read_the_latest_check_of_each_kind(member):
    today = timezone.localdate()
    PoolCheck.objects.create(
        member=member,
        kind=PoolCheck.Kind.CONTRACT,
        obtained_on=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=5),
    )
    member = PoolMember.objects.prefetch_related("checks").get(pk=member.pk)
    (alert,) = pool.check_alerts(member, on=today)
    assert alert.check.kind == PoolCheck.Kind.CONTRACT and alert.expired
    PoolCheck.objects.create(
        member=member,
        kind=PoolCheck.Kind.CONTRACT,
        obtained_on=today - dt.timedelta(days=5),
        expires_on=today + dt.timedelta(days=pool.CHECK_WARNING_DAYS + 1),
    )
    member = PoolMember.objects.prefetch_related("checks").get(pk=member.pk)
    assert pool.check_alerts(member, on=today) == []  # renewed


def test_capacity_shows_who_is_available_per_part(manager_client, build, member):
    away = PoolMemberFactory(
        parts=["investigates"], unavailable_until=timezone.localdate() + dt.timedelta(days=9)
    )
    parts = {row.part: row for row in pool.capacity(on=timezone.localdate(), start=D(2025, 1, 1))}
    io = parts[Part.INVESTIGATING_OFFICER]
    assert _not_the_builders(build, io.members) == sorted(
        [member, away], key=lambda m: (m.user.last_name, m.user.first_name)
    )
    assert _not_the_builders(build, io.available) == [member]
    assert _not_the_builders(build, parts[Part.INDEPENDENT_PERSON].available) == [member]
    assert parts[Part.PANEL_CHAIR].members == []
    body = manager_client.get(reverse("pool-capacity")).content.decode()
    assert "Average working days from request to appointment" in body


def _not_the_builders(build, members):
    """Leave out the investigator and independent person every built Stage 2 case appoints."""
    theirs = {build.investigator.pk, build.independent_person.pk}
    return [m for m in members if m.user_id not in theirs]


# --- the days to appoint ---------------------------------------------------------------------


def _appointed(stage, part, member, on):
    return Appointment.objects.create(
        stage=stage, member=member, part=part, appointed_on=on, rate=1, rate_unit="day"
    )


def test_days_to_appoint_counts_working_days_from_request_to_the_first_appointment(build):
    member = PoolMemberFactory(parts=["investigates", "chairs_panels"])
    stages = [build.case(level=Level.INVESTIGATION).current_stage for _ in range(3)]
    for stage in stages:
        stage.requested_on = D(2025, 6, 2)  # a Monday
        stage.save(update_fields=["requested_on"])
    io = Part.INVESTIGATING_OFFICER
    _appointed(stages[0], io, member, D(2025, 6, 9))  # 5 working days
    _appointed(stages[0], io, member, D(2025, 6, 20))  # a replacement: not the first
    _appointed(stages[1], io, member, D(2025, 6, 16))  # 10
    _appointed(stages[2], io, member, D(2025, 7, 1))  # after the period
    assert pool.days_to_appoint(io, D(2025, 6, 1), D(2025, 6, 30)) == (2, 7.5)
    assert pool.days_to_appoint(Part.INDEPENDENT_PERSON, D(2025, 6, 1), D(2025, 6, 30)) == (
        0,
        None,
    )
    # A chair is counted on Stage 3 only.
    _appointed(stages[0], Part.PANEL_CHAIR, member, D(2025, 6, 9))
    assert pool.days_to_appoint(Part.PANEL_CHAIR, D(2025, 6, 1), D(2025, 6, 30)) == (0, None)


# --- adding and changing a member ------------------------------------------------------------


def test_adding_an_external_member_gives_them_a_sign_in_for_their_appointed_cases(
    manager_client,
):
    area = ServiceAreaFactory(name="Residential")
    data = member_form(parts=["investigating_officer", "panel_member"], conflicts=[area.pk])
    response = manager_client.post(reverse("pool-add"), data)
    member = PoolMember.objects.get(user__email="pat.okafor@agency.example")
    assert response.status_code == 302 and response["Location"] == f"/pool/{member.pk}/"
    assert member.investigates and member.sits_on_panels and not member.chairs_panels
    assert member.rate == Decimal("375.00") and member.supplier == "NEPO"
    assert list(member.conflicts.all()) == [area]
    assert member.user.organisation == "North East Investigations"
    assert not member.user.has_usable_password()
    assert user_roles(member.user) == {Role.INVESTIGATING_OFFICER, Role.INDEPENDENT_PERSON}


def test_adding_council_staff_keeps_their_roles(manager_client, team_manager):
    data = member_form(
        user=team_manager.pk,
        first_name="",
        last_name="",
        email="",
        engagement=PoolMember.Engagement.INTERNAL,
    )
    assert manager_client.post(reverse("pool-add"), data).status_code == 302
    assert PoolMember.objects.get(user=team_manager).investigates
    assert user_roles(team_manager) == {Role.TEAM_MANAGER}


def test_changing_a_member_changes_their_parts_and_roles(manager_client, member):
    data = member_form(parts=["panel_chair"], rate="400", conflicts=[])
    response = manager_client.post(reverse("pool-member-change", args=[member.pk]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.chairs_panels and not member.investigates and member.rate == 400
    assert user_roles(member.user) == {Role.INDEPENDENT_PERSON}


@pytest.mark.parametrize(
    ("rate", "message"),
    [("-1", "The rate must be £0 or more"), ("", "Enter their rate, in pounds")],
)
def test_a_negative_or_missing_rate_is_refused_and_saves_nothing(manager_client, rate, message):
    users = get_user_model().objects.count()
    response = manager_client.post(reverse("pool-add"), member_form(rate=rate))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and message in body
    assert not PoolMember.objects.exists()
    assert get_user_model().objects.count() == users


def test_a_change_to_a_negative_rate_saves_nothing(manager_client, member):
    response = manager_client.post(
        reverse("pool-member-change", args=[member.pk]), member_form(rate="-5", most_cases="9")
    )
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.rate == 350 and member.most_cases == 3


def test_the_service_refuses_a_negative_or_missing_rate(member):
    for rate in (Decimal("-0.01"), None):
        with pytest.raises(DomainError) as refused:
            pool.member_save(
                member=member, parts=["investigating_officer"], on=D(2025, 6, 30), rate=rate
            )
        assert refused.value.field == "rate"
    member.refresh_from_db()
    assert member.rate == 350


def test_a_new_sign_in_needs_a_unique_e_mail_and_nothing_is_saved(manager_client, officer):
    response = manager_client.post(reverse("pool-add"), member_form(email=officer.email))
    assert response.status_code == 400
    assert "Someone signs in with this e-mail address already" in response.content.decode()
    assert not PoolMember.objects.exists()


def test_someone_in_the_pool_already_is_not_added_twice(member):
    with pytest.raises(DomainError, match="in the pool already"):
        pool.member_save(
            user=member.user,
            parts=["investigating_officer"],
            on=D(2025, 6, 30),
            engagement="agency",
            rate=1,
        )


def test_no_part_is_refused(manager_client):
    response = manager_client.post(reverse("pool-add"), member_form(parts=[]))
    assert response.status_code == 400
    assert "Select at least one part they may take" in response.content.decode()
    assert not PoolMember.objects.exists()


# --- checks ----------------------------------------------------------------------------------


def test_a_check_is_recorded_and_listed(manager_client, member):
    data = {
        "submission": token(),
        "kind": "training",
        "detail": "Stage 2 investigation course",
        **date_fields("obtained_on", D(2025, 1, 10)),
        **date_fields("expires_on", D(2027, 1, 10)),
    }
    response = manager_client.post(reverse("pool-check-add", args=[member.pk]), data)
    assert response.status_code == 302
    assert member.checks.filter(kind="training", expires_on=D(2027, 1, 10)).exists()
    body = manager_client.get(reverse("pool-member", args=[member.pk])).content.decode()
    assert "Stage 2 investigation course" in body


def test_a_check_expiring_before_it_was_obtained_is_refused_and_saves_nothing(
    manager_client, member
):
    data = {
        "submission": token(),
        "kind": "dbs",
        **date_fields("obtained_on", D(2025, 1, 10)),
        **date_fields("expires_on", D(2025, 1, 9)),
    }
    response = manager_client.post(reverse("pool-check-add", args=[member.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "The expiry date must be after the date it was obtained" in body
    assert member.checks.count() == 1  # the factory's


# --- leaving the pool ------------------------------------------------------------------------


def test_removing_a_member_with_open_appointments_is_refused_listing_their_cases(
    manager_client, build, member
):
    cases = [build.case(level=Level.INVESTIGATION) for _ in range(2)]
    for case in cases:
        _appointed(case.current_stage, Part.INVESTIGATING_OFFICER, member, timezone.localdate())
    url = reverse("pool-member-remove", args=[member.pk])
    body = manager_client.get(url).content.decode()
    assert "Reassign each on its case first" in body
    data = {"submission": token(), **date_fields("left_on", timezone.localdate())}
    response = manager_client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "cannot leave the pool while appointed to 2 open cases" in body
    for case in cases:
        assert f'href="/cases/{case.reference}/"' in body
    member.refresh_from_db()
    assert member.left_on is None


def test_an_ended_appointment_does_not_hold_a_member_in_the_pool(manager_client, build, member):
    stage = build.case(level=Level.INVESTIGATION).current_stage
    appointment = _appointed(stage, Part.INVESTIGATING_OFFICER, member, timezone.localdate())
    pool.stand_down([appointment], on=timezone.localdate(), reason="Reassigned")
    data = {"submission": token(), **date_fields("left_on", timezone.localdate())}
    response = manager_client.post(reverse("pool-member-remove", args=[member.pk]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == timezone.localdate()
    assert pool.refusal(member, Part.INVESTIGATING_OFFICER, stage, on=timezone.localdate())


def test_the_service_refuses_removal_while_appointed(build, member):
    stage = build.case(level=Level.INVESTIGATION).current_stage
    _appointed(stage, Part.INDEPENDENT_PERSON, member, timezone.localdate())
    with pytest.raises(pool.StillAppointed) as refused:
        pool.member_remove(member=member, on=timezone.localdate())
    assert refused.value.details == [f"Reassign {stage.case.reference}"]
    member.refresh_from_db()
    assert member.left_on is None


# --- the chase of checks about to expire -----------------------------------------------------

# DBS checks expiring on Friday 25 July 2025; the default rule writes 20 working days before.
EXPIRES = D(2025, 7, 25)
REMINDER = D(2025, 6, 27)  # 20 working days before: 30 Jun – 25 Jul is 20 working days


@pytest.fixture
def expiring(complaints_manager):
    member = PoolMemberFactory(
        parts=["investigates"], user=UserFactory(first_name="Robin", last_name="Marsh")
    )
    PoolCheck.objects.filter(member=member).update(
        obtained_on=D(2022, 7, 25), expires_on=EXPIRES, detail="Certificate 0012345"
    )
    return member


def chase_on(day) -> int:
    """Run the chase job on `day`; how many pool-check messages it has written by then (the
    weekly digest goes to the complaints managers too, so the job's own count is not it)."""
    with freeze_time(day):
        chasing.run(day)
    return pool_notes().count()


def pool_notes():
    return Notification.objects.filter(rule__code="pool-check-expiring")


def test_a_check_about_to_expire_is_chased_once_to_the_complaints_managers(
    expiring, complaints_manager
):
    assert chase_on(REMINDER - dt.timedelta(days=1)) == 0
    mail.outbox.clear()
    assert chase_on(REMINDER) == 1
    (note,) = pool_notes()
    assert note.to == [complaints_manager.email]
    assert note.key == f"poolcheck:{expiring.checks.get().pk}:rule:pool-check-expiring"
    assert "Robin Marsh's DBS check expires on Friday 25 July 2025" in note.body
    assert f"/pool/{expiring.pk}/" in note.body
    assert "0012345" not in note.body + note.subject  # the member's name and the kind only
    (message,) = [m for m in mail.outbox if m.subject == note.subject]
    assert message.to == [complaints_manager.email]
    assert chase_on(D(2025, 6, 30)) == 1  # once per check and rule


def test_a_renewed_check_or_a_member_who_left_is_not_chased(expiring):
    PoolCheck.objects.create(
        member=expiring,
        kind=PoolCheck.Kind.DBS,
        obtained_on=D(2025, 6, 1),
        expires_on=D(2028, 6, 1),
    )
    assert chase_on(REMINDER) == 0
    PoolCheck.objects.filter(expires_on=D(2028, 6, 1)).delete()
    PoolMember.objects.filter(pk=expiring.pk).update(left_on=D(2025, 6, 1))
    assert chase_on(REMINDER) == 0


def test_a_check_past_its_expiry_is_not_chased_late(expiring):
    assert chase_on(D(2025, 7, 28)) == 0


def test_the_conflicts_choice_lists_every_service_area(manager_client):
    ServiceAreaFactory(name="Adoption")
    body = manager_client.get(reverse("pool-add")).content.decode()
    assert body.count('name="conflicts"') == ServiceArea.objects.count()
