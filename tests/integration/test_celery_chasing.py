"""The chase through a real Redis and a real Celery worker process.

The council's cases are built as of December 2024 and chased as on 27 December 2024, the first
working day after the Stage 1 service targets of Christmas Eve.
"""

import datetime as dt
import time

import pytest
from django.db.models.functions import Now
from freezegun import freeze_time

from complaints import chasing, workflow
from complaints.models import Case, ChaseRun, Notification
from tests.complaints.test_chasing import SERVICE_TARGET, received_for_service_target
from tests.integration.conftest import sent_mail, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
CHASE_DAY = "2024-12-27"


@pytest.fixture
def council(build, team, head_of_service, complaints_manager, senior_manager):
    """Three Stage 1 complaints whose service target was Christmas Eve."""
    received = received_for_service_target(SERVICE_TARGET)
    with freeze_time(received + dt.timedelta(days=1)):
        cases = [
            build.case(Case.State.IN_PROGRESS, received_on=received, service_area=team.service)
            for _ in range(3)
        ]
    # The allocation e-mails were queued as the cases were built; they are not under test.
    Notification.objects.all().delete()
    return cases


def _chase_finished(runs: int):
    return ChaseRun.objects.filter(finished_at__isnull=False).count() >= runs


def test_the_worker_chases_once_and_a_second_run_sends_nothing(
    council, broker, start_worker, mail_dir
):
    start_worker()
    broker.send_task("complaints.tasks.chase", args=[CHASE_DAY])
    wait_for(lambda: _chase_finished(1), what="the first chase")
    first = sent_mail(mail_dir)
    chased = {m["Subject"] for m in first if m["Subject"].startswith("Chase:")}
    # The worker runs today, not in 2024, so the subject names the year.
    assert chased == {f"Chase: {c.reference} response was due 24 Dec 2024" for c in council}
    digest = [m for m in first if m["Subject"].startswith("Complaints this week")]
    assert len(digest) == 1
    assert Notification.objects.filter(status="sent").count() == len(first)

    broker.send_task("complaints.tasks.chase", args=[CHASE_DAY])
    wait_for(lambda: _chase_finished(2), what="the second chase")
    second_run = ChaseRun.objects.order_by("-started_at").first()
    assert (second_run.queued, second_run.sent) == (0, 0)
    assert len(sent_mail(mail_dir)) == len(first)


def test_messages_queued_while_redis_is_down_go_out_once_it_is_back(
    build, team, officer, head_of_service, redis_server, broker, start_worker, mail_dir
):
    start_worker()
    with freeze_time(dt.date(2025, 6, 2)):
        cases = [build.log(service_area=team.service) for _ in range(4)]
        for case in cases:
            build.accept(case)
    Notification.objects.all().delete()

    redis_server.stop()
    for case in cases:  # each allocation e-mails the manager, after its commit
        workflow.allocate(case, by=officer, team=team)
    pending = Notification.objects.filter(status="pending", rule__code="allocated")
    assert pending.count() == 4  # kept in the outbox, not lost with the queue
    assert sent_mail(mail_dir) == []

    redis_server.start()
    broker.send_task("complaints.tasks.deliver_notifications")  # what beat sends every 5 min
    wait_for(lambda: len(sent_mail(mail_dir)) >= 4, what="the outbox to be sent")
    wait_for(lambda: not pending.exists(), what="the outbox to be marked sent")
    keys = [m["X-Complaints-Key"] for m in sent_mail(mail_dir)]
    assert sorted(keys) == sorted(Notification.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 4


def test_a_worker_killed_mid_delivery_loses_nothing_and_doubles_nothing(
    council, broker, start_worker, mail_dir, monkeypatch
):
    # The workers hold what they claim for 10 s rather than 5 minutes.
    monkeypatch.setenv("OUTBOX_CLAIM_SECONDS", "10")
    worker = start_worker(email_backend="tests.integration.slow_email.Backend")
    broker.send_task("complaints.tasks.chase", args=[CHASE_DAY])
    wait_for(lambda: len(sent_mail(mail_dir)) >= 1, what="the first message")
    # Kill inside the next message's 0.4 s wait, not in the instant between a message being
    # handed over and marked sent: that one message is the only one that may go twice
    # (README, "Chasing"), and a busy machine can stretch that instant.
    time.sleep(0.15)
    worker.kill()
    total = Notification.objects.count()
    sent_before = len(sent_mail(mail_dir))
    assert 0 < sent_before < total  # killed part-way
    # What it had not sent is still its own until the claim lapses: no other delivery takes it.
    unsent = Notification.objects.filter(status="pending")
    assert unsent.exists()
    assert not unsent.filter(claimed_until__isnull=True).exists()
    assert chasing.deliver() == (0, 0)
    wait_for(lambda: not unsent.filter(claimed_until__gt=Now()).exists(), what="the claim")

    # The task in hand was acknowledged on receipt: nothing waits on the broker's visibility
    # timeout (an hour). The worker that starts next sends the rest without being asked.
    start_worker()
    wait_for(lambda: len(sent_mail(mail_dir)) >= total, what="the rest of the outbox")
    wait_for(
        lambda: not Notification.objects.filter(status="pending").exists(),
        what="every message marked sent",
    )
    keys = [m["X-Complaints-Key"] for m in sent_mail(mail_dir)]
    assert len(keys) == len(set(keys)) == total
