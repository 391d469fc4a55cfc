"""The figures of reporting.statistics laid out as the tables the seed reports print.

One builder serves the dashboard, the annual report (body and appendix) and the XLSX and CSV
downloads, so a table reads the same wherever it appears. Year-on-year tables put the latest
period first, as the seeds do; quarterly tables run Q1 to Q4 with the year's total.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from complaints.models import (
    AdvocacyProvider,
    AgeBand,
    Case,
    Channel,
    Disability,
    Ethnicity,
    Finding,
    Gender,
    Level,
    Nature,
    Procedure,
    RefusalReason,
    Relationship,
    RemedyKind,
    SexualOrientation,
)
from complaints.rounding import average, percent
from compliments.models import ComplimentSource
from ombudsman.models import Decision
from reporting.counting import Basis, OnTimeBase
from reporting.statistics import (
    EQUALITY_FIELDS,
    NOT_RECORDED,
    OUTCOME_OF_COMPLAINT,
    PANEL_STEPS,
    Figures,
    Timeliness,
)

COUNT, PERCENT, DAYS, MONEY = "count", "percent", "days", "money"

STAGE_NAMES = {
    (Procedure.STATUTORY, Level.EARLY_RESOLUTION): "Stage 0 early resolution",
    (Procedure.STATUTORY, Level.LOCAL_RESOLUTION): "Stage 1 local resolution",
    (Procedure.STATUTORY, Level.INVESTIGATION): "Stage 2 independent investigation",
    (Procedure.STATUTORY, Level.REVIEW_PANEL): "Stage 3 review panel",
    (Procedure.CORPORATE, Level.LOCAL_RESOLUTION): "Corporate Stage 1",
    (Procedure.CORPORATE, Level.INVESTIGATION): "Corporate Stage 2",
}
EQUALITY_MODELS = {
    "age_band": AgeBand,
    "gender": Gender,
    "disability": Disability,
    "sexual_orientation": SexualOrientation,
    "ethnicity": Ethnicity,
}


@dataclass
class Row:
    label: str
    values: list
    total: bool = False
    # Case-list filters for the cases behind the row, in the first period (drill-down).
    drill: dict | None = None
    # What code and the API read the row by: set when the row is made, so a label reworded
    # later (a category renamed, a heading changed) never changes which figure is read.
    key: str = ""

    def __post_init__(self):
        if not self.key:
            self.key = "total" if self.total else slugify(self.label)


@dataclass
class Table:
    key: str
    title: str
    heading: str  # over the row labels
    columns: list[str]
    kinds: list[str]  # COUNT, PERCENT, DAYS or MONEY, per column
    rows: list[Row]
    note: str = ""
    chart: str = ""  # "bar" for a chart of the first column, "" for none
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        for row in data["rows"]:
            row["values"] = [_plain(v) for v in row["values"]]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Table":
        table = cls(**{**data, "rows": []})
        for row in data["rows"]:
            row = Row(**row)
            row.values = [
                Decimal(v) if isinstance(v, str) and cell_kind(table, row, i) != COUNT else v
                for i, v in enumerate(row.values)
            ]
            table.rows.append(row)
        return table

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def value(self, key: str, column: int = 0):
        """A figure by its row's key, never by its label or position."""
        row = self.row(key)
        return row.values[column] if row is not None else None

    def latest(self, periods: int) -> "Table":
        """The table with only its `periods` most recent periods, for the report's body (the
        appendix has them all). Tables whose columns are not periods are unchanged."""
        per = self.extra.get("columns_per_period", 1)
        if self.extra.get("not_by_period") or len(self.columns) <= periods * per:
            return self
        keep = periods * per
        table = Table.from_dict({**self.to_dict(), "rows": []})
        table.columns, table.kinds = self.columns[:keep], self.kinds[:keep]
        table.rows = [Row(r.label, r.values[:keep], r.total, r.drill, r.key) for r in self.rows]
        return table

    def matrix(self) -> list[list]:
        """Header row then data rows, as exports write them."""
        return [[self.heading, *self.columns]] + [[r.label, *r.values] for r in self.rows]


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


SHORT_STAGE_NAMES = {
    (Procedure.STATUTORY, Level.EARLY_RESOLUTION): "Stage 0",
    (Procedure.STATUTORY, Level.LOCAL_RESOLUTION): "Stage 1",
    (Procedure.STATUTORY, Level.INVESTIGATION): "Stage 2",
    (Procedure.STATUTORY, Level.REVIEW_PANEL): "Stage 3",
    (Procedure.CORPORATE, Level.LOCAL_RESOLUTION): "Corporate 1",
    (Procedure.CORPORATE, Level.INVESTIGATION): "Corporate 2",
}


def short_stage_name(procedure: str, level: int) -> str:
    return SHORT_STAGE_NAMES.get((procedure, level)) or stage_name(procedure, level)


def stage_name(procedure: str, level: int) -> str:
    return STAGE_NAMES.get(
        (procedure, level), f"{Procedure(procedure).label} {Level(level).label}"
    )


def _ordered(model, *counters: Iterable) -> list[str]:
    """A category list's labels in its own order: active ones always (a zero is a figure too),
    retired ones only where counted, then anything else counted (e.g. "Not recorded")."""
    counted = set().union(*[set(c) for c in counters])
    labels = [c.label for c in model.objects.all() if c.active or c.label in counted]
    return labels + sorted(counted - set(labels), key=lambda x: (x == NOT_RECORDED, x))


def _stage_keys(figs: Sequence[Figures]) -> list[tuple[str, int]]:
    seen = set()
    for f in figs:
        seen |= set(f.stages_requested) | set(f.stages_completed) | set(f.timeliness)
    return sorted(seen, key=lambda k: (k[0] != Procedure.STATUTORY, k[1]))


