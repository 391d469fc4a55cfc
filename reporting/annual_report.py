"""The annual report's content and its rendering: which sections it has, in the order
Getting the Best from Complaints §5.6.2 lists them, what each shows, and the PDF.

The HTML preview and the PDF are one template, so what the complaints manager previews is
what is published.
"""

import base64
import datetime as dt
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import pdf
from complaints.models import AgreedAction, Level, Procedure
from complaints.periods import Period
from complaints.rounding import percent, rounding_statement
from reporting import charts
from reporting.counting import DEFAULT, Counting
from reporting.models import NARRATIVE_SECTIONS, CodeProvision, Edition, ReportGrouping
from reporting.published import with_published, years_published
from reporting.statistics import figures, recent_figures
from reporting.tables import COUNT, Table, build, fewer_than, suppressed

YEARS_COMPARED = 5
STAGE_1 = (Procedure.STATUTORY, Level.LOCAL_RESOLUTION)

Progress = Callable[[int, str], None]


@dataclass
class Section:
    number: int
    title: str
    intro: str = ""
    narrative: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    tables: list[Table] = field(default_factory=list)
    in_appendix: list[Table] = field(default_factory=list)  # the breakdowns only it gives
    see_also: list[tuple[str, Table]] = field(default_factory=list)  # numbered in the appendix
    charts: list[tuple[str, str, str]] = field(default_factory=list)  # caption, data URI, alt
    extracts: list[str] = field(default_factory=list)
    code_assessment: list[dict] = field(default_factory=list)
    case_studies: list = field(default_factory=list)
    ombudsman_cases: list[dict] = field(default_factory=list)
    actions_agreed: dict[str, list[dict]] = field(default_factory=dict)  # "this", "before"
    key_figures: list[str] = field(default_factory=list)


def count_tables(
    year: int, *, fresh: bool = True, counting: Counting = DEFAULT
) -> dict[str, Table]:
    """Every table for the financial year starting 1 April `year`, with up to four years
    before it (those the service holds anything for): counted now, or as the dashboard last
    counted them."""
    period = Period.year(year)
    years = [period, *period.years_before(YEARS_COMPARED - 1)]
    count = figures if fresh else recent_figures
    counted = count([*years, *period.quarters()], counting=counting)
    years, quarters = counted[: len(years)], counted[len(years) :]
    published = years_published(year - YEARS_COMPARED + 1, year)
    recorded = {f.period.start.year for f in years if _anything_recorded(f)}
    while len(years) > 1 and years[-1].period.start.year not in recorded | published:
        years.pop()
    tables = build(years, quarters, groupings=ReportGrouping.objects.all())
    with_published(tables, [f.period.start.year for f in years[1:]])
    return tables


def _anything_recorded(f) -> bool:
    return bool(f.total_representations or f.total_compliments)


def edition_tables(edition: Edition) -> dict[str, Table]:
    """A published edition's frozen tables; a draft's as the dashboard last counted them, so
    the two agree (publishing counts afresh)."""
    if edition.frozen:
        return {key: Table.from_dict(data) for key, data in edition.frozen["tables"].items()}
    return count_tables(edition.year, fresh=False, counting=edition.counting)


def _chart_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _chartable(value, threshold: int):
    """A value as a chart labels it: a hidden count as "<5" (the words do not fit), a figure
    the table leaves blank as nothing."""
    if isinstance(value, str):
        return f"<{threshold}" if value == fewer_than(threshold) else "–"
    return value


def _bar_chart(table: Table, caption: str, threshold: int, column: int = 0, most: int = 12):
    """The first column's non-zero rows, the largest `most` of them (the table has the rest)."""
    rows = [r for r in table.rows if not r.total and r.values[column]]
    if len(rows) > most:
        rows = sorted(rows, key=lambda r: _sort_key(r.values[column]), reverse=True)[:most]
        caption += f" (the {most} most frequent)"
    labels = [r.label for r in rows]
    values = [_chartable(r.values[column], threshold) for r in rows]
    return caption, _chart_uri(charts.bars(labels, values)), charts.describe_bars(labels, values)


