"""Figures a council published for years before its cases were kept here (PublishedFigure),
read into the tables for those years, so the report's and the dashboard's trends, and "up or
down on last year", start from the first year the council published.

Where a year's figures were published for a table, they stand for that year in that table,
over whatever few cases of the year were brought in (a year with one stray case would
otherwise compare as "up 21000% on 1"). The column takes them by row key (a category's label
slugified, as the row keys are); its Total is their sum unless one was published; the
percentages beside them are left blank.
"""

import csv
import io

from django.db import transaction
from django.utils.text import slugify

from complaints.errors import DomainError
from complaints.periods import Period
from reporting.models import PublishedFigure
from reporting.tables import COUNT, Row, Table


def years_published(first: int, last: int) -> set[int]:
    return set(
        PublishedFigure.objects.filter(year__range=(first, last)).values_list("year", flat=True)
    )


def with_published(tables: dict[str, Table], years: list[int]) -> None:
    """Fill, in place, the columns of `years` with what was published for them."""
    published = {}
    for figure in PublishedFigure.objects.filter(year__in=years):
        published.setdefault((figure.table, figure.year), {})[slugify(figure.row)] = figure.value
    for (key, year), values in published.items():
        table = tables.get(key)
        if table is None:
            continue
        label = Period.year(year).label
        if label not in table.columns:
            continue
        _fill(table, table.columns.index(label), values)


def _fill(table: Table, column: int, values: dict[str, int]) -> None:
    paired = table.extra.get("columns_per_period") == 2
    known = {r.key for r in table.rows}
    total = next((r for r in table.rows if r.total), None)
    for key in values:
        if key not in known and key != "total":
            row = Row(
                key.replace("-", " ").capitalize(),
                [0 if k == COUNT else None for k in table.kinds],
                key=key,
            )
            table.rows.insert(len(table.rows) - (1 if total else 0), row)
    for row in table.rows:
        if row.total:
            continue
        row.values[column] = values.get(row.key, 0)
        if paired and column + 1 < len(row.values):
            row.values[column + 1] = None
    if total is not None:
        total.values[column] = values.get(
            "total", sum(r.values[column] for r in table.rows if not r.total)
        )


@transaction.atomic
def load_csv(text: str, *, source: str = "", tables: dict[str, Table] | None = None) -> int:
    """Published figures from a CSV of year,table,row,value (one figure a line); replaces any
    for the same year, table and row. DomainError names the first bad line, and a table not
    among `tables` (the report's, if given)."""
    reader = csv.DictReader(io.StringIO(text))
    if set(reader.fieldnames or []) < {"year", "table", "row", "value"}:
        raise DomainError("The file needs the columns year, table, row and value.")
    count = 0
    for line, record in enumerate(reader, start=2):
        try:
            year, value = int(record["year"]), int(record["value"])
        except (TypeError, ValueError):
            raise DomainError(
                f"Line {line}: the year and the value must be whole numbers."
            ) from None
        if not 2000 <= year <= 2058 or not 0 <= value <= 10_000_000:
            raise DomainError(
                f"Line {line}: give a year from 2000 to 2058 and a count up to 10,000,000."
            )
        if not record["table"] or not record["row"]:
            raise DomainError(f"Line {line}: give the table and the row.")
        if len(record["table"].strip()) > 60 or len(record["row"].strip()) > 120:
            raise DomainError(f"Line {line}: a table's key or a row is too long.")
        if tables is not None and record["table"].strip() not in tables:
            raise DomainError(
                f"Line {line}: the report has no table “{record['table'].strip()}”; use a key "
                "from the list on this page."
            )
        PublishedFigure.objects.update_or_create(
            year=year,
            table=record["table"].strip(),
            row=record["row"].strip(),
            defaults={"value": value, "source": source},
        )
        count += 1
    return count
