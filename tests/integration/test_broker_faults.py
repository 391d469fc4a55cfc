"""What the infrastructure does under a frozen, stopped or restarted broker, with a real
redis-server and a real Celery worker process."""

import datetime as dt
import time

import pytest
from django.db import connection
from freezegun import freeze_time

from complaints import workflow
from complaints.models import Case, ChaseRun, Notification
from tests.integration.conftest import sent_mail, wait_for
from tests.integration.test_celery_chasing import CHASE_DAY, council  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def allocated(build, team, officer):
    """Four cases accepted and waiting to be allocated, the outbox empty."""
    with freeze_time(dt.date(2025, 6, 2)):
        cases = [build.log(service_area=team.service) for _ in range(4)]
        for case in cases:
            build.accept(case)
    Notification.objects.all().delete()
    return cases


def test_a_frozen_broker_holds_a_move_for_a_second_and_its_message_goes_out_later(
    allocated, team, officer, redis_server, broker, start_worker, mail_dir, caplog
):
    start_worker()
    redis_server.freeze()
    try:
        started = time.monotonic()
        workflow.allocate(allocated[0], by=officer, team=team)  # commits, then hands off
        took = time.monotonic() - started
        note = Notification.objects.get(rule__code="allocated")
        assert note.status == Notification.Status.PENDING
        assert "did not answer within 1 s" in caplog.text
    finally:
        redis_server.thaw()
    # Before the bound, the request waited on the broker's reply for as long as it was frozen.
    assert took < 5

    broker.send_task("complaints.tasks.deliver_notifications")  # what beat sends every 5 min
    wait_for(lambda: not Notification.objects.filter(status="pending").exists(), what="sending")
    time.sleep(2)  # a late hand-off from the frozen minute may still arrive: it sends nothing
    keys = [m["X-Complaints-Key"] for m in sent_mail(mail_dir)]
    assert keys == [note.key]


def test_a_move_with_no_one_named_reaches_the_complaints_team(
    build, team, officer, settings, broker, start_worker, mail_dir
):
    """*Draft submitted* goes to the case officer; the demo has cases with none."""
    start_worker()
    case = build.case(Case.State.IN_PROGRESS, service_area=team.service)
    build.record_findings(case)
    Case.objects.filter(pk=case.pk).update(officer=None)
    case.refresh_from_db()
    workflow.submit_for_qa(case, by=officer)

    def drafted():
        return [m for m in sent_mail(mail_dir) if "quality check" in m["Subject"]]

    (message,) = wait_for(drafted, what="the draft-submitted message")
    assert message["To"] == settings.COMPLAINTS_TEAM_EMAIL
    assert "No case officer on the case, so this came to the team." in message.get_payload()


def test_overlapping_chase_runs_report_each_row_once(council, broker, start_worker):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("overlapping runs need PostgreSQL's concurrent writers")
    start_worker(threads=4)
    for _ in range(4):
        broker.send_task("complaints.tasks.chase", args=[CHASE_DAY])
    wait_for(
        lambda: ChaseRun.objects.filter(finished_at__isnull=False).count() >= 4,
        what="four chase runs",
    )
    queued = sum(ChaseRun.objects.values_list("queued", flat=True))
    assert queued == Notification.objects.count() > 0
