"""complaints.pool: who may be proposed and appointed to a part on a stage."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints import pool
from complaints.errors import DomainError
from complaints.models import Level, Part, PoolCheck, PoolMember
from tests.factories import PoolMemberFactory, ServiceAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage2(build, investigator, independent_person):
    # The fixtures' own pool members are away, so only each test's members are proposed.
    PoolMember.objects.filter(user__in=[investigator, independent_person]).update(
        unavailable_until=timezone.localdate() + dt.timedelta(days=365)
    )
    return build.case(level=Level.INVESTIGATION).current_stage


def test_proposals_exclude_the_conflicted_the_expired_and_those_without_the_part(stage2):
    today = timezone.localdate()
    ok = PoolMemberFactory(parts=["investigates"])
    PoolMemberFactory(parts=["investigates"], conflicts=[stage2.case.service_area])
    PoolMemberFactory(parts=["independent_person"])
    expired = PoolMemberFactory(parts=["investigates"])
    PoolCheck.objects.create(
        member=expired,
        kind=PoolCheck.Kind.TRAINING,
        obtained_on=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=1),
    )
    assert pool.proposals(stage2, Part.INVESTIGATING_OFFICER, on=today) == [ok]


def test_appointing_a_conflicted_member_is_refused_and_saves_nothing(stage2):
    member = PoolMemberFactory(parts=["investigates"], conflicts=[stage2.case.service_area])
    with pytest.raises(DomainError, match="conflict of interest"):
        pool.appoint(stage2, member, Part.INVESTIGATING_OFFICER, by=None, on=timezone.localdate())
    assert not stage2.appointments.filter(member=member).exists()


def test_proposals_put_the_lowest_caseload_first(stage2, build):
    busy, free = PoolMemberFactory.create_batch(2, parts=["investigates"])
    other = build.case(level=Level.INVESTIGATION).current_stage
    pool.appoint(other, busy, Part.INVESTIGATING_OFFICER, by=None, on=timezone.localdate())
    assert pool.proposals(stage2, Part.INVESTIGATING_OFFICER, on=timezone.localdate()) == [
        free,
        busy,
    ]


def test_a_member_at_their_most_cases_is_not_proposed(stage2, build):
    member = PoolMemberFactory(parts=["investigates"], most_cases=1)
    other = build.case(level=Level.INVESTIGATION).current_stage
    pool.appoint(other, member, Part.INVESTIGATING_OFFICER, by=None, on=timezone.localdate())
    assert pool.proposals(stage2, Part.INVESTIGATING_OFFICER, on=timezone.localdate()) == []


def test_an_unrelated_area_is_no_conflict(stage2):
    member = PoolMemberFactory(parts=["investigates"], conflicts=[ServiceAreaFactory(name="X")])
    assert (
        pool.refusal(member, Part.INVESTIGATING_OFFICER, stage2, on=timezone.localdate()) is None
    )
