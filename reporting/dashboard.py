"""What the dashboard shows: its sections, and the tables the page, its downloads and the
statistics API all take from `dashboard_tables`, so that none of them can disagree."""

import datetime as dt
from typing import NamedTuple

from complaints.periods import Period, financial_year_start
from reporting.annual_report import count_tables
from reporting.counting import DEFAULT, Counting
from reporting.published import with_published
from reporting.statistics import Figures, recent_figures
from reporting.tables import Table, build

YEARS_ON_DASHBOARD = 3  # the period and the same period in the two years before

# What the dashboard shows, in order.
SECTIONS = [
    (
        "Representations",
        ["representations", "accepted_from", "quarterly_representations", "call_backs"],
    ),
    ("Complaints at each stage", ["complaints_by_stage", "quarterly_stages", "escalation"]),
    (
        "Timeliness",
        [
            "timeliness_statutory_1",
            "timeliness_statutory_2",
            "timeliness_statutory_3",
            "timeliness_corporate_1",
            "timeliness_corporate_2",
            "quarterly_timeliness",
            "days_to_appoint",
        ],
    ),
    (
        "Outcomes and findings",
        [
            "complaint_outcomes",
            "unable_to_proceed",
            "outcomes",
            "findings",
            "outcomes_stage_1",
            "outcome_sought",
        ],
    ),
    ("Nature of complaints", ["natures_statutory", "natures_corporate"]),
    (
        "Service areas and teams",
        [
            "service_areas",
            "teams",
            "later_stages_by_area",
            "later_stages_by_team",
            "natures_by_area",
        ],
    ),
    ("Escalation", ["escalation_reasons", "response_methods"]),
    (
        "Who complained and how",
        [
            "customer_groups",
            "routes",
            "channels",
            "customer_groups_corporate",
            "routes_corporate",
            "channels_corporate",
        ],
    ),
    ("Children and advocacy", ["advocacy"]),
    ("Costs of independent investigations and review panels", ["costs", "costs_by_area"]),
    ("The Ombudsman", ["ombudsman", "ombudsman_decisions"]),
    ("Compliments", ["compliments"]),
    ("Learning", ["learning"]),
]


class Dashboard(NamedTuple):
    figures: list[Figures]  # the period first, then the same period of the years before
    tables: dict[str, Table]
    counted_at: dt.datetime  # when the oldest of the figures was counted


def dashboard_tables(
    period: Period, area, *, recount: bool = False, counting: Counting = DEFAULT
) -> Dashboard:
    """The period against the same period of the years before, and its quarters, as recently
    counted (reporting.statistics.recent_figures)."""
    years = [period]
    for earlier in period.years_before(YEARS_ON_DASHBOARD - 1):
        if earlier.end >= years[-1].start:
            break  # a period of more than a year is compared with none that overlap it
        years.append(earlier)
    quarters = period.quarters()
    counted = recent_figures(
        [*years, *quarters], service_area=area, recount=recount, counting=counting
    )
    figs, by_quarter = counted[: len(years)], counted[len(years) :]
    tables = build(figs, by_quarter)
    if period == Period.year(period.start.year):  # a financial year: earlier ones as published
        with_published(tables, [f.period.start.year for f in figs[1:]])
    return Dashboard(figs, tables, min(f.counted_at for f in counted))


def recount(today: dt.date) -> None:
    """Count the whole council's dashboard for this financial year and the last, and the
    draft annual report for the last, so the pages most often opened never wait for counting
    (the periodic task "Recount the dashboard")."""
    this_year = financial_year_start(today).year
    for year in (this_year, this_year - 1):
        dashboard_tables(Period.year(year), None, recount=True)
    count_tables(this_year - 1, fresh=False)  # only its earliest year is not counted above
