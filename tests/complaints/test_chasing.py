"""The chase rules over working days, bank holidays, extensions and pauses, with time frozen.

The default rules (complaints/data/chase_rules.yaml) are the ones under test: a reminder three
working days before the Stage 1 service target, a chase the working day after it (copied to the
head of service), an escalation the working day after the statutory date.
"""

import datetime as dt
import threading

import pytest
from django.core import mail
from freezegun import freeze_time

from complaints import chasing, workflow
from complaints.models import (
    Case,
    ChaseRule,
    ExtensionReason,
    Level,
    Notification,
)
from complaints.workingdays import add_working_days, calendars

pytestmark = pytest.mark.django_db
D = dt.date
SERVICE_TARGET = D(2024, 12, 24)  # Christmas Eve; 25 and 26 December are bank holidays


def received_for_service_target(target: dt.date) -> dt.date:
    """The receipt date whose Stage 1 service target (8 working days) falls on `target`."""
    day = target
    while add_working_days(day, 8) != target:
        day -= dt.timedelta(days=1)
    return day


@pytest.fixture
def stage_1_case(build, head_of_service, team):
    received = received_for_service_target(SERVICE_TARGET)
    with freeze_time(received + dt.timedelta(days=1)):
        case = build.case(Case.State.IN_PROGRESS, received_on=received, service_area=team.service)
    deadline = case.current_stage.deadlines.get(step="respond")
    assert deadline.service_target_on == SERVICE_TARGET
    chasing.deliver()  # the allocation message, queued as the case was built
    mail.outbox.clear()
    return case


def chase_on(day: dt.date):
    with freeze_time(day):
        return chasing.run(day)


def keys(rule_code: str) -> list[str]:
    return list(Notification.objects.filter(rule__code=rule_code).values_list("key", flat=True))


def test_the_reminder_goes_three_working_days_before_the_service_target(stage_1_case):
    assert chase_on(D(2024, 12, 18)).queued == 0
    outcome = chase_on(D(2024, 12, 19))  # 19, 20, 23 Dec, then the target on the 24th
    assert outcome.queued == 1 and outcome.sent == 1
    (message,) = mail.outbox
    assert message.to == [stage_1_case.current_stage.team.manager.email]
    assert stage_1_case.reference in message.subject
    assert stage_1_case.complainant.name not in message.body  # the link is enough
    assert f"/cases/{stage_1_case.reference}/" in message.body


def test_the_service_target_chase_skips_christmas_and_copies_the_head_of_service(
    stage_1_case, head_of_service
):
    chase_on(D(2024, 12, 19))
    mail.outbox.clear()
    assert chase_on(D(2024, 12, 24)).queued == 0  # on the target day itself: not yet late
    for holiday in (D(2024, 12, 25), D(2024, 12, 26)):
        outcome = chase_on(holiday)
        assert "not a working day" in outcome.skipped_reason
        assert outcome.queued == 0
    outcome = chase_on(D(2024, 12, 27))
    assert outcome.queued == 1
    (message,) = mail.outbox
    assert message.cc == [head_of_service.email]
    assert "was due" in message.subject


def test_running_twice_on_the_same_day_sends_nothing_new(stage_1_case):
    first = chase_on(D(2024, 12, 27))
    second = chase_on(D(2024, 12, 27))
    assert first.queued >= 1
    assert (second.queued, second.sent) == (0, 0)
    assert len(mail.outbox) == first.sent


def test_a_reminder_is_not_sent_after_the_date_it_was_for(stage_1_case):
    """A case chased for the first time after its service target gets the chase, not a late
    reminder."""
    chase_on(D(2024, 12, 27))
    assert keys("stage1-reminder") == []
    assert len(keys("stage1-service-target")) == 1


def test_the_statutory_escalation_follows_an_extended_date(
    stage_1_case, officer, complaints_manager, senior_manager
):
    due = stage_1_case.current_stage.deadlines.get(step="respond")
    day_after = add_working_days(due.due_on, 1)
    extended = add_working_days(due.due_on, 5)
    with freeze_time(due.due_on):
        workflow.extend(
            stage_1_case,
            by=officer,
            new_due_on=extended,
            reason=ExtensionReason.objects.first(),
            informed_on=due.due_on,
        )
    chase_on(day_after)
    assert keys("statutory-date-passed") == []
    chase_on(add_working_days(extended, 1))
    (note,) = Notification.objects.filter(rule__code="statutory-date-passed")
    assert set(note.to) == {complaints_manager.email, senior_manager.email}
    assert f"{extended:%-d %b %Y}" in note.subject


