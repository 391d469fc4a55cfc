"""reporting.tables: what the report's body keeps of a five-year table, and suppression."""

import itertools
from decimal import Decimal

import pytest

from complaints.periods import Period
from complaints.rounding import percent
from reporting.statistics import figures
from reporting.tables import (
    COUNT,
    MONEY,
    PERCENT,
    Row,
    Table,
    _sums,
    build,
    cell_kind,
    fewer_than,
    suppressed,
)


def test_the_body_keeps_the_latest_years_and_whole_pairs(council):
    years = figures([Period.year(2025), *Period.year(2025).years_before(4)])
    tables = build(years)
    assert tables["representations"].latest(3).columns == ["2025/26", "2024/25", "2023/24"]
    timeliness = tables["timeliness_statutory_1"].latest(3)
    assert timeliness.columns == ["2025/26", "%", "2024/25", "%", "2023/24", "%"]
    assert all(len(row.values) == 6 for row in timeliness.rows)
    assert tables["outcomes"].latest(1).columns == tables["outcomes"].columns  # not by period


def test_suppression_hides_the_percentage_beside_a_small_count(council):
    table = build(figures([Period.year(2025)]))["timeliness_statutory_1"]
    within = suppressed(table, 5).rows[1]
    assert within.values == ["fewer than 5", None]
    assert suppressed(table, 5).rows[-1].values[0] == table.rows[-1].values[0]  # the average


def _table(rows: dict[str, list], *, kinds=None, row_kinds=None) -> Table:
    width = len(next(iter(rows.values())))
    return Table(
        "t",
        "A table",
        "Category",
        [f"Year {i}" for i in range(width)],
        kinds or [COUNT] * width,
        [Row(label, list(values), total=label == "Total") for label, values in rows.items()],
        extra={"row_kinds": row_kinds or {}},
    )


def _what_a_reader_can_work_out(shown: Table, threshold: int) -> list[str]:
    """Try every value each hidden count could have, given what is shown and which rows add up
    to which: a hidden count that can have only one value is disclosed. So is a percentage
    shown in a period where a count is hidden."""
    disclosed = []
    for total, parts in _sums(shown):
        for column in range(len(shown.columns)):
            if shown.kinds[column] != COUNT:
                continue
            cells = {r: shown.rows[r].values[column] for r in parts}
            hidden = [r for r, v in cells.items() if isinstance(v, str)]
            whole = shown.rows[total].values[column]
            if not hidden or not isinstance(whole, int):
                continue
            left = whole - sum(v for v in cells.values() if isinstance(v, int))
            options = {
                r: range(1, threshold)
                if cells[r] == fewer_than(threshold)
                else range(threshold, left + 1)
                for r in hidden
            }
            possible = {r: set() for r in hidden}
            for combination in itertools.product(*options.values()):
                if sum(combination) == left:
                    for r, v in zip(options, combination, strict=True):
                        possible[r].add(v)
            disclosed += [
                f"{shown.key}: {shown.rows[r].label} in {shown.columns[column]} is "
                f"{possible[r].pop()}"
                for r in hidden
                if len(possible[r]) == 1
            ]
    for column in range(len(shown.columns)):
        if not any(isinstance(row.values[column], str) for row in shown.rows):
            continue
        disclosed += [
            f"{shown.key}: {row.label} in {shown.columns[column]} is shown"
            for row in shown.rows
            if cell_kind(shown, row, column) == PERCENT
            and shown.kinds[column] == COUNT
            and row.values[column] is not None
        ]
    return disclosed


def test_no_hidden_count_can_be_worked_out_from_its_total():
    original = _table(
        {"Upheld": [3, 2, 0], "Not upheld": [10, 3, 7], "Partly": [11, 8, 1], "Total": [24, 13, 8]}
    )

    shown = suppressed(original, 5)

    assert _what_a_reader_can_work_out(shown, 5) == []
    assert shown.rows[0].values[0] == "fewer than 5"  # 3, the primary
    assert shown.rows[1].values[0] == "withheld"  # 10, so that 24 - 10 - 11 is not 3
    assert shown.rows[2].values[0] == 11 and shown.rows[3].values == [24, 13, 8]
    assert shown.rows[2].values[2] == "fewer than 5"  # 1, and 7 stays: 8 - 7 = "1 or more"…