def _trend_chart(caption: str, periods: list[str], series: dict[str, list]):
    return (
        caption,
        _chart_uri(charts.trend(periods, series)),
        charts.describe_trend(periods, series),
    )


def _sort_key(value) -> int:
    return value if isinstance(value, int) else 1  # "fewer than 5" sorts as small


def _key_figures(raw: dict[str, Table], threshold: int) -> list[str]:
    reps = raw["representations"]

    def received(column: int = 0) -> int:  # compliments are not representations
        return reps.value("total", column) - reps.value("compliments", column)

    total = received()
    lines = [f"{total} representations were received."]
    if len(reps.columns) > 1:
        before = received(1)
        lines[0] += " " + _change(total, before, reps.columns[1], threshold)
    stage1 = raw.get(f"timeliness_{STAGE_1[0]}_{STAGE_1[1]}")
    if stage1 is not None:
        completed = stage1.value("completed")
        within = stage1.value("within_target", 1)
        avg = stage1.value("average_days")
        if completed:
            lines.append(
                f"{within}% of Stage 1 complaints were answered within "
                f"{stage1.extra['target_days']} working days; the average was {avg} working days."
            )
    omb = raw["ombudsman"]
    decided = omb.value("decided")
    rate = omb.value("uphold_rate")
    if decided:
        decided_text = decided if decided >= threshold else fewer_than(threshold)
        lines.append(
            f"The Ombudsman made {decided_text} decisions"
            + (f"; its uphold rate was {rate}%." if rate is not None else ".")
        )
    compliments = reps.value("compliments")
    lines.append(f"{compliments} compliments were received.")
    return lines


def _change(now: int, before: int, when: str, threshold: int) -> str:
    """Up or down on last year: in counts where last year's base is too small for a
    percentage to mean anything (or to be safe to give)."""
    if now == before:
        return f"The same as in {when}."
    way = "up" if now > before else "down"
    if before < max(threshold, 1):
        return f"That is {abs(now - before)} {way} on {when}."
    return f"That is {way} {percent(abs(now - before), before)}% on {before} in {when}."


def ombudsman_cases(edition: Edition) -> list[dict]:
    """The Ombudsman's decisions in the year, case by case, with the summary written for the
    report (never the internal one); frozen once published."""
    if edition.frozen:
        return edition.frozen.get("ombudsman_cases", [])
    from ombudsman.models import OmbudsmanCase

    period = Period.year(edition.year)
    decided = (
        OmbudsmanCase.objects.filter(
            decision_on__range=(period.start, period.end), decision__isnull=False
        )
        .exclude(published_summary="")
        .select_related("decision")
        .order_by("decision_on", "pk")
    )
    return [
        {
            "reference": case.reference,
            "decided_on": f"{case.decision_on:%-d %B %Y}",
            "decision": case.decision.label,
            "summary": case.published_summary,
        }
        for case in decided
    ]


def actions_agreed(edition: Edition) -> dict[str, list[dict]]:
    """The actions agreed from complaints in the year ("this") and the year before ("before"),
    each with its progress at the year's end, in the words written for the report (an action
    without them is counted, not listed); frozen once published."""
    if edition.frozen:
        return edition.frozen.get("actions_agreed", {})
    period = Period.year(edition.year)
    start = Period.year(edition.year - 1).start
    actions = (
        AgreedAction.objects.filter(created_at__date__range=(start, period.end))
        .exclude(published_summary="")
        .select_related("case__service_area")
        .order_by("created_at", "pk")
    )
    found = {"this": [], "before": []}
    for action in actions:
        agreed = timezone.localtime(action.created_at).date()
        area = action.case.service_area if action.case else None
        found["this" if agreed >= period.start else "before"].append(
            {
                "agreed_on": f"{agreed:%B %Y}",  # the month: a day could point to a case
                "source": action.get_source_display(),
                "service_area": area.name if area else "",
                "action": action.published_summary,
                "progress": _progress(action, period.end),
            }
        )
    return found if any(found.values()) else {}


