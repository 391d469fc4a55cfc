import datetime as dt
from pathlib import Path

import pytest
import rest_framework.throttling  # noqa: F401
from django.db import connection

from accounts.roles import Role, ensure_role_groups
from complaints.models import StageDefinition
from complaints.workingdays import calendars
from config.reference_data import load_all_reference_data
from tests.factories import CaseBuilder, PoolMemberFactory, TeamFactory, UserFactory

# DRF's throttles keep `time.time` as a class attribute when first imported: imported above,
# before any test freezes the clock, so they never keep freezegun's fake clock.

# The SQLite test database is a file there (see config/settings/test.py).
(Path(__file__).resolve().parent.parent / "var").mkdir(exist_ok=True)

# A Monday well inside the calendar; workflow tests freeze "today" here.
TODAY = dt.date(2025, 6, 30)


def _load_reference_data():
    load_all_reference_data()
    ensure_role_groups()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Categories, timescales and role groups, as `make run` loads them, once per session."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture(autouse=True)
def reference_data(request):
    """Reload what a transactional test's flush removed. pytest-django runs transactional
    tests after the others, so this reload happens outside any test transaction."""
    if "django_db_setup" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    if not StageDefinition.objects.exists():
        _load_reference_data()
    calendars.invalidate()
    yield
    calendars.invalidate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard's figures are cached by period; a test's data is its own."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def through_the_broker():
    """Tasks are handed to the broker rather than run in the test's own thread."""
    from celery import current_app

    was = current_app.conf.task_always_eager
    current_app.conf.update(task_always_eager=False)
    yield current_app
    current_app.conf.update(task_always_eager=was)


@pytest.fixture
def broker_down(through_the_broker, monkeypatch):
    """Every hand-off to a worker (complaints.handoff) is refused, as by a stopped broker."""

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(through_the_broker, "send_task", refuse)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


# --- personas: one per role -----------------------------------------------------------------


@pytest.fixture
def officer(db):
    return UserFactory(username="olivia", role=Role.COMPLAINTS_OFFICER)


@pytest.fixture
def complaints_manager(db):
    return UserFactory(username="morgan", role=Role.COMPLAINTS_MANAGER)


@pytest.fixture
def team(db):
    return TeamFactory(
        name="Safeguarding East", manager=UserFactory(username="tariq", role=Role.TEAM_MANAGER)
    )


@pytest.fixture
def team_manager(team):
    return team.manager


@pytest.fixture
def other_team_manager(db):
    return TeamFactory(
        name="Fostering", manager=UserFactory(username="tessa", role=Role.TEAM_MANAGER)
    ).manager


@pytest.fixture
def senior_manager(db):
    return UserFactory(username="simon", role=Role.SENIOR_MANAGER)


@pytest.fixture
def investigator(db):
    """An investigating officer in the pool (their pool membership: .pool_member)."""
    user = UserFactory(username="ivan", role=Role.INVESTIGATING_OFFICER)
    PoolMemberFactory(user=user, parts=["investigates"], most_cases=50)
    return user


@pytest.fixture
def independent_person(db):
    """An independent person in the pool."""
    user = UserFactory(username="isla", role=Role.INDEPENDENT_PERSON)
    PoolMemberFactory(user=user, parts=["independent_person"], most_cases=50)
    return user


@pytest.fixture
def build(officer, team, investigator, independent_person):
    return CaseBuilder(
        officer=officer,
        team=team,
        investigator=investigator,
        independent_person=independent_person,
    )


@pytest.fixture
def head_of_service(team):
    head = UserFactory(username="hana", role=Role.HEAD_OF_SERVICE)
    team.service.head_of_service = head
    team.service.save()
    return head
