"""reporting.tables: what the report's body keeps of a five-year table, and suppression."""

from complaints.periods import Period
from reporting.statistics import figures
from reporting.tables import build, suppressed


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
