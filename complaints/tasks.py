"""Celery tasks. They take ids, do nothing themselves but call complaints.chasing, and are
queued only after the transaction that made their work commits."""

from celery import shared_task
from celery.signals import worker_ready

from complaints import chasing


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=900, max_retries=5)
def chase(for_date: str | None = None) -> dict:
    """The daily chase (beat runs it on weekday mornings; see the admin's Periodic tasks)."""
    import datetime as dt

    from django.utils import timezone

    day = dt.date.fromisoformat(for_date) if for_date else None
    if day is not None and day > timezone.localdate():
        # Chasing a future day would send reminders early and, each rule firing once, never
        # on the day they are due.
        raise ValueError(f"The chase cannot run for a day still to come ({day}).")
    outcome = chasing.run(day)
    return {
        "date": outcome.for_date.isoformat(),
        "queued": outcome.queued,
        "sent": outcome.sent,
        "failed": outcome.failed,
        "skipped": outcome.skipped_reason,
    }


# Acknowledged on receipt, unlike the other tasks: the outbox, not the broker, keeps what is
# still to send. A worker killed mid-run so leaves no task for the broker to hand back after its
# visibility timeout (an hour on Redis); the next worker to start sends the rest at once.
@shared_task(
    acks_late=False,
    autoretry_for=(Exception,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
)
def deliver_notifications(ids: list[int] | None = None) -> dict:
    """Send pending messages: those given, or the whole outbox (beat runs this every few
    minutes, which is what sends messages queued while the broker was down)."""
    sent, failed = chasing.deliver(ids)
    return {"sent": sent, "failed": failed}


@worker_ready.connect
def deliver_what_waits(**kwargs) -> None:
    """A worker that starts, perhaps in place of one killed mid-delivery, empties the outbox.
    Beside another delivery it sends nothing twice: it leaves alone the messages another worker
    has claimed (a killed worker's, until its claim lapses; see chasing.deliver)."""
    deliver_notifications.delay()


@shared_task(acks_late=True, time_limit=4 * 3600, soft_time_limit=4 * 3600 - 60)
def run_case_import(job_id: int) -> dict:
    """A history import from the browser (complaints.history_import.import_run)."""
    from complaints import history_import

    job = history_import.import_run(job_id)
    return {"job": job_id, "ran": job is not None}


@shared_task
def run_waiting_imports() -> int:
    """Imports queued while the broker was down, or left by a worker that died."""
    from complaints import history_import

    history_import.forget_old_jobs()
    waiting = history_import.imports_waiting()
    for job_id in waiting:
        run_case_import.delay(job_id)
    return len(waiting)