def _progress(action: AgreedAction, end: dt.date) -> str:
    """Where the action stood on `end`."""
    if action.status == AgreedAction.Status.DONE and action.completed_on is None:
        return "Done"
    if action.status == AgreedAction.Status.DONE and action.completed_on <= end:
        return f"Done on {action.completed_on:%-d %B %Y}"
    if action.status == AgreedAction.Status.DROPPED:
        return "Not going ahead"
    if action.due_on < end:
        return f"Overdue: it was due by {action.due_on:%-d %B %Y}"
    return f"Under way: due by {action.due_on:%-d %B %Y}"


def _extracts(edition: Edition) -> list[str]:
    if edition.frozen:
        return edition.frozen["extracts"]
    if edition.pk is None:
        return []
    return [c.extract for c in edition.compliments.all() if c.extract]


def code_requirements(edition: Edition) -> tuple[list[CodeProvision], dict]:
    """The Code's requirements an edition answers: those in use, and any answered since
    retired; with its answers by requirement."""
    answers = {}
    if edition.pk is not None:
        answers = {a.provision_id: a for a in edition.code_assessments.all()}
    provisions = list(CodeProvision.objects.filter(Q(active=True) | Q(pk__in=answers)))
    return provisions, answers


def code_assessment(edition: Edition) -> list[dict]:
    """The self-assessment against the Complaint Handling Code, one row per requirement, as
    frozen once published."""
    if edition.frozen:
        return edition.frozen.get("code_assessment", [])
    provisions, answers = code_requirements(edition)
    return [
        {
            "paragraph": p.paragraph,
            "requirement": p.label,
            "compliance": answers[p.pk].get_compliance_display() if p.pk in answers else "",
            "evidence": answers[p.pk].evidence if p.pk in answers else "",
        }
        for p in provisions
    ]


