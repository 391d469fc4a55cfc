from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaints.errors import DomainError
from reporting import published


class Command(BaseCommand):
    help = (
        "Load the figures a council published for years before its cases were kept here, from "
        "a CSV of year,table,row,value (e.g. 2022,representations,complaint,49)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", default="", help="Where they were published.")

    def handle(self, *args, file: str, source: str = "", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        try:
            count = published.load_csv(path.read_text(encoding="utf-8-sig"), source=source)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{count} published figures loaded.")