def _yearly(
    key, title, heading, figs, labels, value, *, total=True, drill=None, drop_empty=False, **extra
):
    """A year-on-year table: one row per label, one column per period; with `drop_empty`,
    none for a label counted in no period (long category lists)."""
    rows = [
        Row(label, [value(f, label) for f in figs], drill=drill(label) if drill else None)
        for label in labels
    ]
    if drop_empty:
        rows = [r for r in rows if any(r.values)]
    if total:
        rows.append(Row("Total", [sum(r.values[i] for r in rows) for i in range(len(figs))], True))
    return Table(
        key=key,
        title=title,
        heading=heading,
        columns=[f.period.label for f in figs],
        kinds=[COUNT] * len(figs),
        rows=rows,
        **extra,
    )


def build(
    figs: Sequence[Figures], quarters: Sequence[Figures] = (), groupings: Iterable = ()
) -> dict[str, Table]:
    """Every table, keyed by a stable name: figs[0] is the period reported on, the rest the
    years before it; `quarters` are its quarters, if it is a financial year. `groupings`
    (reporting.models.ReportGrouping) combine categories as the council publishes them."""
    now = figs[0]
    tables = [
        representations(figs),
        accepted_from(figs),
        refusals(figs),
        complaints_by_stage(figs),
        *timeliness_tables(figs),
        panel_steps(now),
        escalation(figs),
        complaint_outcomes(now),
        unable_to_proceed(now),
        outcomes(now),
        findings(now),
        outcomes_year_on_year(figs),
        natures(figs, Procedure.STATUTORY),
        natures(figs, Procedure.CORPORATE),
        findings_by_nature(now),
        service_areas(figs),
        teams(figs),
        later_stages_by_area(now),
        later_stages_by_team(now),
        escalation_reasons(now),
        response_methods(now),
        natures_by_area(now),
        customer_groups(figs),
        routes(figs),
        channels(figs),
        customer_groups(figs, Procedure.CORPORATE),
        routes(figs, Procedure.CORPORATE),
        channels(figs, Procedure.CORPORATE),
        advocacy(figs),
        call_backs(figs),
        *equality(figs),
        outcome_sought(now),
        remedies(figs),
        costs(figs),
        costs_by_area(now),
        days_to_appoint(figs),
        ombudsman(figs),
        ombudsman_decisions(figs),
        compliments(figs),
        compliment_sources(figs),
        learning(figs),
    ]
    if quarters:
        tables += quarterly(quarters)
    for table in tables:
        if table.key in _NOT_BY_PERIOD or table.key.startswith("quarterly_"):
            table.extra["not_by_period"] = True
    built = {t.key: t for t in tables}
    for grouping in groupings:
        if grouping.table in built:
            built[grouping.table] = grouped(
                built[grouping.table], grouping.label, grouping.member_labels
            )
    for key in SHARES_OF_TOTAL:
        built[key] = with_shares(built[key])
    return built


def grouped(table: Table, label: str, members: list[str]) -> Table:
    """One row, `label`, for the rows named `members`, summed where the first of them stood;
    percentages are worked out again from the counts."""
    names = {m.casefold() for m in members}
    inside = [r for r in table.rows if not r.total and r.label.casefold() in names]
    if not inside:
        return table
    values = []
    for i, kind in enumerate(table.kinds):
        parts = [r.values[i] for r in inside]
        values.append(
            sum(parts) if kind != PERCENT and all(isinstance(v, int) for v in parts) else None
        )
    combined = Row(label, values, key=slugify(label))
    at = table.rows.index(inside[0])
    rows = [r for r in table.rows if r not in inside]
    rows.insert(at, combined)
    copy = Table.from_dict({**table.to_dict(), "rows": []})
    copy.rows = rows
    copy.note = " ".join(
        filter(None, [table.note, f"{label}: {', '.join(r.label for r in inside)}."])
    )
    return copy


# Tables the seeds print with a percentage beside each count: of the column's total.
SHARES_OF_TOTAL = ["customer_groups", "customer_groups_corporate", "routes", "routes_corporate"]


def with_shares(table: Table) -> Table:
    """A count table with a percentage beside each count, of its column's Total."""
    if table.extra.get("columns_per_period") == 2:
        return table
    total = next((r for r in table.rows if r.total), None)
    if total is None:
        return table
    columns = [c for column in table.columns for c in (column, "%")]
    copy = Table.from_dict({**table.to_dict(), "rows": []})
    copy.columns, copy.kinds = columns, [COUNT, PERCENT] * len(table.columns)
    copy.extra = {**table.extra, "columns_per_period": 2}
    copy.rows = [
        Row(
            r.label,
            _flat(
                (v, None if r.total else percent(v, total.values[i]))
                for i, v in enumerate(r.values)
            ),
            r.total,
            r.drill,
            r.key,
        )
        for r in table.rows
    ]
    return copy


_NOT_BY_PERIOD = {
    "panel_steps",
    "costs_by_area",
    "later_stages_by_area",
    "later_stages_by_team",
    "escalation_reasons",
    "response_methods",
    "natures_by_area",
    "complaint_outcomes",
    "unable_to_proceed",
    "outcomes",
    "findings",
    "findings_by_nature",
    "outcome_sought",
}


# --- representations and stages --------------------------------------------------------------


def representations(figs):
    kinds = dict(Case.Kind.choices)
    table = _yearly(
        "representations",
        "Representations received, by kind",
        "Kind of representation",
        figs,
        list(kinds),
        lambda f, kind: f.representations[kind],
        drill=lambda kind: {"kind": kind},
        chart="bar",
    )
    for row in table.rows[:-1]:
        row.label = kinds[row.label]
    table.rows.insert(
        -1, Row("Compliments", [f.total_compliments for f in figs], key="compliments")
    )
    table.rows[-1].values = [
        a + b for a, b in zip(table.rows[-1].values, table.rows[-2].values, strict=True)
    ]
    table.note = (
        "Compliments are recorded separately from cases and are shown here for the whole picture."
    )
    return table


