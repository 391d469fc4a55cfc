import datetime as dt

from django.core.management.base import BaseCommand

from privacy import retention


class Command(BaseCommand):
    help = (
        "List the records past their retention period (a dry run), or anonymise them with "
        "--commit. Cases under a legal hold are listed and kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="Anonymise, not just list.")
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, help="Count as if today were YYYY-MM-DD."
        )

    def handle(self, *args, commit=False, date=None, **options):
        due = retention.anonymise_due(date, commit=commit)
        heading = "Anonymised" if commit else "Due for anonymising (dry run: nothing changed)"
        self.stdout.write(f"{heading} on {due.today:%-d %B %Y}:")
        for name, count in due.counts().items():
            if name != "date":
                self.stdout.write(f"  {name}: {count}")
        for case in due.cases[:50]:
            self.stdout.write(
                f"  {case.reference}  {case.get_kind_display():<22} ended "
                f"{case.ended_at:%-d %b %Y}"
            )
        if len(due.cases) > 50:
            self.stdout.write(f"  … and {len(due.cases) - 50} more cases")
        for case in due.held:
            self.stdout.write(
                f"  held: {case.reference} since {case.held_since}: {case.held_reason}"
            )
        if not commit and (due.cases or due.compliments or due.ombudsman_cases):
            self.stdout.write("Run again with --commit to anonymise them.")
