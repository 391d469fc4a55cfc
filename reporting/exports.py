"""Tables as files: CSV (one table) and XLSX (one table, or a workbook of them)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from complaints.spreadsheets import csv_text, xlsx_append
from reporting.tables import Table


def table_csv(table: Table) -> str:
    header, *rows = table.matrix()
    return csv_text(header, rows)


def tables_xlsx(tables: list[Table]) -> bytes:
    """A sheet per table, its title in the first row, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)
    used = set()
    for table in tables:
        name = table.key[:31]
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        xlsx_append(sheet, [table.title])
        sheet["A1"].font = Font(bold=True)
        for row in table.matrix():
            xlsx_append(sheet, [float(v) if hasattr(v, "as_tuple") else v for v in row])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 48
        if table.note:
            sheet.append([])
            xlsx_append(sheet, [table.note])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