def accepted_from(figs):
    """How representations became complaints: a case concern or pre-complaint accepted at
    Stage 1 counts as a complaint from then on."""
    kinds = dict(Case.Kind.choices)
    table = _yearly(
        "accepted_from",
        "Complaints accepted, by what they came in as",
        "Came in as",
        figs,
        [k for k in kinds if any(f.accepted_from[k] for f in figs)],
        lambda f, kind: f.accepted_from[kind],
        drill=lambda kind: {"kind": kind, "accepted": "on"},
    )
    for row in table.rows[:-1]:
        row.label = kinds[row.label]
    return table


def refusals(figs):
    labels = _ordered(RefusalReason, *[f.refusals for f in figs])
    return _yearly(
        "refusals",
        "Complaints not accepted, by reason",
        "Reason",
        figs,
        labels,
        lambda f, label: f.refusals[label],
    )


def complaints_by_stage(figs):
    keys = _stage_keys(figs)
    rows = [
        Row(
            f"{stage_name(*key)}: received",
            [f.stages_requested[key] for f in figs],
            drill={"procedure": key[0], "requested_stage": key[1]},
            key=f"received_{key[0]}_{key[1]}",
        )
        for key in keys
    ]
    rows += [
        Row(
            f"{stage_name(*key)}: completed",
            [f.stages_completed[key] for f in figs],
            drill={"procedure": key[0], "responded_stage": key[1]},
            key=f"completed_{key[0]}_{key[1]}",
        )
        for key in keys
    ]
    rows += [
        Row(
            f"{stage_name(*key)}: withdrawn",
            [f.stages_withdrawn[key] for f in figs],
            key=f"withdrawn_{key[0]}_{key[1]}",
        )
        for key in keys
        if any(f.stages_withdrawn[key] for f in figs)
    ]
    rows.append(
        Row(
            "Ombudsman: enquiries received",
            [f.ombudsman.received for f in figs],
            key="ombudsman_received",
        )
    )
    return Table(
        "complaints_by_stage",
        "Complaints at each stage, and those the Ombudsman considered",
        "Stage",
        [f.period.label for f in figs],
        [COUNT] * len(figs),
        rows,
        note="A stage is counted when it was requested (received) and when its response was "
        "issued (completed), so a complaint can be received in one year and completed in the "
        "next.",
        chart="bar",
    )


def _paired(figs) -> tuple[list[str], list[str], dict]:
    """Columns of a count and its percentage for each period: labels, kinds and the extra
    that tells Table.latest two columns make one period."""
    columns = [label for f in figs for label in (f.period.label, "%")]
    return columns, [COUNT, PERCENT] * len(figs), {"columns_per_period": 2}


def _flat(pairs) -> list:
    return [value for pair in pairs for value in pair]


def timeliness_tables(figs):
    tables = []
    columns, kinds, extra = _paired(figs)
    for key in _stage_keys(figs):
        if key not in figs[0].timeliness:
            continue
        each = [f.timeliness[key] for f in figs]
        t0: Timeliness = each[0]
        bands = [(f"Within {t0.target_days} working days", "within_target")]
        if t0.max_days is not None:
            bands.append(
                (f"In {t0.target_days + 1} to {t0.max_days} working days", "within_maximum")
            )
            bands.append((f"Over {t0.max_days} working days", "beyond_maximum"))
        else:
            bands.append((f"Over {t0.target_days} working days", "beyond_maximum"))
        bands.append(("Of which extended", "extended"))

        def share(attr, each=each):
            return _flat((getattr(t, attr), t.share(getattr(t, attr))) for t in each)

        def alone(attr, each=each):
            return _flat((getattr(t, attr), None) for t in each)

        intake = figs[0].counting.basis == Basis.INTAKE
        rows = [
            Row("Completed", alone("completed"), key="completed"),
            *[Row(label, share(attr), key=attr) for label, attr in bands],
            Row(
                "Extended with the complainant's agreement",
                alone("extended_agreed"),
                key="extended_agreed",
            ),
            Row("Withdrawn", share("withdrawn"), key="withdrawn"),
            Row(
                "Not answered yet" if intake else "Ongoing at the period's end",
                alone("ongoing"),
                key="ongoing",
            ),
            Row("Average working days to respond", alone("average_days"), key="average_days"),
        ]
        base = OnTimeBase(figs[0].counting.on_time_base).label
        tables.append(
            Table(
                f"timeliness_{key[0]}_{key[1]}",
                f"Timeliness: {stage_name(*key)}",
                "Working days to respond",
                columns,
                kinds,
                rows,
                note=(
                    "Working days from the request to the council's response, less any time "
                    "the complaint was paused."
                    if key != (Procedure.STATUTORY, Level.REVIEW_PANEL)
                    else "Working days from the request to the council's response to the panel, "
                    "against the sum of the panel's steps (held, report, response)."
                )
                + f" Percentages are of {base}.",
                extra={
                    **extra,
                    "row_kinds": {"average_days": DAYS},
                    "adds_up": {"completed": [attr for _, attr in bands if attr != "extended"]},
                    "target_days": t0.target_days,
                    "max_days": t0.max_days,
                },
            )
        )
    return tables


def panel_steps(now: Figures):
    names = {
        "panel_held": "Panel held within its deadline",
        "panel_report": "Panel's report within its deadline",
        "council_response": "Council's response within its deadline",
    }
    rows = [
        Row(
            names[step],
            [now.panel_steps[step][0], now.panel_steps[step][1], percent(*now.panel_steps[step])],
        )
        for step in PANEL_STEPS
    ]
    return Table(
        "panel_steps",
        f"Stage 3 review panels, step by step, {now.period.label}",
        "Step",
        ["Met", "Measured", "%"],
        [COUNT, COUNT, PERCENT],
        rows,
    )


def escalation(figs):
    columns, kinds, extra = _paired(figs)
    rows = [
        Row(
            f"{stage_name(*key)} to the next stage",
            _flat((f.escalated[key], f.escalation_rate(*key)) for f in figs),
        )
        for key in _stage_keys(figs)
        if any(f.escalated[key] for f in figs)
    ]
    return Table(
        "escalation",
        "Escalation between stages",
        "Stage",
        columns,
        kinds,
        rows,
        note="Of the responses issued at a stage in the year, how many went on to the next stage.",
        extra=extra,
    )


