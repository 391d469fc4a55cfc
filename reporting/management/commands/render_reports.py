"""Make the annual report PDFs still waiting, e.g. queued while the broker was down:

    python manage.py render_reports

The periodic task `reporting.tasks.render_waiting` does the same every five minutes.
"""

from django.core.management.base import BaseCommand

from reporting.tasks import render_waiting


class Command(BaseCommand):
    help = "Make the annual report PDFs waiting to be made."

    def handle(self, *args, **options):
        made = render_waiting()
        self.stdout.write(f"Made {made} PDF{'s' if made != 1 else ''}.")
