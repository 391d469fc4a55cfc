import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.roles import Role, user_roles
from complaints.demo import DEMO_USERS, seed_demo
from complaints.models import Case, Deadline, Event, Stage

pytestmark = pytest.mark.django_db


def test_the_demo_council_is_idempotent_and_varied():
    today = dt.date(2025, 6, 30)
    assert seed_demo(cases=300, today=today) == 300
    assert seed_demo(cases=300, today=today) == 0
    assert Case.objects.count() == 300
    for username, *_, role, _title in DEMO_USERS:
        assert Role(role) in user_roles(User.objects.get(username=username))
    states = set(Case.objects.values_list("state", flat=True))
    assert {"closed", "refused", "withdrawn"} <= states
    assert set(Stage.objects.values_list("level", flat=True)) >= {1, 2}
    assert Case.objects.order_by("received_on").first().received_on >= dt.date(2020, 4, 1)
    # Every stage has the deadlines its timescales give, and every case its first event.
    assert not Stage.objects.filter(deadlines__isnull=True).exists()
    assert Event.objects.filter(move="receive").count() == 300
    open_cases = Case.objects.filter(state__in=["in_progress", "awaiting_qa"])
    assert all(c.next_due_on for c in open_cases)
    assert Deadline.objects.filter(extended_due_on__isnull=False).exists()


def test_demo_logins_prints_each_role(capsys):
    call_command("demo_logins")
    out = capsys.readouterr().out
    for username, *_ in DEMO_USERS:
        assert username in out


def test_the_demo_has_lessons_learnt_only_where_fault_was_found():
    from complaints.demo import seed_learning
    from complaints.models import AgreedAction, LessonsLearnt

    today = dt.date(2025, 6, 30)
    seed_demo(cases=400, today=today)
    added = seed_learning(today=today)
    assert added > 0
    assert seed_learning(today=today) == 0
    assert LessonsLearnt.objects.count() == added
    assert not LessonsLearnt.objects.exclude(
        stage__element_findings__finding__group__in=["upheld", "partially_upheld"]
    ).exists()
    assert LessonsLearnt.objects.filter(submitted_on__isnull=True).exists()
    assert AgreedAction.objects.filter(status="open").exists()
    assert AgreedAction.objects.filter(status="done").exists()


def test_the_demo_has_ombudsman_cases_and_compliments():
    from complaints.demo import seed_ombudsman_and_compliments
    from compliments.models import Compliment
    from ombudsman.models import OmbudsmanCase

    today = dt.date(2025, 6, 30)
    seed_demo(cases=300, today=today)
    assert seed_ombudsman_and_compliments(today=today) > 0
    assert seed_ombudsman_and_compliments(today=today) == 0
    assert OmbudsmanCase.objects.filter(decision__group="premature").exists()
    assert OmbudsmanCase.objects.filter(recommendations__amount__gt=0).exists()
    assert Compliment.objects.filter(received_on__gte=dt.date(2025, 4, 1)).exists()