def _groups():
    return [(g, label) for g, label in Finding.Group.choices]


def outcomes(now: Figures):
    keys = [k for k in _stage_keys([now]) if now.stages_completed[k]]
    rows = [
        Row(label, [now.outcomes[(*k, group)] for k in keys], key=group)
        for group, label in _groups()
    ]
    rows.append(
        Row("Total", [sum(now.outcomes[(*k, g)] for g, _ in _groups()) for k in keys], True)
    )
    return Table(
        "outcomes",
        f"Outcome of each complaint, by stage, {now.period.label}",
        "Outcome",
        [short_stage_name(*k) for k in keys],
        [COUNT] * len(keys),
        rows,
        note="Each complaint counted once per stage completed, by the stage's overall outcome.",
        chart="bar",
    )


def findings(now: Figures):
    keys = [k for k in _stage_keys([now]) if now.stages_completed[k]]
    rows = [
        Row(label, [now.findings[(*k, group)] for k in keys], key=group)
        for group, label in _groups()
    ]
    rows.append(
        Row("Total", [sum(now.findings[(*k, g)] for g, _ in _groups()) for k in keys], True)
    )
    return Table(
        "findings",
        f"Findings on each element of the complaints, by stage, {now.period.label}",
        "Finding",
        [short_stage_name(*k) for k in keys],
        [COUNT] * len(keys),
        rows,
        note="A complaint has one element for each matter in its statement of complaint.",
    )


def _procedures(counter: Counter) -> list[str]:
    """The procedures a (procedure, …) counter holds, statutory first, then "" (refused or not
    yet screened before a procedure was chosen)."""
    found = {key[0] for key, n in counter.items() if n}
    return [p for p in [*Procedure.values, ""] if p in found]


def _procedure_label(procedure: str) -> str:
    return Procedure(procedure).label if procedure else "Procedure not decided"


def complaint_outcomes(now: Figures):
    """What became of each complaint received, as Redcar, Bury and Lancashire publish it."""
    procedures = _procedures(now.complaint_outcomes) or [Procedure.STATUTORY]
    totals = {
        p: sum(n for (q, _), n in now.complaint_outcomes.items() if q == p) for p in procedures
    }
    rows = [
        Row(
            label,
            _flat(
                (
                    now.complaint_outcomes[(p, key)],
                    percent(now.complaint_outcomes[(p, key)], totals[p]),
                )
                for p in procedures
            ),
            key=key,
        )
        for key, label in OUTCOME_OF_COMPLAINT.items()
    ]
    rows = [r for r in rows if any(r.values)]
    rows.append(Row("Total", _flat((totals[p], None) for p in procedures), True))
    return Table(
        "complaint_outcomes",
        f"What became of the complaints received in {now.period.label}",
        "Outcome",
        [label for p in procedures for label in (_procedure_label(p), "%")],
        [COUNT, PERCENT] * len(procedures),
        rows,
        note="Each complaint received once, by the outcome of the stage that answered it "
        "(Stage 1, or Stage 0 if it went no further), as it stood when counted. A refused "
        "complaint could not proceed.",
        extra={"columns_per_period": 2},
    )


def unable_to_proceed(now: Figures):
    procedures = _procedures(now.unable_reasons) or [Procedure.STATUTORY]
    reasons = sorted({reason for (_, reason) in now.unable_reasons})
    rows = [
        Row(reason, [now.unable_reasons[(p, reason)] for p in procedures]) for reason in reasons
    ]
    rows.append(
        Row("Total", [sum(r.values[i] for r in rows) for i in range(len(procedures))], True)
    )
    return Table(
        "unable_to_proceed",
        f"Complaints that could not proceed, by reason, {now.period.label}",
        "Reason",
        [_procedure_label(p) for p in procedures],
        [COUNT] * len(procedures),
        rows,
    )


def outcomes_year_on_year(figs):
    key = (Procedure.STATUTORY, Level.LOCAL_RESOLUTION)
    table = _yearly(
        "outcomes_stage_1",
        f"Outcome of {stage_name(*key)} complaints, year on year",
        "Outcome",
        figs,
        [g for g, _ in _groups()],
        lambda f, g: f.outcomes[(*key, g)],
        drill=lambda g: {"procedure": key[0], "responded_stage": key[1], "outcome": g},
    )
    return _relabel(table, dict(_groups()))


def _relabel(table: Table, labels: dict) -> Table:
    for row in table.rows:
        row.label = labels.get(row.label, row.label)
    return table


def natures(figs, procedure):
    counted = [{label for (p, label) in f.natures if p == procedure} for f in figs]
    labels = _ordered(Nature, *counted)
    name = "Children Act" if procedure == Procedure.STATUTORY else "Corporate"
    return _yearly(
        f"natures_{procedure}",
        f"{name} complaints: nature of each element",
        "Nature",
        figs,
        labels,
        lambda f, label: f.natures[(procedure, label)],
        drill=lambda label: {"procedure": procedure, "nature": label},
        chart="bar" if procedure == Procedure.STATUTORY else "",
        drop_empty=True,
    )


def findings_by_nature(now: Figures):
    labels = sorted({nature for (_, nature, _) in now.findings_by_nature})
    groups = _groups()
    rows = [
        Row(
            nature,
            [
                sum(now.findings_by_nature[(lvl, nature, g)] for lvl in Level.values)
                for g, _ in groups
            ],
        )
        for nature in labels
    ]
    return Table(
        "findings_by_nature",
        f"Findings by nature of complaint, all stages, {now.period.label}",
        "Nature",
        [label for _, label in groups],
        [COUNT] * len(groups),
        rows,
    )


