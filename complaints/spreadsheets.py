"""What leaves the service as a spreadsheet: CSV and XLSX, safe to open.

A text cell beginning with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice, so a category named `=HYPERLINK("http://…"&A1,"Click")` would run when a
manager opens an export. Every export writes its cells through here:
- in CSV such a text gets a leading apostrophe, which spreadsheets read as "this is text";
- in XLSX it is stored as a text cell, which no spreadsheet evaluates.
Numbers stay numbers, negative ones included, and so does text that is only a number.
"""

import csv
import io
import re
from collections.abc import Iterable

from openpyxl.cell.cell import TYPE_STRING

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def is_formula_like(value) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def csv_cell(value):
    return "'" + value if is_formula_like(value) else value


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


def xlsx_append(sheet, row: Iterable) -> None:
    """Append a row to an openpyxl sheet; formula-like text is kept as text."""
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = TYPE_STRING