@pytest.mark.parametrize(
    "rows",
    [
        {"A": [1], "B": [1], "C": [9], "Total": [11]},  # two hidden that must both be 1
        {"A": [4], "B": [4], "C": [9], "Total": [17]},  # two hidden that must both be 4
        {"A": [2], "B": [0], "Total": [2]},  # the total itself is small
        {"A": [3], "B": [5], "Total": [8]},  # only one other to hide
        {"A": [1], "B": [2], "C": [3], "D": [20], "Total": [26]},
    ],
)
def test_suppression_holds_against_a_reader_who_tries_every_value(rows):
    original = _table(rows)
    assert _what_a_reader_can_work_out(suppressed(original, 5), 5) == []


def test_a_rate_beside_a_hidden_count_is_hidden_with_it():
    original = _table(
        {"Decided": [3], "Upheld": [3], "Uphold rate (%)": [100], "Total": [3]},
        row_kinds={"uphold-rate": PERCENT},
    )
    original.rows[2].key = "uphold-rate"

    shown = suppressed(original, 5)

    assert shown.rows[2].values == [None]


def test_a_band_cannot_be_worked_out_from_the_stages_completed():
    # 12 completed, 11 within the target: "fewer than 5" over it would be 12 - 11 = 1.
    table = Table(
        "timeliness",
        "Timeliness",
        "Working days",
        ["2025/26"],
        [COUNT],
        [
            Row("Completed", [12], key="completed"),
            Row("Within 50 working days", [11], key="within_target"),
            Row("Over 50 working days", [1], key="beyond_maximum"),
            Row("Of which extended", [10], key="extended"),
        ],
        extra={"adds_up": {"completed": ["within_target", "beyond_maximum"]}},
    )

    shown = suppressed(table, 5)

    assert [row.values[0] for row in shown.rows] == [12, "withheld", "fewer than 5", 10]


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_nothing_hidden_in_any_table_of_the_report_can_be_worked_out(council, threshold):
    period = Period.year(2025)
    tables = build(figures([period, *period.years_before(2)]))

    disclosed = [
        found
        for table in tables.values()
        for found in _what_a_reader_can_work_out(suppressed(table, threshold), threshold)
    ]

    assert disclosed == []


def test_the_report_groups_categories_as_the_council_publishes_them(council):
    from reporting.annual_report import count_tables
    from reporting.models import ReportGrouping

    before = count_tables(2025)["customer_groups"]
    ReportGrouping.objects.create(
        table="customer_groups", label="Parents and carers", members="Parent\nGrandparent\n"
    )

    after = count_tables(2025)["customer_groups"]

    parent, grandparent = before.value("parent"), before.value("grandparent")
    assert after.value("parents-and-carers") == parent + grandparent
    assert after.row("parent") is None and after.row("grandparent") is None
    assert after.value("total") == before.value("total")
    assert "Parents and carers: Parent, Grandparent." in after.note
    # What was recorded is untouched: the statistics still count each category.
    assert figures([Period.year(2025)])[0].statutory.relationships["Parent"] == parent


def test_who_complained_and_how_print_a_percentage_beside_each_count(council):
    year = figures([Period.year(2025)])[0]
    tables = build([year])
    complaints = sum(year.statutory.relationships.values())
    parents = year.statutory.relationships["Parent"]

    groups = tables["customer_groups"]
    assert groups.columns == ["2025/26", "%"]
    assert groups.value("parent") == parents
    assert groups.value("parent", 1) == percent(parents, complaints)
    assert tables["routes"].value("mp", 1) == percent(year.statutory.routes["mp"], complaints)
    children = tables["advocacy"].rows[0]
    assert children.values == [1, percent(1, complaints)]


def test_the_cost_beside_a_hidden_count_is_hidden_with_it():
    # One costed investigation in an area: its cost is near enough one person's fee.
    table = Table(
        "costs_by_area",
        "Costs by service area",
        "Service area",
        ["Stage 2 investigations", "Their cost (£)"],
        [COUNT, MONEY],
        [
            Row("Fostering", [1, Decimal("2450.00")]),
            Row("Children in Care", [3, Decimal("5100.00")]),
            Row("Early Help", [9, Decimal("8000.00")]),
            Row("Total", [13, Decimal("15550.00")], True),
        ],
    )

    shown = suppressed(table, 5)

    assert [row.values for row in shown.rows[:2]] == [
        ["fewer than 5", None],
        ["fewer than 5", None],
    ]
    assert shown.rows[2].values == [9, Decimal("8000.00")]