def service_areas(figs):
    labels = sorted({area for f in figs for (_, area) in f.service_areas})
    table = _yearly(
        "service_areas",
        "Complaints by service area",
        "Service area",
        figs,
        labels,
        lambda f, label: sum(n for (_, area), n in f.service_areas.items() if area == label),
        drill=lambda label: {"service_area": label, "joint": "on"},
        chart="bar",
    )
    joint = sum(figs[0].joint_complaints.values())
    if joint:
        which = "1 joint complaint" if joint == 1 else f"{joint} joint complaints"
        table.note = (
            f"{which} concerned more than one service area and {'is' if joint == 1 else 'are'} "
            "counted under each, so the total exceeds the number of complaints "
            f"({figs[0].total_complaints} in {figs[0].period.label})."
        )
    return table


def teams(figs):
    labels = sorted({team for f in figs for team in f.teams})
    return _yearly(
        "teams",
        "Complaints by the team that first responded",
        "Team (service area)",
        figs,
        labels,
        lambda f, label: f.teams[label],
    )


def _by_stage(now: Figures, counter: Counter, key: str, title: str, heading: str) -> Table:
    """A later stage's requests in the period, by one thing: a column per stage requested."""
    stages = sorted({(p, lv) for (p, lv, _) in counter}, key=lambda k: (k[0] != "statutory", k[1]))
    labels = sorted({label for (_, _, label) in counter}, key=lambda x: (x == NOT_RECORDED, x))
    rows = [Row(label, [counter[(*k, label)] for k in stages]) for label in labels]
    rows.append(
        Row("Total", [sum(counter[(*k, label)] for label in labels) for k in stages], True)
    )
    return Table(
        key,
        f"{title}, {now.period.label}",
        heading,
        [short_stage_name(*k) for k in stages],
        [COUNT] * len(stages),
        rows,
    )


def later_stages_by_area(now: Figures) -> Table:
    return _by_stage(
        now,
        now.stages_by_area,
        "later_stages_by_area",
        "Stage 2 and 3 requests by service area",
        "Service area",
    )


def later_stages_by_team(now: Figures) -> Table:
    return _by_stage(
        now, now.stages_by_team, "later_stages_by_team", "Stage 2 and 3 requests by team", "Team"
    )


def escalation_reasons(now: Figures) -> Table:
    return _by_stage(
        now,
        now.escalation_reasons,
        "escalation_reasons",
        "Why complainants asked for the next stage",
        "Main reason",
    )


def response_methods(now: Figures) -> Table:
    return _by_stage(
        now,
        now.response_methods,
        "response_methods",
        "How the stage before had been responded to",
        "Response",
    )


def natures_by_area(now: Figures) -> Table:
    """Children Act complaints' natures by service area: one column per service area."""
    counter = now.natures_by_area
    areas = sorted({a for (p, a, _) in counter if p == Procedure.STATUTORY})
    natures = sorted({n for (p, _, n) in counter if p == Procedure.STATUTORY})
    rows = [
        Row(nature, [counter[(Procedure.STATUTORY, a, nature)] for a in areas])
        for nature in natures
    ]
    rows.append(Row("Total", [sum(r.values[i] for r in rows) for i in range(len(areas))], True))
    return Table(
        "natures_by_area",
        f"Children Act complaints: nature of each element by service area, {now.period.label}",
        "Nature",
        areas,
        [COUNT] * len(areas),
        rows,
        note="A complaint has one element for each matter in its statement of complaint.",
    )


# The profile tables (who complained and how) count one procedure's complaints: the Children
# Act's under their own keys, the corporate procedure's under keys ending "_corporate".
PROFILE_NOTE = {
    Procedure.STATUTORY: "Children Act complaints, and those refused or not yet screened before "
    "either procedure was chosen.",
    Procedure.CORPORATE: "Complaints under the council's corporate procedure.",
}


def _profile_key(key: str, procedure: str) -> str:
    return key if procedure == Procedure.STATUTORY else f"{key}_{procedure}"


def _title(title: str, procedure: str) -> str:
    return title if procedure == Procedure.STATUTORY else f"{title}: corporate procedure"


def customer_groups(figs, procedure=Procedure.STATUTORY):
    labels = _ordered(Relationship, *[f.profiles[procedure].relationships for f in figs])
    return _yearly(
        _profile_key("customer_groups", procedure),
        _title("Who made complaints", procedure),
        "Complainant",
        figs,
        labels,
        lambda f, label: f.profiles[procedure].relationships[label],
        drill=lambda label: {"relationship": label, "procedure": procedure},
        chart="bar",
        note=PROFILE_NOTE[procedure],
    )


def routes(figs, procedure=Procedure.STATUTORY):
    return _relabel(
        _yearly(
            _profile_key("routes", procedure),
            _title("Complaints made directly or through an elected representative", procedure),
            "Route",
            figs,
            list(Case.Via.values),
            lambda f, via: f.profiles[procedure].routes[via],
            note=PROFILE_NOTE[procedure],
        ),
        dict(Case.Via.choices),
    )


def channels(figs, procedure=Procedure.STATUTORY):
    labels = _ordered(Channel, *[f.profiles[procedure].channels for f in figs])
    return _yearly(
        _profile_key("channels", procedure),
        _title("How complaints were made", procedure),
        "Channel",
        figs,
        labels,
        lambda f, label: f.profiles[procedure].channels[label],
        drop_empty=True,
        note=PROFILE_NOTE[procedure],
    )


