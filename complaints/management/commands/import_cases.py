from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from complaints import history_import
from complaints.errors import DomainError


class Command(BaseCommand):
    help = (
        "Import a council's past cases from a CSV or XLSX file laid out as the template "
        "(--template prints it). Writes nothing if any row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The CSV or XLSX file.")
        parser.add_argument("--dry-run", action="store_true", help="Check it; write nothing.")
        parser.add_argument("--as-user", help="The username the events are recorded under.")
        parser.add_argument("--template", action="store_true", help="Print the template CSV.")

    def handle(self, *args, file=None, dry_run=False, as_user=None, template=False, **options):
        if template:
            self.stdout.write(history_import.template_csv(), ending="")
            return
        if not file:
            raise CommandError("Name the file to import, or use --template.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        by = None
        if as_user:
            by = get_user_model().objects.filter(username=as_user).first()
            if by is None:
                raise CommandError(f"There is no user {as_user}.")
        with path.open("rb") as f:
            data = f.read(history_import.size_limit() + 1)
        try:
            result = history_import.import_cases(
                path.name, data, by=by, dry_run=dry_run, progress=self._progress
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        for p in result.problems:
            self.stderr.write(f"Row {p.row}, {p.column or 'the case'}: {p.message}")
        if not result.ok:
            raise CommandError(
                f"{len(result.problems)} problem(s) in {result.rows} rows; nothing was imported."
            )
        if dry_run:
            self.stdout.write(f"{result.rows} rows checked; no problems. Nothing was written.")
        else:
            self.stdout.write(
                f"{result.rows} rows imported: {result.created} new, {result.updated} updated."
            )

    def _progress(self, done: int, total: int) -> None:
        if done % 1000 == 0 or done == total:
            self.stderr.write(f"{done} of {total}")