def report_sections(edition: Edition, raw: dict[str, Table], *, draw: bool = True):
    """The report's sections with their tables suppressed for publication. Each table is
    printed once, over every year compared: the body gives each section's main tables, and
    points to the appendix for the finer breakdowns."""
    threshold = edition.small_number_threshold
    t = {key: suppressed(table, threshold) for key, table in raw.items()}
    text = {key: getattr(edition, key) for key in NARRATIVE_SECTIONS}
    timeliness = [t[k] for k in t if k.startswith("timeliness_")]
    sections = [
        Section(
            1,
            "Executive summary",
            narrative=[("", text["executive_summary"])],
            key_figures=_key_figures(raw, threshold),
        ),
        Section(
            2,
            "Representations made to the council",
            intro="Every representation the complaints team logged: complaints, and the "
            "concerns, call-back requests, comments and enquiries dealt with outside the "
            "complaints procedure.",
            tables=[t["representations"], t["accepted_from"], t["refusals"], t["call_backs"]],
            in_appendix=[t["quarterly_representations"]],
        ),
        Section(
            3,
            "Complaints at each stage and those considered by the Ombudsman",
            tables=[
                t["complaints_by_stage"],
                t["escalation"],
                t["escalation_reasons"],
                t["response_methods"],
                t["later_stages_by_area"],
            ],
            in_appendix=[t["quarterly_stages"]],
        ),
        Section(
            4,
            "Customer groups: who made complaints and how",
            tables=[t["customer_groups"]],
            in_appendix=[t["routes"], t["channels"]],
        ),
        Section(
            5,
            "Types of complaint",
            tables=[t[f"natures_{Procedure.STATUTORY}"], t[f"natures_{Procedure.CORPORATE}"]],
            in_appendix=[
                t["service_areas"],
                t["teams"],
                t["natures_by_area"],
                t["later_stages_by_team"],
            ],
        ),
        Section(
            6,
            "Outcomes of complaints",
            intro=edition.counting.describe(),
            tables=[
                t["complaint_outcomes"],
                t["unable_to_proceed"],
                t["outcomes"],
                t["outcomes_stage_1"],
            ],
            in_appendix=[t["findings"], t["findings_by_nature"], t["outcome_sought"]],
        ),
        Section(7, "Remedies and payments", tables=[t["remedies"]]),
        Section(8, "Advocacy", tables=[t["advocacy"]]),
        Section(
            9,
            "Compliance with timescales, including extended timescales",
            intro=(
                "Each stage is measured in working days against the timescale the regulations "
                "set, and the longest an agreed extension allows."
            ),
            tables=[*timeliness, t["panel_steps"]],
            in_appendix=[t["quarterly_timeliness"]],
        ),
        Section(
            10,
            "The Local Government and Social Care Ombudsman",
            tables=[t["ombudsman"], t["ombudsman_decisions"]],
            ombudsman_cases=ombudsman_cases(edition),
        ),
        Section(
            11,
            "Compliments",
            tables=[t["compliments"]],
            in_appendix=[t["compliment_sources"]],
            extracts=_extracts(edition),
        ),
        Section(
            12,
            "Learning and service improvement",
            narrative=[
                ("Changes implemented", text["learning_implemented"]),
                ("Changes not implemented", text["learning_not_implemented"]),
            ],
            tables=[t["learning"]],
            case_studies=list(edition.case_studies.all()) if edition.pk else [],
        ),
        Section(
            13,
            "Equality monitoring: age, gender, disability, sexual orientation and ethnicity "
            "of complainants",
            intro="Complainants are asked, and may choose not to say.",
            tables=[t[k] for k in t if k.startswith("equality_")],
        ),
        Section(
            14,
            "Costs of independent investigations and review panels",
            tables=[t["costs"], t["costs_by_area"]],
        ),
        Section(
            15,
            "Review of the effectiveness of the complaints procedure",
            narrative=[("", text["effectiveness_review"])],
        ),
        Section(
            16,
            "Recommendations",
            narrative=[("", text["recommendations"])],
            actions_agreed=actions_agreed(edition),
        ),
        Section(17, "Future developments", narrative=[("", text["future_developments"])]),
        Section(
            18,
            "Corporate complaints and the Complaint Handling Code",
            intro="Complaints about children's services that the Children Act procedure does "
            "not cover follow the council's corporate procedure and the Ombudsman's Complaint "
            "Handling Code, which asks for this self-assessment and service improvement report.",
            code_assessment=code_assessment(edition),
            tables=[t["customer_groups_corporate"], t["channels_corporate"]],
            in_appendix=[t["routes_corporate"]],
            narrative=[
                ("Commentary on the self-assessment", text["code_self_assessment"]),
                ("Service improvement", text["code_service_improvement"]),
            ],
        ),
    ]
    if draw:
        _draw(sections, t, threshold)
    return sections