def advocacy(figs):
    """Children's complaints as a share of all, and the take-up of advocacy as a share of the
    offers, as the seeds print them."""
    p = [f.statutory for f in figs]
    complaints = [sum(x.relationships.values()) for x in p]

    def of(values, bases):
        return _flat((v, percent(v, b)) for v, b in zip(values, bases, strict=True))

    offered = [x.advocacy_offered for x in p]
    rows = [
        Row(
            "Complaints made by a child or young person",
            of([x.from_children for x in p], complaints),
        ),
        Row(
            "Complaints made on a child's behalf",
            of([x.on_behalf_of_child for x in p], complaints),
        ),
        Row("Advocacy offered", _flat((v, None) for v in offered)),
        Row("Took up the offer", of([x.advocacy_accepted for x in p], offered)),
        Row("Referred to an advocate", of([x.advocacy_referred for x in p], offered)),
    ]
    for label in _ordered(AdvocacyProvider, *[x.advocacy_providers for x in p]):
        rows.append(
            Row(f"Advocate from: {label}", _flat((x.advocacy_providers[label], None) for x in p))
        )
    columns, kinds, extra = _paired(figs)
    return Table(
        "advocacy",
        "Children and young people's complaints, and advocacy",
        "",
        columns,
        kinds,
        rows,
        note="Percentages: of the Children Act complaints received for the first two rows; "
        "of the offers of advocacy for the take-up and referrals.",
        extra=extra,
    )


def call_backs(figs):
    """Call-back requests, what came of them, and how many became complaints (Isle of Wight
    §2.11-2.16): the share of those called back, not of those still waiting."""
    outcomes = Case.CallBackOutcome

    def converted(f):
        called = f.call_backs[outcomes.RESOLVED] + f.call_backs[outcomes.COMPLAINT]
        return percent(f.call_backs[outcomes.COMPLAINT], called)

    rows = [
        Row("Call-back requests", [sum(f.call_backs.values()) for f in figs]),
        Row("Resolved by the call-back", [f.call_backs[outcomes.RESOLVED] for f in figs]),
        Row("Became a complaint", [f.call_backs[outcomes.COMPLAINT] for f in figs]),
        Row("Awaiting the call-back", [f.call_backs[""] for f in figs]),
    ]
    table = Table(
        "call_backs",
        "Call-back requests and how many became complaints",
        "",
        [f.period.label for f in figs],
        [COUNT] * len(figs),
        rows,
    )
    rate = "Became a complaint (% of those called back)"
    table.rows.append(Row(rate, [converted(f) for f in figs], key="converted_percent"))
    table.extra["row_kinds"] = {"converted_percent": PERCENT}
    return table


def equality(figs):
    tables = []
    for name, title in EQUALITY_FIELDS.items():
        counters = [f.statutory.equality[name] for f in figs]
        labels = _ordered(EQUALITY_MODELS[name], *counters)
        table = _yearly(
            f"equality_{name}",
            f"Complainants: {title.lower()}",
            title,
            figs,
            labels,
            lambda f, label, name=name: f.statutory.equality[name][label],
            drop_empty=True,
            note=PROFILE_NOTE[Procedure.STATUTORY],
        )
        tables.append(table)
    return tables


def outcome_sought(now: Figures):
    sought = now.statutory.outcome_sought
    labels = _ordered(RemedyKind, sought, now.remedies)
    rows = [Row(label, [sought[label], now.remedies[label]]) for label in labels]
    rows = [r for r in rows if any(r.values)]
    return Table(
        "outcome_sought",
        f"Outcome sought and outcome provided, {now.period.label}",
        "Outcome",
        ["Sought by complainants", "Provided by the council"],
        [COUNT, COUNT],
        rows,
        note="Sought: per complaint received in the year. Provided: per remedy given by a "
        "response issued in the year. A complainant may seek, and be given, more than one.",
        chart="bar",
    )


def remedies(figs):
    labels = _ordered(RemedyKind, *[f.remedies for f in figs])
    table = _yearly(
        "remedies",
        "Remedies provided",
        "Remedy",
        figs,
        labels,
        lambda f, label: f.remedies[label],
        drop_empty=True,
    )
    table.rows.append(Row("Payments made", [f.payments_made for f in figs]))
    table.rows.append(Row("Total paid (£)", [f.payments for f in figs]))
    table.extra["row_kinds"] = {"Total paid (£)": MONEY}
    return table


def costs(figs):
    """What independence cost, year on year (complaints.costs, reporting.statistics): each
    stage's appointments, staff or external, and the fees from earlier records."""

    def split(name: str) -> list[Row]:
        return [
            Row(
                "of which external: agency, framework or self-employed (£)",
                [getattr(f, f"{name}_costs_external") for f in figs],
                key=f"{name}_costs_external",
            ),
            Row(
                "of which council staff (£)",
                [getattr(f, f"{name}_costs_internal") for f in figs],
                key=f"{name}_costs_internal",
            ),
            Row(
                "of which fees from earlier records (£)",
                [getattr(f, f"{name}_costs_imported") for f in figs],
                key=f"{name}_costs_imported",
            ),
        ]

    rows = [
        Row("Stage 2 investigations with costs recorded", [f.investigations_costed for f in figs]),
        Row(
            "Cost of Stage 2 investigations (£)",
            [f.investigation_costs for f in figs],
            key="investigation_costs",
        ),
        *split("investigation"),
        Row(
            "Average per investigation (£)",
            [_money_average(f.investigation_costs, f.investigations_costed) for f in figs],
            key="investigation_average",
        ),
        Row("Stage 3 review panels with costs recorded", [f.panels_costed for f in figs]),
        Row("Cost of Stage 3 review panels (£)", [f.panel_costs for f in figs], key="panel_costs"),
        *split("panel"),
        Row(
            "Average per panel (£)",
            [_money_average(f.panel_costs, f.panels_costed) for f in figs],
            key="panel_average",
        ),
    ]
    money = [r.key for r in rows if r.label.endswith("(£)")]
    return Table(
        "costs",
        "Costs of independent investigations and review panels",
        "",
        [f.period.label for f in figs],
        [COUNT] * len(figs),
        rows,
        note="A stage is counted in the year its response was issued. An appointment costs "
        "its approved invoices once one is approved, else the time recorded at the rate "
        "agreed, plus expenses. Payments to complainants are under remedies, not here.",
        extra={"row_kinds": dict.fromkeys(money, MONEY)},
    )


