import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Prefetch

from accounts.models import User
from accounts.roles import Role, user_roles
from complaints.models import Case, Deadline, Event, Stage
from demo.council import DEMO_USERS, seed_demo

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
    from complaints.models import AgreedAction, LessonsLearnt
    from demo.council import seed_learning

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
    from compliments.models import Compliment
    from demo.council import seed_ombudsman_and_compliments
    from ombudsman.models import OmbudsmanCase

    today = dt.date(2025, 6, 30)
    seed_demo(cases=300, today=today)
    assert seed_ombudsman_and_compliments(today=today) > 0
    assert seed_ombudsman_and_compliments(today=today) == 0
    assert OmbudsmanCase.objects.filter(decision__group="premature").exists()
    assert OmbudsmanCase.objects.filter(recommendations__amount__gt=0).exists()
    assert Compliment.objects.filter(received_on__gte=dt.date(2025, 4, 1)).exists()


def _replay_faults(case) -> list[str]:
    """What in the case's events the workflow's transition table could not have produced."""
    from complaints.workflow import TRANSITIONS, Move

    faults, state, last = [], None, None
    for event in case.events.all():  # in order: at, then id
        where = f"{case.reference} {event.move}"
        transition = TRANSITIONS.get(event.move)
        if transition is None:
            faults.append(f"{where}: not a move")
            continue
        # Receiving starts a case; every other move leaves a state the table lists.
        allowed = state is None if event.move == Move.RECEIVE else state in transition.sources
        if not allowed or event.from_state != (state or ""):
            faults.append(f"{where}: from {event.from_state or '-'} when the case was {state}")
        if event.to_state != (transition.target or event.from_state):
            faults.append(f"{where}: to {event.to_state}")
        if last is not None and event.pk < last.pk:
            faults.append(f"{where}: dated before {last.move}, which was made first")
        if event.stage_id and event.at.date() < event.stage.requested_on:
            faults.append(f"{where}: before the stage was requested")
        state, last = event.to_state, event
    if state != case.state:
        faults.append(f"{case.reference}: ends {state}, but the case is {case.state}")
    return faults


def test_every_demo_case_replays_against_the_workflows_transitions():
    today = dt.date(2025, 6, 30)
    seed_demo(cases=600, today=today)
    events = Event.objects.select_related("stage").order_by("at", "pk")
    cases = Case.objects.prefetch_related(Prefetch("events", queryset=events))
    faults = [fault for case in cases for fault in _replay_faults(case)]
    assert faults == []
    assert Stage.objects.filter(level=2, investigating_officer__username="investigator").exists()
    assert Event.objects.filter(move="acknowledge", data__imported=True).exists()


def test_work_under_way_today_carries_on_from_the_history():
    from demo.council import DemoCouncil

    council = DemoCouncil(today=dt.date(2025, 6, 30))
    plans = (council.plan_case(n) for n in range(1, 20_000))
    drafts = [p for p in plans if p.draft_in_qa][:2]
    panels = [p for p in (council.plan_case(n) for n in range(20_000, 40_000)) if p.panel_date]
    council.write([*drafts, panels[0]])
    assert Case.objects.filter(state="awaiting_qa").count() == 2
    panel = Stage.objects.get(level=3)
    assert panel.panel_scheduled_for == panels[0].panel_date > dt.date(2025, 6, 30)
    assert panel.panel_members.count() == 3
    events = Event.objects.select_related("stage").order_by("at", "pk")
    for case in Case.objects.prefetch_related(Prefetch("events", queryset=events)):
        assert _replay_faults(case) == []


def test_the_demo_has_a_pool_and_its_stage_2s_their_appointments():
    from complaints.models import Appointment, PoolCheck, PoolMember

    today = dt.date(2025, 6, 30)
    seed_demo(cases=300, today=today)
    members = PoolMember.objects.all()
    assert members.count() >= 15
    assert members.filter(user__username__in=["investigator", "independent"]).count() == 2
    assert {m.engagement for m in members} == {"internal", "agency", "framework", "self_employed"}
    assert members.filter(conflicts__isnull=False).exists()
    assert members.filter(unavailable_until__gt=today).exists()
    assert members.filter(chairs_panels=True).count() >= 2
    assert PoolCheck.objects.filter(
        kind="dbs", expires_on__range=(today, today + dt.timedelta(days=31))
    ).exists()
    # The history's Stage 2s replayed with their investigators' appointments.
    assert Appointment.objects.filter(part="investigating_officer", stage__level=2).exists()