def test_a_paused_case_is_not_chased_and_its_dates_move_on_resume(stage_1_case, officer):
    with freeze_time(D(2024, 12, 18)):
        workflow.pause(stage_1_case, by=officer, reason="Police investigation (reg 8).")
    assert chase_on(D(2024, 12, 19)).queued == 0
    assert chase_on(D(2024, 12, 27)).queued == 0
    with freeze_time(D(2025, 1, 6)):
        workflow.resume(stage_1_case, by=officer)
    target = stage_1_case.current_stage.deadlines.get(step="respond").service_target_on
    assert target > SERVICE_TARGET
    assert chase_on(add_working_days(target, 1)).queued >= 1
    assert len(keys("stage1-service-target")) == 1


@pytest.mark.parametrize("end", ["withdrawn", "awaiting_qa"])
def test_managers_are_not_chased_once_the_draft_is_in_or_the_case_withdrawn(
    end, stage_1_case, officer, build
):
    from complaints.models import WithdrawalReason

    with freeze_time(D(2024, 12, 18)):
        if end == "withdrawn":
            workflow.withdraw(stage_1_case, by=officer, reason=WithdrawalReason.objects.first())
        else:
            build.record_findings(stage_1_case)
            workflow.submit_for_qa(stage_1_case, by=officer)
    chase_on(D(2024, 12, 27))
    assert keys("stage1-reminder") == keys("stage1-service-target") == []


def test_stage_2_not_allocated_within_a_month_is_raised_once(build, complaints_manager):
    with freeze_time(D(2025, 3, 3)):
        case = build.case(Case.State.RESPONDED, received_on=D(2025, 2, 3))
        case = build.escalate(case)
    assert case.current_stage.level == Level.INVESTIGATION
    chase_on(D(2025, 4, 2))
    assert keys("stage2-not-allocated") == []
    chase_on(D(2025, 4, 3))
    chase_on(D(2025, 4, 4))
    assert len(keys("stage2-not-allocated")) == 1


def test_the_weekly_digest_goes_once_a_week_without_names(stage_1_case, senior_manager):
    chase_on(D(2024, 12, 16))
    chase_on(D(2024, 12, 17))
    chase_on(D(2024, 12, 23))
    digests = Notification.objects.filter(rule__code="weekly-digest").order_by("key")
    assert [n.key for n in digests] == [
        "digest:weekly-digest:2024-W51",
        "digest:weekly-digest:2024-W52",
    ]
    assert senior_manager.email in digests[0].to
    assert "Open cases: 1" in digests[0].body
    assert stage_1_case.complainant.name not in digests[0].body


def test_a_dry_run_lists_and_writes_nothing(stage_1_case):
    with freeze_time(D(2024, 12, 27)):
        outcome = chasing.run(D(2024, 12, 27), dry_run=True)
    assert {n.rule.code for n in outcome.planned} >= {"stage1-service-target"}
    assert not Notification.objects.filter(rule__trigger="deadline").exists()
    assert mail.outbox == []


def test_an_admin_edit_to_a_rule_applies_at_once(stage_1_case):
    ChaseRule.objects.filter(code="stage1-reminder").update(offset_working_days=-1)
    assert chase_on(D(2024, 12, 19)).queued == 0
    assert chase_on(D(2024, 12, 23)).queued == 1


def test_planning_costs_the_same_queries_for_few_or_many_cases(
    build, django_assert_max_num_queries
):
    counts = []
    for batch in (2, 10):
        with freeze_time(D(2025, 6, 2)):
            for _ in range(batch):
                build.case(Case.State.IN_PROGRESS, received_on=D(2025, 5, 1))
        with freeze_time(D(2025, 6, 30)):
            calendars.get("statutory")  # the holiday calendar is cached per process
            with django_assert_max_num_queries(40) as captured:
                planned = chasing.plan(D(2025, 6, 30))
        assert planned
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- moves and delivery -------------------------------------------------------------------