def costs_by_area(now: Figures):
    """The year's costs by the service area complained about, as councils publish them."""
    areas = sorted(
        set(now.investigation_costs_by_area) | set(now.panel_costs_by_area),
        key=lambda x: (x == NOT_RECORDED, x),
    )
    rows = [
        Row(
            area,
            [
                now.investigations_costed_by_area[area],
                now.investigation_costs_by_area.get(area, Decimal("0.00")),
                now.panels_costed_by_area[area],
                now.panel_costs_by_area.get(area, Decimal("0.00")),
            ],
        )
        for area in areas
    ]
    rows.append(
        Row(
            "Total",
            [
                now.investigations_costed,
                now.investigation_costs,
                now.panels_costed,
                now.panel_costs,
            ],
            True,
        )
    )
    return Table(
        "costs_by_area",
        f"Costs of independent investigations and review panels by service area, "
        f"{now.period.label}",
        "Service area",
        ["Stage 2 investigations", "Their cost (£)", "Stage 3 panels", "Their cost (£)"],
        [COUNT, MONEY, COUNT, MONEY],
        rows,
    )


def days_to_appoint(figs):
    """The delay Redcar & Cleveland reported: how long Stage 2 waits for its investigator."""
    return Table(
        "days_to_appoint",
        "Appointing the Stage 2 investigating officer",
        "",
        [f.period.label for f in figs],
        [COUNT] * len(figs),
        [
            Row(
                "Investigating officers appointed",
                [f.appointments_made for f in figs],
                key="appointments_made",
            ),
            Row(
                "Average working days from Stage 2 request to appointing the investigating "
                "officer",
                [f.average_days_to_appoint for f in figs],
                key="average_days_to_appoint",
            ),
        ],
        note="Counted when the first investigating officer is appointed from the pool; a "
        "reassignment does not count again.",
        extra={"row_kinds": {"average_days_to_appoint": DAYS}},
    )


def _money_average(total: Decimal, count: int):
    return (total / count).quantize(Decimal("0.01")) if count else None


def ombudsman(figs):
    o = [f.ombudsman for f in figs]
    rows = [
        Row("Enquiries received", [x.received for x in o]),
        Row("Decisions made", [x.decided for x in o], key="decided"),
        Row(
            "Decisions on the enquiries received in the period",
            [x.decided_of_received for x in o],
            key="decided_of_received",
        ),
        Row("Investigated in detail", [x.investigated for x in o]),
        Row("Upheld", [x.upheld for x in o]),
        Row("Uphold rate (%)", [x.uphold_rate for x in o], key="uphold_rate"),
        Row("Recommendations complied with on time (%)", [x.compliance_rate for x in o]),
        Row("Upheld where the council had already remedied (%)", [x.remedied_share for x in o]),
        Row("Payments recommended (£)", [x.payments for x in o]),
        Row("Service improvements recommended", [x.learning_identified for x in o]),
    ]
    return Table(
        "ombudsman",
        "The Local Government and Social Care Ombudsman",
        "",
        [f.period.label for f in figs],
        [COUNT] * len(figs),
        rows,
        note="Counted as the Ombudsman's annual review letter counts them: enquiries by the date "
        "received, decisions by the date decided, so the two differ.",
        extra={
            "row_kinds": {
                "Uphold rate (%)": PERCENT,
                "Recommendations complied with on time (%)": PERCENT,
                "Upheld where the council had already remedied (%)": PERCENT,
                "Payments recommended (£)": MONEY,
            }
        },
    )


def ombudsman_decisions(figs):
    return _relabel(
        _yearly(
            "ombudsman_decisions",
            "The Ombudsman's decisions",
            "Decision",
            figs,
            list(Decision.Group.values),
            lambda f, g: f.ombudsman.decided_by_group.get(g, 0),
        ),
        dict(Decision.Group.choices),
    )


def compliments(figs):
    labels = sorted({area for f in figs for area in f.compliments})
    return _yearly(
        "compliments",
        "Compliments, by service area",
        "Service area",
        figs,
        labels,
        lambda f, label: f.compliments[label],
        chart="bar",
    )


def compliment_sources(figs):
    labels = _ordered(ComplimentSource, *[f.compliment_sources for f in figs])
    return _yearly(
        "compliment_sources",
        "Compliments, by who gave them",
        "From",
        figs,
        labels,
        lambda f, label: f.compliment_sources[label],
        drop_empty=True,
    )


def learning(figs):
    rows = [
        Row("Lessons-learnt forms owed", [f.lessons.owed for f in figs]),
        Row("Returned", [f.lessons.returned for f in figs]),
        Row("Returned on time", [f.lessons.returned_on_time for f in figs]),
        Row("Return rate (%)", [f.lessons.percent for f in figs]),
        Row("Actions agreed", [f.actions_agreed for f in figs]),
        Row("Actions completed", [f.actions_completed for f in figs]),
        Row(
            "Of the actions agreed in the period: done by its end",
            [f.actions_progress["done"] for f in figs],
            key="agreed_done",
        ),
        Row(
            "… still open, not yet due",
            [f.actions_progress["open"] for f in figs],
            key="agreed_open",
        ),
        Row("… overdue", [f.actions_progress["overdue"] for f in figs], key="agreed_overdue"),
        Row(
            "Of the actions agreed the year before: done by the period's end",
            [f.actions_progress["earlier_done"] for f in figs],
            key="earlier_done",
        ),
        Row(
            "… still open at its end",
            [f.actions_progress["earlier_open"] for f in figs],
            key="earlier_open",
        ),
    ]
    return Table(
        "learning",
        "Learning from complaints",
        "",
        [f.period.label for f in figs],
        [COUNT] * len(figs),
        rows,
        extra={"row_kinds": {"Return rate (%)": PERCENT}},
    )


