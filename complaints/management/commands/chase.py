import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from complaints import chasing


class Command(BaseCommand):
    help = "Run the daily chase now, without Celery: queue what has come due and send it."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, queue nothing.")
        parser.add_argument("--date", help="Chase as on this day (YYYY-MM-DD); default today.")

    def handle(self, *args, dry_run=False, date=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        outcome = chasing.run(day, dry_run=dry_run)
        if outcome.skipped_reason:
            self.stdout.write(outcome.skipped_reason)
            return
        if dry_run:
            for note in outcome.planned:
                self.stdout.write(f"{note.key}: {note.subject} -> {', '.join(note.to)}")
            self.stdout.write(f"{len(outcome.planned)} chase(s) would be queued.")
            return
        self.stdout.write(
            f"Chase for {outcome.for_date:%-d %B %Y}: {outcome.queued} queued, "
            f"{outcome.sent} sent, {outcome.failed} failed."
        )
