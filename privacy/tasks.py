from celery import shared_task


@shared_task
def clear_sessions() -> None:
    """Expired sessions go daily: they hold what people searched for, names included."""
    from django.core.management import call_command

    call_command("clearsessions")


@shared_task
def anonymise_due() -> dict:
    """The scheduled retention run (beat: Sundays at 2am; see the admin's Periodic tasks)."""
    from privacy import retention

    done = retention.anonymise_due(commit=True)
    return done.counts()
