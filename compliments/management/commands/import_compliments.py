from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from complaints.errors import DomainError
from complaints.history_import import size_limit
from compliments import history_import


class Command(BaseCommand):
    help = (
        "Import a council's past compliments from a CSV or XLSX file laid out as the template "
        "(--template prints it). Writes nothing if any row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--dry-run", action="store_true", help="Check it; write nothing.")
        parser.add_argument("--as-user", help="The username they are recorded by.")
        parser.add_argument("--template", action="store_true", help="Print the template CSV.")

    def handle(self, *args, file=None, dry_run=False, as_user=None, template=False, **options):
        if template:
            self.stdout.write(history_import.template_csv(), ending="")
            return
        if not file or not Path(file).is_file():
            raise CommandError("Name the file to import, or use --template.")
        by = get_user_model().objects.filter(username=as_user).first() if as_user else None
        if as_user and by is None:
            raise CommandError(f"There is no user {as_user}.")
        with Path(file).open("rb") as f:
            data = f.read(size_limit() + 1)
        try:
            result = history_import.import_compliments(
                Path(file).name, data, by=by, dry_run=dry_run
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        for p in result.problems:
            self.stderr.write(f"Row {p.row}, {p.column or 'the compliment'}: {p.message}")
        if not result.ok:
            raise CommandError(f"{len(result.problems)} problem(s); nothing was imported.")
        verb = "checked; nothing was written" if dry_run else "imported"
        self.stdout.write(
            f"{result.rows} compliments {verb}: {result.created} new, {result.updated} updated."
        )