def test_allocation_emails_the_manager_and_copies_the_head_of_service_after_commit(
    build, officer, team, head_of_service, django_capture_on_commit_callbacks
):
    case = build.log(service_area=team.service)
    build.accept(case)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.allocate(case, by=officer, team=team)
        assert mail.outbox == []  # nothing leaves before the commit
    from reporting.statistics import figures_changed

    assert len([c for c in callbacks if c is not figures_changed]) == 1  # the one dispatch
    (message,) = mail.outbox
    assert message.to == [team.manager.email]
    assert message.cc == [head_of_service.email]
    note = Notification.objects.get(rule__code="allocated")
    assert note.status == Notification.Status.SENT
    assert note.case == case


def test_a_failed_send_is_retried_then_recorded_for_the_administrator(stage_1_case, settings):
    settings.EMAIL_BACKEND = "tests.complaints.failing_email.Backend"
    for _ in range(chasing.MAX_ATTEMPTS):
        chasing.deliver()
        chase_on(D(2024, 12, 27))
    note = Notification.objects.get(rule__code="stage1-service-target")
    assert note.status == Notification.Status.FAILED
    assert note.attempts == chasing.MAX_ATTEMPTS
    assert "SMTP server refused" in note.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    chasing.deliver()
    assert mail.outbox == []  # a failed message is not retried for ever


def test_the_case_timeline_shows_each_message_and_its_status(client, officer, stage_1_case):
    from django.urls import reverse

    chase_on(D(2024, 12, 27))
    client.force_login(officer)
    with freeze_time(D(2024, 12, 27)):
        page = client.get(reverse("case-timeline", args=[stage_1_case.reference])).content
    assert b"E-mail: Chase: " in page
    assert b"sent 27 Dec 2024" in page


def test_a_backend_without_copies_gets_a_message_per_recipient(
    build, officer, team, head_of_service, settings, django_capture_on_commit_callbacks
):
    """GOV.UK Notify takes no CC: the head of service's copy goes as a message of its own."""
    settings.EMAIL_NO_CC = True
    case = build.log(service_area=team.service)
    build.accept(case)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.allocate(case, by=officer, team=team)
    assert sorted((m.to, m.cc) for m in mail.outbox) == sorted(
        [([team.manager.email], []), ([head_of_service.email], [])]
    )


def test_the_service_target_follows_an_extension(stage_1_case, officer, client):
    """Extended by five working days, the internal target moves by the same five, so the
    manager is not told the draft is due on a day long before the extended date."""
    stage = stage_1_case.current_stage
    due = stage.deadlines.get(step="respond")
    extended = add_working_days(due.due_on, 5)
    with freeze_time(D(2024, 12, 18)):
        workflow.extend(
            stage_1_case, by=officer, new_due_on=extended, reason=ExtensionReason.objects.first()
        )
    due.refresh_from_db()
    assert due.service_target_on == add_working_days(SERVICE_TARGET, 5, "corporate")
    client.force_login(officer)
    page = client.get(f"/cases/{stage_1_case.reference}/").content.decode()
    assert "Internal target" in page and f"{due.service_target_on:%-d %b %Y}" in page
    assert chase_on(D(2024, 12, 19)).queued == 0  # no reminder for the old target
    assert chase_on(D(2024, 12, 27)).queued == 0  # nor a chase
    reminder_day = D(2024, 12, 30)  # three working days before the moved target
    assert add_working_days(reminder_day, 3, "corporate") == due.service_target_on
    assert chase_on(reminder_day).queued == 1
    (message,) = mail.outbox
    assert f"{due.service_target_on:%A %-d %B %Y}" in message.body
    assert "in 3 working days" in message.body


def test_a_date_in_another_year_shows_its_year(stage_1_case):
    """Subjects give a short date; the year is there whenever it is not this year's."""
    outcome = chase_on(D(2025, 1, 6))  # the chase for 24 Dec 2024, sent in January
    assert outcome.queued >= 1
    subjects = [m.subject for m in mail.outbox]
    assert any("24 Dec 2024" in s for s in subjects), subjects
    mail.outbox.clear()