def quarterly(quarters: Sequence[Figures]) -> list[Table]:
    """The year quarter by quarter, with its total."""
    columns = [f"Q{i}" for i in range(1, len(quarters) + 1)] + ["Year"]

    def table(key, title, heading, labelled_rows):
        rows = [
            Row(label, [*values, sum(v for v in values if v is not None)])
            for label, values in labelled_rows
        ]
        return Table(key, title, heading, columns, [COUNT] * len(columns), rows)

    kinds = dict(Case.Kind.choices)
    stage_keys = _stage_keys(quarters)
    stage1 = (Procedure.STATUTORY, Level.LOCAL_RESOLUTION)
    t1 = [q.timeliness.get(stage1, Timeliness()) for q in quarters]
    within = table(
        "quarterly_timeliness",
        f"{stage_name(*stage1)}: responses within {t1[0].target_days} working days, by quarter",
        "",
        [
            ("Completed", [t.completed for t in t1]),
            ("Within the target", [t.within_target for t in t1]),
        ],
    )
    within.rows.append(
        Row(
            "Within the target (%)",
            [t.within_target_percent for t in t1]
            + [percent(sum(t.within_target for t in t1), sum(t.completed for t in t1))],
        )
    )
    within.rows.append(
        Row(
            "Average working days",
            [t.average_days for t in t1]
            + [average(sum(t.total_days for t in t1), sum(t.completed for t in t1))],
        )
    )
    within.extra["row_kinds"] = {"Within the target (%)": PERCENT, "Average working days": DAYS}
    return [
        table(
            "quarterly_representations",
            "Representations received, by quarter",
            "Kind",
            [(kinds[k], [q.representations[k] for q in quarters]) for k in kinds]
            + [("Compliments", [q.total_compliments for q in quarters])],
        ),
        table(
            "quarterly_stages",
            "Complaints received at each stage, by quarter",
            "Stage",
            [(stage_name(*k), [q.stages_requested[k] for q in quarters]) for k in stage_keys],
        ),
        within,
    ]


def cell_kind(table: Table, row: Row, index: int) -> str:
    """A cell's kind: the row's own where it has one (a money row in a count table), else the
    column's."""
    kinds = table.extra.get("row_kinds", {})
    return kinds.get(row.key, kinds.get(row.label, table.kinds[index]))


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


_FOLLOWS_A_COUNT = (PERCENT, MONEY)


def suppressed(table: Table, threshold: int) -> Table:
    """The table as the published report shows it, so no one can be identified (Getting the
    Best from Complaints §5.6):

    - primary: a count from 1 to threshold - 1 becomes "fewer than N";
    - secondary: where a column has a total, the hidden counts in it must not be worked out
      from it (24 - 10 - 11 = 3), so the next smallest counts are hidden too until none can be;
    - what is worked out from a hidden count goes with it: the percentage or money beside it
      (an area's cost of a single investigation is near enough its person's fee), and in that
      period any percentage row (an uphold rate of 100% beside "fewer than 5" upheld). A
      year's total spend stays: councils publish it, as Lancashire does.

    Zeros stay, and so do totals unless hiding them is the only way left.
    """
    if threshold <= 1:
        return table
    values = [list(row.values) for row in table.rows]
    counts = [
        [
            cell_kind(table, row, i) == COUNT and isinstance(value, int)
            for i, value in enumerate(row.values)
        ]
        for row in table.rows
    ]
    hidden = {
        (r, i)
        for r, row in enumerate(values)
        for i, value in enumerate(row)
        if counts[r][i] and 0 < value < threshold
    }
    for total, parts in _sums(table):
        for i in range(len(table.columns)):
            _protect_column(values, counts, hidden, total, parts, i, threshold)
    hiding = fewer_than(threshold)
    for r, i in hidden:
        values[r][i] = hiding if 0 < values[r][i] < threshold else SUPPRESSED
        if i + 1 < len(table.kinds) and table.kinds[i + 1] in _FOLLOWS_A_COUNT:
            values[r][i + 1] = None
    for r, row in enumerate(table.rows):
        for i in range(len(row.values)):
            if cell_kind(table, row, i) == PERCENT and any(c == i for _, c in hidden):
                values[r][i] = None
    copy = Table.from_dict({**table.to_dict(), "rows": []})
    copy.rows = [
        Row(row.label, values[r], row.total, row.drill, row.key)
        for r, row in enumerate(table.rows)
    ]
    return copy


# A count hidden only so that another cannot be worked out from a total.
SUPPRESSED = "withheld"


def _sums(table: Table) -> list[tuple[int, list[int]]]:
    """Which rows add up to which: the table's Total row is the sum of the others, unless the
    table says otherwise in extra["adds_up"] (row keys: {"completed": ["within_target", …]})."""
    at = {row.key: r for r, row in enumerate(table.rows)}
    declared = table.extra.get("adds_up")
    if declared:
        return [
            (at[total], [at[k] for k in parts if k in at])
            for total, parts in declared.items()
            if total in at
        ]
    total = next((r for r, row in enumerate(table.rows) if row.total), None)
    if total is None:
        return []
    return [(total, [r for r in range(len(table.rows)) if r != total])]


def _protect_column(values, counts, hidden, total, parts, column: int, threshold: int) -> None:
    """Hide more of the column until its hidden counts cannot be worked out from its total."""
    if not counts[total][column] or (total, column) in hidden:
        return
    parts = [r for r in parts if counts[r][column]]
    while True:
        secret = [r for r in parts if (r, column) in hidden]
        if not secret or not _derivable([values[r][column] for r in secret], threshold):
            return
        shown = [r for r in parts if (r, column) not in hidden and values[r][column] > 0]
        if not shown:
            hidden.add((total, column))
            return
        hidden.add((min(shown, key=lambda r: values[r][column]), column))


def _derivable(secret: list[int], threshold: int) -> bool:
    """Whether a reader who knows the hidden counts' sum, that each "fewer than N" is 1 to
    N - 1 and each withheld one is N or more, can tell any one of them."""
    total = sum(secret)
    bounds = [(1, threshold - 1) if v < threshold else (threshold, total) for v in secret]
    for i, (low, high) in enumerate(bounds):
        others_low = sum(b[0] for j, b in enumerate(bounds) if j != i)
        others_high = sum(b[1] for j, b in enumerate(bounds) if j != i)
        if max(low, total - others_high) == min(high, total - others_low):
            return True
    return False