def _draw(sections: list[Section], t: dict[str, Table], threshold: int) -> None:
    def holding(key: str) -> Section:
        """The section that prints the table a chart is drawn from."""
        return next(s for s in sections if any(table.key == key for table in s.tables))

    reps = t["representations"]
    periods = reps.columns[::-1]

    def series(table: Table, key: str):
        return [_chartable(table.value(key, i), threshold) for i in range(len(table.columns))][
            ::-1
        ]

    holding("representations").charts.append(
        _trend_chart(
            "Representations and compliments received, year on year",
            periods,
            {
                "Complaints": series(reps, "complaint"),
                "All representations": [
                    a - b if isinstance(a, int) and isinstance(b, int) else a
                    for a, b in zip(
                        series(reps, "total"), series(reps, "compliments"), strict=True
                    )
                ],
                "Compliments": series(reps, "compliments"),
            },
        )
    )
    holding("customer_groups").charts.append(
        _bar_chart(t["customer_groups"], "Who made complaints this year", threshold)
    )
    holding(f"natures_{Procedure.STATUTORY}").charts.append(
        _bar_chart(
            t[f"natures_{Procedure.STATUTORY}"],
            "Children Act complaints by nature, this year",
            threshold,
        )
    )
    holding("outcomes_stage_1").charts.append(
        _bar_chart(t["outcomes_stage_1"], "Outcome of Stage 1 complaints, this year", threshold)
    )
    stage1 = t.get(f"timeliness_{STAGE_1[0]}_{STAGE_1[1]}")
    if stage1 is not None:
        years = stage1.columns[::2]
        within = [
            _chartable(stage1.value("within_target", 2 * i + 1), threshold)
            for i in range(len(years))
        ]
        holding(stage1.key).charts.append(
            _trend_chart(
                f"Stage 1 complaints answered within {stage1.extra['target_days']} working days "
                "(%), year on year",
                years[::-1],
                {"Within the target (%)": within[::-1]},
            )
        )
    holding("compliments").charts.append(
        _bar_chart(t["compliments"], "Compliments by service area, this year", threshold)
    )


def report_context(edition: Edition, raw: dict[str, Table] | None = None, *, progress=None):
    progress = progress or (lambda pct, step: None)
    progress(5, "Counting the figures")
    raw = raw if raw is not None else edition_tables(edition)
    progress(35, "Drawing the charts")
    sections = report_sections(edition, raw)
    threshold = edition.small_number_threshold
    return {
        "edition": edition,
        "period": Period.year(edition.year),
        "sections": sections,
        "appendix": appendix(sections, raw, threshold),
        "council_name": settings.COUNCIL_NAME,
        "complaints_contact": settings.COMPLAINTS_CONTACT,
        "rounding": rounding_statement(),
        "threshold": threshold,
        "fewer_than": fewer_than(threshold),
        "COUNT": COUNT,
    }


def appendix(sections: list[Section], raw: dict[str, Table], threshold: int):
    """The tables the body does not print, numbered A1, A2… in the order the sections point to
    them, with any table no section names after them. The sections point by number rather than
    by page: a page number would have WeasyPrint lay out each page pointing ahead twice more."""
    pointed = {table.key: table for section in sections for table in section.in_appendix}
    in_body = {table.key for section in sections for table in section.tables}
    rest = [
        suppressed(table, threshold)
        for key, table in raw.items()
        if key not in in_body and key not in pointed
    ]
    numbered = [(f"A{i}", table) for i, table in enumerate([*pointed.values(), *rest], 1)]
    number = {table.key: n for n, table in numbered}
    for section in sections:
        section.see_also = [(number[table.key], table) for table in section.in_appendix]
    return numbered


def render_html(edition: Edition) -> str:
    """The same report as a web page, for councils to publish beside the PDF: one file, its
    charts inside it, headings, captions and table headers for screen readers."""
    return render_to_string("reporting/report_pdf.html", report_context(edition))


def render_pdf(edition: Edition, *, progress: Progress | None = None) -> bytes:
    progress = progress or (lambda pct, step: None)
    context = report_context(edition, progress=progress)
    progress(60, "Laying out the pages")
    html = render_to_string("reporting/report_pdf.html", context)
    with _no_cycle_collection():
        document = pdf.layout(html)
        progress(90, "Writing the PDF")
        return pdf.write(document)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """WeasyPrint makes millions of short-lived objects, which set off the cycle collector
    again and again over everything the worker holds: about a third of the render's time.
    Reference counting frees almost all of them anyway (peak memory measured the same); the
    collector catches up on the rest once it is back on (`make bench`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
