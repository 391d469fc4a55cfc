"""Bring in a council's past compliments from a spreadsheet (CSV or XLSX), one row per
compliment, as complaints.history_import brings in its cases and by the same rules: the file
refused whole if it cannot be read, every cell checked and each problem reported by row and
column, nothing written if any row has one, and a re-import updating the compliments it
brought in before (matched on the council's own reference), except one changed here since."""

from django.db import transaction

from complaints.history_import import (
    Column,
    FileRefused,
    Lookup,
    Problem,
    Result,
    RowChecker,
    read_rows,
)
from complaints.models import Channel, ServiceArea, Team
from complaints.signals import history_imported
from compliments.models import Compliment, ComplimentSource
from compliments.services import compliment_record

COLUMNS = [
    Column("reference", "The compliment's reference in the system it comes from", "", True),
    Column("received_on", "When it was received", "2023-05-02", True),
    Column("service_area", "The service area it praises, by name", "Safeguarding", True),
    Column("team", "The team, by name, if known"),
    Column("source", "Who it came from: a source's code or label", "parent", True),
    Column("channel", "How it came: a channel's code or label", "email", True),
    Column("summary", "What it said, in a line", "Thanked the social worker", True),
    Column("consent_to_publish", "yes if the annual report may quote it"),
    Column("extract", "The anonymised words the report may quote"),
]


def import_compliments(
    name: str, data: bytes, *, by, dry_run: bool = False, max_rows: int | None = None
) -> Result:
    """`max_rows`: the most a caller that waits for the answer (a web page) will take."""
    rows = read_rows(name, data, COLUMNS)
    if max_rows is not None and len(rows) > max_rows:
        raise FileRefused(
            f"The file has more than {max_rows:,} rows, more than this page imports at once: "
            "split it, for example one file per year."
        )
    result = Result(dry_run=dry_run, rows=len(rows))
    lookups = {
        "service areas": Lookup(ServiceArea.objects.all(), "name"),
        "teams": Lookup(Team.objects.select_related("service"), "name"),
        "sources": Lookup(ComplimentSource.objects.all(), "code", "label"),
        "channels": Lookup(Channel.objects.all(), "code", "label"),
    }
    records, seen = [], {}
    for number, raw in enumerate(rows, start=2):
        c = RowChecker(number, raw, lookups, result.problems)
        values = {
            "reference": c.text("reference", required=True, max_length=40),
            "received_on": c.date("received_on", required=True),
            "service_area": c.category("service_area", "service areas", required=True),
            "team": c.category("team", "teams"),
            "source": c.category("source", "sources", required=True),
            "channel": c.category("channel", "channels", required=True),
            "summary": c.text("summary", required=True, max_length=200),
            "consent_to_publish": c.yes("consent_to_publish"),
            "extract": c.text("extract", max_length=2000),
        }
        if values["consent_to_publish"] and not values["extract"]:
            c.problem("extract", "A compliment the report may quote needs its extract.")
        reference = values["reference"].lower()
        if reference in seen:
            c.problem("reference", f"This reference is also on row {seen[reference]}.")
        seen.setdefault(reference, number)
        records.append((number, values))
    if result.problems:
        return result
    with transaction.atomic():
        for number, values in records:
            reference = values.pop("reference")
            existing = Compliment.objects.filter(source_reference__iexact=reference).first()
            if existing is not None and existing.history.count() > 1:
                result.problems.append(
                    Problem(
                        number,
                        "reference",
                        "This compliment has been changed here since it was imported; change "
                        "it in the app, not by importing it again.",
                    )
                )
                continue
            if existing is not None:
                existing.delete()
            compliment = compliment_record(by=by, **values)
            Compliment.objects.filter(pk=compliment.pk).update(source_reference=reference)
            result.created += existing is None
            result.updated += existing is not None
        if dry_run or result.problems:
            transaction.set_rollback(True)
            return result
    history_imported.send(sender=Compliment)
    return result


def template_csv() -> str:
    from complaints.spreadsheets import csv_text

    return csv_text([c.name for c in COLUMNS], [[c.meaning for c in COLUMNS]])