def test_a_corporate_deadline_is_chased_on_the_corporate_calendar(build, officer):
    """Corporate timescales skip council closure days. A chase the working day after a
    corporate due date waits past a closure day, as the due date itself did."""
    from complaints.models import NonWorkingDay, Procedure

    ChaseRule.objects.create(
        code="corporate-late",
        name="Corporate response late",
        trigger=ChaseRule.Trigger.DEADLINE,
        procedure=Procedure.CORPORATE,
        step="respond",
        anchor=ChaseRule.Anchor.DUE,
        offset_working_days=1,
        to=["case_officer"],
        subject="{{ case.reference }} late",
        body="{{ link }}",
    )
    with freeze_time(D(2025, 6, 2)):
        case = build.log(received_on=D(2025, 6, 2), officer=officer)
        case = build.accept(case, procedure=Procedure.CORPORATE)
        workflow.acknowledge(case, by=officer, on=D(2025, 6, 2))
    due = case.current_stage.deadlines.get(step="respond").effective_due_on  # Mon 16 Jun
    closed = add_working_days(due, 1)  # Tue 17 Jun: the council is closed
    NonWorkingDay.objects.create(date=closed, kind=NonWorkingDay.Kind.CLOSURE, name="Training")
    calendars.invalidate()
    chase_on(closed)
    assert keys("corporate-late") == []  # the closure day is not a working day after it
    chase_on(add_working_days(closed, 1))
    assert len(keys("corporate-late")) == 1


def test_a_move_with_no_one_to_tell_goes_to_the_complaints_team_and_says_so(
    build, team, settings, caplog, django_capture_on_commit_callbacks
):
    """*Draft submitted* goes to the case officer; a case with none still reaches someone."""
    settings.COMPLAINTS_TEAM_EMAIL = "complaints-team@council.example"
    case = build.case(Case.State.IN_PROGRESS, service_area=team.service)
    build.record_findings(case)
    Case.objects.filter(pk=case.pk).update(officer=None)
    case.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_qa(case, by=build.officer)

    note = Notification.objects.get(rule__code="draft-submitted")
    assert note.to == ["complaints-team@council.example"]
    assert note.fallback == "No case officer on the case."
    assert note.body.startswith("No case officer on the case, so this came to the team.")
    (message,) = [m for m in mail.outbox if "quality check" in m.subject]
    assert message.to == ["complaints-team@council.example"]
    assert f"{note.key}: no named recipient, sent to the complaints team" in caplog.text
    assert case.reference not in caplog.text  # the log names the message, not the case


def test_a_move_with_its_recipient_does_not_fall_back(build, team, settings):
    settings.COMPLAINTS_TEAM_EMAIL = "complaints-team@council.example"
    case = build.case(Case.State.IN_PROGRESS, service_area=team.service)
    build.record_findings(case)
    Case.objects.filter(pk=case.pk).update(officer=build.officer)
    case.refresh_from_db()
    workflow.submit_for_qa(case, by=build.officer)
    note = Notification.objects.get(rule__code="draft-submitted")
    assert (note.to, note.fallback) == ([build.officer.email], "")


def _message(key: str) -> Notification:
    return Notification(key=key, subject="Chase", body="Chase", to=["a@example.org"])


def test_queue_counts_what_it_wrote_not_what_was_there():
    assert chasing.queue([_message("a")]) == 1
    assert chasing.queue([_message("a"), _message("b"), _message("c")]) == 2
    assert chasing.queue([_message("a"), _message("b")]) == 0
    assert chasing.queue([_message("a")]) == 0  # one row alone, skipped


def test_a_rule_naming_no_one_or_someone_unknown_does_not_stop_the_move(build, team):
    """Rules are edited in the admin: a typo or an empty list must not fail the move."""
    ChaseRule.objects.filter(code="draft-submitted").update(to=["officr"])
    ChaseRule.objects.filter(code="draft-returned").update(to=[])
    case = build.case(Case.State.IN_PROGRESS, service_area=team.service)
    build.record_findings(case)
    workflow.submit_for_qa(case, by=build.officer)
    note = Notification.objects.get(rule__code="draft-submitted")
    assert note.fallback == "No officr on the case."
    workflow.return_draft(case, by=build.officer, reason="Say what was done.")
    assert not Notification.objects.filter(rule__code="draft-returned").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_each_count_only_their_own_rows():
    """Four runs queueing the same 175 chases at once: 175 rows, and 175 reported in all."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent inserts; CI runs this with DATABASE_URL set")
    counts, errors, barrier = [], [], threading.Barrier(4)

    def run():
        try:
            with transaction.atomic():
                barrier.wait()
                counts.append(chasing.queue([_message(f"k{n}") for n in range(175)]))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.count() == 175
    assert sum(counts) == 175
