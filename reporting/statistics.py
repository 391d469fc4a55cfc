"""Every figure the dashboard, the annual report, the exports and the API show.

They all call `figures()`, so no two of them can disagree. It counts several periods at once
(five financial years, or a year's four quarters) in a fixed number of queries, whatever the
number of cases: each query labels its rows with the period their date falls in and groups by
that label.

Counting rules, following the seed reports and Getting the Best from Complaints §5.6:

- A figure is counted in the period its date falls in: representations and their groups, kinds,
  natures and equality answers by the date received; a stage by the date it was requested
  ("received at Stage 2"), completed (its response issued) or withdrawn; outcomes, findings,
  remedies, timeliness and costs by the date the stage's response was issued.
- A *complaint* is a representation accepted into a procedure, whatever kind it came in as (a
  pre-complaint, case concern or call-back request accepted at Stage 1 is a complaint, and
  `accepted_from` counts the conversion); refused ones are counted under refusals, by reason.
- Natures are counted per element of the statement of complaint, so one complaint may add to
  several. Findings are counted both per stage (its overall outcome) and per element, by the
  finding's group, so "inconclusive" and "unable to prove or disprove" add up together.
- Timeliness: working days (complaints.workingdays) from the stage's clock start, as its
  response timescale names it, to the response, less the working days it was paused. Bands come
  from the timescale itself: within the target (e.g. 10 working days at Stage 1), within the
  maximum an extension may allow (20), beyond it. Stage 3 is measured from the request to the
  council's response against the sum of its steps' targets (30 + 5 + 15 = 50), and each step is
  counted as met or not on its own.
- Escalation rate: of the stage responses issued in the period, the share whose case went on to
  the next stage (at any date since).
- Outcome sought is counted per complaint received; remedies per remedy provided by a stage
  completed in the period; payments are the sum of their amounts.
- Costs: of Stage 2 investigations and Stage 3 panels whose response was issued in the
  period. A stage's cost is its appointments' costs (complaints.costs: an appointment's
  approved invoices once any is approved, else its time at the rate agreed plus expenses),
  split by whether the person is council staff or external (PoolMember.engagement), plus the
  fees brought in from earlier records on the stage (investigator's and independent person's
  fees; a panel's own cost and its members' fees), counted once each and kept apart as
  "imported" since who was paid is not known. A stage is costed if it has any of these; one
  with none is not. Also by the case's service area. Payments to complainants as remedies
  are never costs: they are `payments`.
- Days to appoint: working days from a statutory Stage 2's request to its first investigating
  officer appointed from the pool, in the period of that appointment (_fill_appointments).
- Equality monitoring is per complaint received; an answer never recorded is "Not recorded".
- Ombudsman figures follow ombudsman.selectors; compliments count by the date received;
  lessons-learnt forms by the date of the response that made them owed.
- Percentages and averages are rounded as complaints.rounding says.

Counting a year of 100,000 cases takes about half a second, so the dashboard reads figures
through `recent_figures()`, which keeps them in the cache for REPORTING_FIGURES_MAX_AGE seconds,
or until anything they are counted from changes (reporting.signals), and says when they were
counted. A draft annual report reads the same; publishing counts afresh.
"""

import bisect
import copy
import datetime as dt
import logging
import uuid
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, fields
from decimal import Decimal
from functools import reduce
from operator import or_

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Switch
from django.utils import timezone
from redis.exceptions import RedisError

from complaints import costs, pool
from complaints.deadlines import ACTIVE_STATES, OPEN_STATES, in_force
from complaints.learning import RETURN_COUNTS, ReturnRate
from complaints.models import (
    AgreedAction,
    Appointment,
    Case,
    ClockStart,
    Element,
    ElementFinding,
    Finding,
    LessonsLearnt,
    Level,
    PanelMember,
    Part,
    PoolMember,
    Procedure,
    Remedy,
    Stage,
    Step,
    Timescale,
)
from complaints.periods import Period
from complaints.rounding import average, percent
from complaints.selectors import COMPLAINT_RECEIVED
from complaints.workingdays import Calendar, working_days_between_many
from compliments.models import Compliment
from ombudsman.selectors import AnnualLetterFigures, annual_letter_figures_for
from reporting.counting import DEFAULT, Basis, Counting, OnTimeBase

logger = logging.getLogger(__name__)

NOT_RECORDED = "Not recorded"
EQUALITY_FIELDS = {
    "age_band": "Age",
    "gender": "Gender",
    "disability": "Disability",
    "sexual_orientation": "Sexual orientation",
    "ethnicity": "Ethnicity",
}
# The steps Stage 3 is measured by, in order; the stage's response step where it has one.
PANEL_STEPS = (Step.PANEL_HELD, Step.PANEL_REPORT, Step.COUNCIL_RESPONSE)
_STEP_END = {
    Step.RESPOND: "responded_on",
    Step.PANEL_HELD: "panel_held_on",
    Step.PANEL_REPORT: "panel_report_on",
    Step.COUNCIL_RESPONSE: "responded_on",
}
_DATES = [c.value for c in ClockStart] + ["withdrawn_on"]
_AT = {name: 6 + i for i, name in enumerate(_DATES)}  # where each date is in a timeliness row


@dataclass(frozen=True)
class Measure:
    """How a stage's timeliness is measured: from which fact, against which targets."""

    clock_start: str
    target_days: int
    max_days: int | None
    calendar: str


@dataclass
class Timeliness:
    """Completed stages of one procedure and level, by how long their response took."""

    target_days: int | None = None
    max_days: int | None = None
    base: str = OnTimeBase.RESPONDED  # what the percentages are a share of
    completed: int = 0
    within_target: int = 0
    within_maximum: int = 0
    beyond_maximum: int = 0
    total_days: int = 0
    extended: int = 0
    extended_agreed: int = 0
    withdrawn: int = 0
    ongoing: int = 0  # see Counting.describe for as at when

    @property
    def average_days(self) -> Decimal | None:
        return average(self.total_days, self.completed)

    @property
    def measured(self) -> int:
        """The base of the percentages."""
        if self.base == OnTimeBase.RESPONDED_OR_WITHDRAWN:
            return self.completed + self.withdrawn
        return self.completed

    def share(self, count: int):
        return percent(count, self.measured)

    @property
    def within_target_percent(self):
        return self.share(self.within_target)

    @property
    def within_maximum_percent(self):
        return self.share(self.within_maximum)

    @property
    def beyond_maximum_percent(self):
        return self.share(self.beyond_maximum)


_TIMELINESS_SETTINGS = ("target_days", "max_days", "base")
_TIMELINESS_COUNTS = [f.name for f in fields(Timeliness) if f.name not in _TIMELINESS_SETTINGS]


@dataclass
class Profile:
    """Who made one procedure's complaints, and how: counted per complaint received."""

    relationships: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)  # Case.Via
    channels: Counter = field(default_factory=Counter)
    from_children: int = 0
    on_behalf_of_child: int = 0
    advocacy_offered: int = 0
    advocacy_accepted: int = 0  # the take-up
    advocacy_referred: int = 0
    advocacy_providers: Counter = field(default_factory=Counter)
    equality: dict = field(default_factory=lambda: {f: Counter() for f in EQUALITY_FIELDS})
    outcome_sought: Counter = field(default_factory=Counter)


def profile_of(procedure: str) -> str:
    """The profile a complaint counts in: its procedure's, or the Children Act's while none
    was chosen (refused on a ground both share, or not yet screened), since the statutory
    report counts every complaint about children's social care received."""
    return procedure or Procedure.STATUTORY


@dataclass
class Figures:
    """Everything counted for one period (and service area, if one was chosen)."""

    period: Period
    representations: Counter = field(default_factory=Counter)  # Case.Kind
    complaints: Counter = field(default_factory=Counter)  # procedure
    refusals: Counter = field(default_factory=Counter)  # refusal reason
    stages_requested: Counter = field(default_factory=Counter)  # (procedure, level)
    stages_completed: Counter = field(default_factory=Counter)
    stages_withdrawn: Counter = field(default_factory=Counter)
    escalated: Counter = field(default_factory=Counter)  # (procedure, level) of the earlier stage
    timeliness: dict = field(default_factory=dict)  # (procedure, level) → Timeliness
    panel_steps: dict = field(default_factory=dict)  # step → [met, measured]
    outcomes: Counter = field(default_factory=Counter)  # (procedure, level, finding group)
    findings: Counter = field(default_factory=Counter)  # (procedure, level, finding group)
    findings_by_nature: Counter = field(default_factory=Counter)  # (level, nature, group)
    natures: Counter = field(default_factory=Counter)  # (procedure, nature)
    service_areas: Counter = field(default_factory=Counter)  # (procedure, service area)
    teams: Counter = field(default_factory=Counter)  # team, at the first stage requested
    # Stages requested, by (procedure, level, service area) and (procedure, level, team); why
    # the complainant asked for them, and how the stage before was answered.
    stages_by_area: Counter = field(default_factory=Counter)
    stages_by_team: Counter = field(default_factory=Counter)
    escalation_reasons: Counter = field(default_factory=Counter)  # (procedure, level, reason)
    response_methods: Counter = field(default_factory=Counter)  # (procedure, level, method)
    natures_by_area: Counter = field(default_factory=Counter)  # (procedure, area, nature)
    # Who complained and how, per procedure (PROFILE_OF): the statutory report's is its own.
    profiles: dict = field(default_factory=lambda: {p: Profile() for p in Procedure.values})
    call_backs: Counter = field(default_factory=Counter)  # outcome ("" while awaited)
    accepted_from: Counter = field(default_factory=Counter)  # kind it came in as
    remedies: Counter = field(default_factory=Counter)
    payments: Decimal = Decimal("0.00")
    payments_made: int = 0
    investigations_costed: int = 0
    investigation_costs: Decimal = Decimal("0.00")
    panels_costed: int = 0
    panel_costs: Decimal = Decimal("0.00")
    # The costs split (they add up to the totals above): appointments of council staff, of
    # external people (agency, framework, self-employed), and fees from earlier records.
    investigation_costs_internal: Decimal = Decimal("0.00")
    investigation_costs_external: Decimal = Decimal("0.00")
    investigation_costs_imported: Decimal = Decimal("0.00")
    panel_costs_internal: Decimal = Decimal("0.00")
    panel_costs_external: Decimal = Decimal("0.00")
    panel_costs_imported: Decimal = Decimal("0.00")
    # By the case's service area name: costs (£) and the stages costed.
    investigation_costs_by_area: Counter = field(default_factory=Counter)
    investigations_costed_by_area: Counter = field(default_factory=Counter)
    panel_costs_by_area: Counter = field(default_factory=Counter)
    panels_costed_by_area: Counter = field(default_factory=Counter)
    # Statutory Stage 2 investigating officers first appointed in the period, and the working
    # days from each stage's request to that appointment (_fill_appointments).
    appointments_made: int = 0
    days_to_appoint_total: int = 0
    compliments: Counter = field(default_factory=Counter)  # service area
    compliment_sources: Counter = field(default_factory=Counter)
    lessons: ReturnRate = ReturnRate(0, 0, 0, 0)
    actions_agreed: int = 0
    actions_completed: int = 0
    # Progress on the period's agreed actions as at its last day (done, open, overdue), and on
    # those agreed in the year before it (earlier_done, earlier_open).
    actions_progress: Counter = field(default_factory=Counter)
    # What became of each complaint received: (procedure, OUTCOME_OF_COMPLAINT key), and the
    # reasons it could not proceed: (procedure, reason).
    complaint_outcomes: Counter = field(default_factory=Counter)
    unable_reasons: Counter = field(default_factory=Counter)
    joint_complaints: Counter = field(default_factory=Counter)  # procedure
    ombudsman: AnnualLetterFigures | None = None
    counting: Counting = DEFAULT
    counted_at: dt.datetime | None = None

    @property
    def statutory(self) -> Profile:
        return self.profiles[Procedure.STATUTORY]

    @property
    def total_representations(self) -> int:
        return sum(self.representations.values())

    @property
    def total_complaints(self) -> int:
        return sum(self.complaints.values())

    @property
    def total_compliments(self) -> int:
        return sum(self.compliments.values())

    @property
    def average_days_to_appoint(self) -> Decimal | None:
        return average(self.days_to_appoint_total, self.appointments_made)

    def escalation_rate(self, procedure: str, level: int):
        return percent(
            self.escalated[(procedure, level)], self.stages_completed[(procedure, level)]
        )


def figures(
    periods: Sequence[Period], *, service_area=None, counting: Counting = DEFAULT
) -> list[Figures]:
    """The figures for each of `periods`, in the order given, counted as `counting` says.
    They must not overlap, except that a financial year may come with its four quarters: it is
    then their sum, not counted again (but for what is as at its last day)."""
    if not periods:
        return []
    summed = [p for p in periods if p.quarters() and set(p.quarters()) <= set(periods)]
    parts = [p for p in periods if p not in summed]
    _check_apart(parts)
    counted = [Figures(period=p, counting=counting) for p in parts]
    area = service_area.pk if service_area is not None else None
    with _planned_plainly():
        for fill in _FILLERS:
            fill(counted, parts, area)
    by_period = {f.period: f for f in counted}
    for year in summed:
        by_period[year] = _summed([by_period[q] for q in year.quarters()], year)
    result = [by_period[p] for p in periods]
    # What is as at a period's last day, a year's too, and the Ombudsman's figures are counted
    # for every period at once: each period is one more column of the same query.
    with _planned_plainly():
        for fill in _EACH_PERIOD:
            fill(result, periods, area)
    now = timezone.now()
    for f in result:
        f.counted_at = now
    return result


@contextmanager
def _planned_plainly():
    """PostgreSQL compiles (JIT) a query whose plan it guesses costly. These take a fraction of
    a second each, and compiling one took longer than running it (a second, for one), so they
    run without."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _summed(parts: list[Figures], period: Period) -> Figures:
    total = Figures(period=period, counting=parts[0].counting)
    for f in fields(Figures):
        if f.name not in ("period", "ombudsman", "counted_at", "counting"):
            setattr(total, f.name, reduce(_plus, [getattr(part, f.name) for part in parts]))
    return total


def _plus(a, b):
    """Two periods' values of one figure, added: counts, sums of money, and what holds them."""
    if isinstance(a, Counter):
        total = a.copy()
        total.update(b)  # unlike a + b, keeps a count of nought
        return total
    if isinstance(a, dict):
        keys = [*a, *(k for k in b if k not in a)]
        return {
            k: _plus(a[k], b[k]) if k in a and k in b else copy.deepcopy(a.get(k, b.get(k)))
            for k in keys
        }
    if isinstance(a, list):
        return [x + y for x, y in zip(a, b, strict=True)]
    if isinstance(a, Timeliness):
        return Timeliness(
            **{n: getattr(a, n) for n in _TIMELINESS_SETTINGS},
            **{n: getattr(a, n) + getattr(b, n) for n in _TIMELINESS_COUNTS},
        )
    if isinstance(a, Profile):
        return Profile(
            **{f.name: _plus(getattr(a, f.name), getattr(b, f.name)) for f in fields(a)}
        )
    if isinstance(a, ReturnRate):
        return ReturnRate(*(x + y for x, y in zip(astuple(a), astuple(b), strict=True)))
    if isinstance(a, int | Decimal):
        return a + b
    raise TypeError(f"No rule for adding {type(a).__name__} figures")


def figures_for(period: Period, *, service_area=None, counting: Counting = DEFAULT) -> Figures:
    return figures([period], service_area=service_area, counting=counting)[0]


def recent_figures(
    periods: Sequence[Period],
    *,
    service_area=None,
    recount: bool = False,
    counting: Counting = DEFAULT,
) -> list[Figures]:
    """figures(), as counted at most REPORTING_FIGURES_MAX_AGE seconds ago (each Figures says
    when); the periods not in the cache, or all of them if `recount`, are counted together."""
    generation = _generation()
    keys = [_cache_key(p, service_area, generation, counting) for p in periods]
    found = {}
    if not recount:
        with _cache_trouble_counts_anyway():
            found = cache.get_many(keys)
    missing = [p for p, key in zip(periods, keys, strict=True) if key not in found]
    if missing:
        fresh = {
            _cache_key(f.period, service_area, generation, counting): f
            for f in figures(missing, service_area=service_area, counting=counting)
        }
        with _cache_trouble_counts_anyway():
            cache.set_many(fresh, timeout=settings.REPORTING_FIGURES_MAX_AGE)
        found |= fresh
    result = [found[key] for key in keys]
    for f, period in zip(result, periods, strict=True):
        f.period = period  # the same dates may have been asked for under another label
    return result


@contextmanager
def _cache_trouble_counts_anyway():
    """A cache that is down (Redis stopped, a full disk) slows the dashboard; it must not
    break it."""
    try:
        yield
    except (RedisError, OSError):
        logger.warning("The figures cache is unavailable; counting instead.", exc_info=True)


# Part of the key, so figures cached by an older shape of Figures are never read back.
_SHAPE = zlib.crc32(
    " ".join(
        f.name for cls in (Figures, Profile, AnnualLetterFigures) for f in fields(cls)
    ).encode()
)


_GENERATION = "reporting.figures.generation"


def figures_changed() -> None:
    """Forget every figure counted so far: a case, a stage, a category, a timescale or the
    calendar changed, or history was imported (reporting.signals says which)."""
    with _cache_trouble_counts_anyway():
        cache.set(_GENERATION, uuid.uuid4().hex, timeout=None)


def _generation() -> str:
    with _cache_trouble_counts_anyway():
        cache.add(_GENERATION, uuid.uuid4().hex, timeout=None)
        return cache.get(_GENERATION) or "none"
    return "none"


def _cache_key(period: Period, service_area, generation: str, counting: Counting) -> str:
    """Everything the figures depend on: what was recorded (the generation), the dates, the
    service area, how they are counted, and the shape of Figures."""
    area = service_area.pk if service_area is not None else "all"
    dates = f"{period.start:%Y%m%d}.{period.end:%Y%m%d}"
    how = f"{counting.basis}.{counting.on_time_base}"
    return f"reporting.figures.{_SHAPE}.{generation}.{dates}.{area}.{how}"


@dataclass(frozen=True)
class Workload:
    """Cases open today, which no period bounds."""

    open_by_stage: Counter  # (procedure, level)
    overdue_by_stage: Counter
    actions_open: int
    actions_overdue: int
    lessons_overdue: int

    @property
    def open_total(self) -> int:
        return sum(self.open_by_stage.values())

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue_by_stage.values())


def workload(*, today: dt.date, service_area=None) -> Workload:
    cases = Case.objects.filter(state__in=OPEN_STATES)
    actions = AgreedAction.objects.filter(status=AgreedAction.Status.OPEN)
    lessons = LessonsLearnt.objects.filter(submitted_on__isnull=True, due_on__lt=today)
    if service_area is not None:
        cases = cases.filter(service_area=service_area)
        actions = actions.filter(case__service_area=service_area)
        lessons = lessons.filter(case__service_area=service_area)
    open_by, overdue_by = Counter(), Counter()
    rows = cases.values_list("procedure", "current_stage__level").annotate(
        n=Count("pk"),
        overdue=Count("pk", filter=Q(state__in=ACTIVE_STATES, next_due_on__lt=today)),
    )
    for procedure, level, n, overdue in rows.order_by():
        open_by[(procedure, level)] += n
        overdue_by[(procedure, level)] += overdue
    counts = actions.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    return Workload(
        open_by_stage=open_by,
        overdue_by_stage=overdue_by,
        actions_open=counts["open"],
        actions_overdue=counts["overdue"],
        lessons_overdue=lessons.count(),
    )


def measures(on: dt.date | None = None, timescales=None) -> dict[tuple[str, int], Measure]:
    """How each procedure's stages are measured, read from the timescales an administrator
    keeps, as in force for stages requested `on` (the latest for None): the response step where
    the stage has one, else the review panel's steps end to end."""
    if timescales is None:
        timescales = list(Timescale.objects.select_related("stage"))
    versions = defaultdict(list)
    for ts in timescales:
        versions[(ts.stage.procedure, ts.stage.level)].append(ts)
    result = {}
    for key, found in versions.items():
        steps = in_force(found, on)
        respond = steps.get(Step.RESPOND)
        if respond:
            result[key] = _measure(respond.clock_start, [respond])
        elif all(step in steps for step in PANEL_STEPS):
            result[key] = _measure(ClockStart.REQUESTED, [steps[s] for s in PANEL_STEPS])
    return result


def panel_step_targets() -> dict[str, Timescale]:
    return in_force(
        Timescale.objects.filter(
            stage__procedure=Procedure.STATUTORY,
            stage__level=Level.REVIEW_PANEL,
            step__in=PANEL_STEPS,
        ),
        None,
    )


class _MeasuresInForce:
    """measures() for any date, counted once per date a timescale changed."""

    def __init__(self):
        timescales = list(Timescale.objects.select_related("stage"))
        self.changes = sorted({ts.effective_from for ts in timescales})
        self.by_change = {day: measures(day, timescales) for day in self.changes}

    def on(self, day: dt.date) -> dict[tuple[str, int], Measure]:
        at = bisect.bisect_right(self.changes, day) - 1
        return self.by_change[self.changes[max(at, 0)]]


def _measure(clock_start: str, steps: list[Timescale]) -> Measure:
    has_max = all(ts.max_days is not None for ts in steps)
    return Measure(
        clock_start=clock_start,
        target_days=sum(ts.target_days for ts in steps),
        max_days=sum(ts.max_days for ts in steps) if has_max else None,
        calendar=Calendar.CORPORATE if steps[0].counts_closure_days else Calendar.STATUTORY,
    )


# --- how each group of figures is counted ---------------------------------------------------


def _check_apart(periods: Sequence[Period]) -> None:
    ordered = sorted(periods, key=lambda p: p.start)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.start <= earlier.end:
            raise ValueError(f"{earlier.label} and {later.label} overlap.")


def _spans(periods) -> list[tuple[dt.date, dt.date]]:
    """The periods' dates as few ranges as they make: touching periods joined."""
    spans: list[tuple[dt.date, dt.date]] = []
    for p in sorted(periods, key=lambda p: p.start):
        if spans and p.start <= spans[-1][1] + dt.timedelta(days=1):
            spans[-1] = (spans[-1][0], max(spans[-1][1], p.end))
        else:
            spans.append((p.start, p.end))
    return spans


def _within(date_field: str, periods) -> Q:
    """The date falls in one of the periods (a quarter's dashboard reads three quarters of
    cases, not the three years from the first to the last)."""
    return reduce(or_, [Q(**{f"{date_field}__range": span}) for span in _spans(periods)])


def _bucket(date_field: str, periods) -> Switch:
    """The index of the period the date falls in; null in none."""
    return Switch(
        *[
            When(**{f"{date_field}__range": (p.start, p.end)}, then=Value(i))
            for i, p in enumerate(periods)
        ],
        output_field=IntegerField(),
    )


def _in_periods(queryset: QuerySet, date_field: str, periods, area, area_path: str) -> QuerySet:
    """Rows whose `date_field` falls in one of the periods, labelled with its index."""
    queryset = queryset.filter(_within(date_field, periods))
    if area is not None:
        queryset = queryset.filter(**{area_path: area})
    return queryset.annotate(bucket=_bucket(date_field, periods))


def _grouped(queryset, *group, measure=None):
    """(bucket, *group, value) rows: a count of rows, or the aggregate given."""
    return queryset.values_list("bucket", *group).annotate(n=measure or Count("pk")).order_by()


def _complaints():
    """Complaints received: representations accepted into a procedure, whatever kind they came
    in as, and complaints refused or not yet screened, as councils publish them."""
    return Case.objects.filter(COMPLAINT_RECEIVED)


def _of_case(q: Q) -> Q:
    """A condition on a case, for rows that have one (`case__…`)."""
    return Q(
        *[_of_case(c) if isinstance(c, Q) else (f"case__{c[0]}", c[1]) for c in q.children],
        _connector=q.connector,
        _negated=q.negated,
    )


def _fact(fact: str, periods, basis: str, to_stage: str = ""):
    """Where a stage's `fact` (requested_on, responded_on or withdrawn_on) is counted: the
    period its date falls in, or on the intake basis the period its case was received in, if
    the fact happened at all. The period's index (null in none), and the condition that there
    is one. `to_stage` is the path to the stage."""
    if basis == Basis.INTAKE:
        received = f"{to_stage}case__received_on"
        if fact == "requested_on":
            return _bucket(received, periods), _within(received, periods)
        happened = Q(**{f"{to_stage}{fact}__isnull": False})
        return (
            Switch(When(happened, then=_bucket(received, periods)), output_field=IntegerField()),
            happened & _within(received, periods),
        )
    return _bucket(f"{to_stage}{fact}", periods), _within(f"{to_stage}{fact}", periods)


def _stages_counted(queryset, fact, periods, area, basis, to_stage=""):
    """Stage rows for the basis (_fact), labelled with their period's index."""
    bucket, within = _fact(fact, periods, basis, to_stage)
    queryset = queryset.filter(within)
    if area is not None:
        queryset = queryset.filter(**{f"{to_stage}case__service_area": area})
    return queryset.annotate(bucket=bucket)


def _fill_representations(counted, periods, area):
    """Representations by kind; complaints received, the kinds they came in as, refusals and
    call-back requests; and what became of complaints refused or with no stage yet (of the
    rest in _fill_complaint_outcomes), all in one pass over the period's cases."""
    cases = _in_periods(Case.objects.all(), "received_on", periods, area, "service_area")
    rows = cases.values_list(
        "bucket",
        "kind",
        "procedure",
        "refusal_reason__label",
        "callback_outcome",
        "state",
        Exists(Stage.objects.filter(case=OuterRef("pk"))),
    ).annotate(n=Count("pk"))
    for bucket, kind, procedure, refusal, call_back, state, has_stage, n in rows.order_by():
        f = counted[bucket]
        f.representations[kind] += n
        if procedure or kind == Case.Kind.COMPLAINT:  # COMPLAINT_RECEIVED
            f.complaints[procedure] += n
            if refusal is not None:
                f.complaint_outcomes[(procedure, Finding.Group.UNABLE_TO_PROCEED)] += n
                f.unable_reasons[(procedure, refusal)] += n
            elif not has_stage:
                outcome = "withdrawn_before" if state == Case.State.WITHDRAWN else "ongoing"
                f.complaint_outcomes[(procedure, outcome)] += n
        if procedure and refusal is None:
            f.accepted_from[kind] += n
        if refusal is not None:
            f.refusals[refusal] += n
        # A call-back request that became a complaint keeps its outcome, so it is still counted.
        if kind == Case.Kind.CALL_BACK or call_back:
            f.call_backs[call_back] += n


def _fill_complaint_profile(counted, periods, area):
    complaints = _in_periods(_complaints(), "received_on", periods, area, "service_area")
    # One pass for the profile, the advocacy counts and joint complaints, one for the five
    # equality answers.
    joint = Exists(Case.joint_service_areas.through.objects.filter(case=OuterRef("pk")))
    rows = complaints.values_list(
        "bucket",
        "procedure",
        "service_area__name",
        "complainant__relationship__label",
        "channel__label",
        "via",
        "advocacy_provider__label",
    ).annotate(
        n=Count("pk"),
        children=Count("pk", filter=Q(complainant__relationship__is_child=True)),
        behalf=Count("pk", filter=Q(on_behalf_of_child=True)),
        offered=Count("pk", filter=Q(advocacy_offered_on__isnull=False)),
        accepted=Count("pk", filter=Q(advocacy_accepted=True)),
        referred=Count("pk", filter=Q(advocacy_referred_on__isnull=False)),
        joint=Count("pk", filter=Q(joint)),
    )
    for bucket, procedure, service, relationship, channel, via, provider, n, *also in rows:
        f = counted[bucket]
        f.service_areas[(procedure, service or NOT_RECORDED)] += n
        p = f.profiles[profile_of(procedure)]
        p.relationships[relationship] += n
        p.channels[channel] += n
        p.routes[via] += n
        children, behalf, offered, accepted, referred, joint_n = also
        p.from_children += children
        p.on_behalf_of_child += behalf
        p.advocacy_offered += offered
        p.advocacy_accepted += accepted
        p.advocacy_referred += referred
        if provider is not None:
            p.advocacy_providers[provider] += n
        if joint_n:
            f.joint_complaints[procedure] += joint_n
    # A joint complaint counts once more for each other service area it concerns.
    joint = _grouped(
        complaints.filter(joint_service_areas__isnull=False),
        "procedure",
        "joint_service_areas__name",
    )
    for bucket, procedure, service, n in joint:
        counted[bucket].service_areas[(procedure, service)] += n
    answers = _grouped(
        complaints, "procedure", *[f"complainant__{name}__label" for name in EQUALITY_FIELDS]
    )
    for bucket, procedure, *labels, n in answers:
        p = counted[bucket].profiles[profile_of(procedure)]
        for name, answer in zip(EQUALITY_FIELDS, labels, strict=True):
            p.equality[name][answer or NOT_RECORDED] += n
    sought = complaints.filter(outcome_sought__isnull=False)
    for bucket, procedure, remedy, n in _grouped(sought, "procedure", "outcome_sought__label"):
        counted[bucket].profiles[profile_of(procedure)].outcome_sought[remedy] += n
    elements = _in_periods(
        Element.objects.filter(_of_case(COMPLAINT_RECEIVED)),
        "case__received_on",
        periods,
        area,
        "case__service_area",
    )
    rows = _grouped(elements, "case__procedure", "case__service_area__name", "nature__label")
    for bucket, procedure, service, nature, n in rows:
        counted[bucket].natures[(procedure, nature)] += n
        counted[bucket].natures_by_area[(procedure, service or NOT_RECORDED, nature)] += n


def _fill_stages_requested(counted, periods, area):
    """Stages requested, by stage, service area and team; why the complainant asked for them
    and how the stage before was answered; and the team that answered each complaint first,
    counted when that stage was requested: one pass over the stages requested."""
    basis = counted[0].counting.basis
    bucket, within = _fact("requested_on", periods, basis)
    # A Stage 1 answered its complaint first; a later stage did where none from Stage 1 on
    # came before it.
    first_team = Q(team__isnull=False) & (
        Q(level=Level.LOCAL_RESOLUTION)
        | Q(level__gt=Level.LOCAL_RESOLUTION)
        & ~Q(
            Exists(
                Stage.objects.filter(
                    case=OuterRef("case"),
                    level__gte=Level.LOCAL_RESOLUTION,
                    level__lt=OuterRef("level"),
                )
            )
        )
    )
    stages = Stage.objects.filter(within | _within("requested_on", periods))
    if area is not None:
        stages = stages.filter(case__service_area=area)
    rows = stages.values_list(
        bucket,
        _bucket("requested_on", periods),  # the same on the completions basis
        "case__procedure",
        "level",
        "case__service_area__name",
        "team__name",
        "team__service__name",
        "escalation_reason__label",
        "previous_response_method__label",
        ExpressionWrapper(first_team, output_field=BooleanField()),
    ).annotate(n=Count("pk"))
    for fact_at, requested_at, procedure, level, service, team, *more, n in rows.order_by():
        team_service, reason, method, first = more
        if fact_at is not None:
            f = counted[fact_at]
            f.stages_requested[(procedure, level)] += n
            if level >= Level.INVESTIGATION:
                f.stages_by_area[(procedure, level, service or NOT_RECORDED)] += n
                f.stages_by_team[(procedure, level, team or NOT_RECORDED)] += n
            if reason is not None or method is not None:
                f.escalation_reasons[(procedure, level, reason or NOT_RECORDED)] += n
                f.response_methods[(procedure, level, method or NOT_RECORDED)] += n
        if first and requested_at is not None:
            counted[requested_at].teams[f"{team} ({team_service})"] += n
    findings = _stages_counted(
        ElementFinding.objects.filter(finding__isnull=False),
        "responded_on",
        periods,
        area,
        basis,
        to_stage="stage__",
    )
    rows = _grouped(
        findings,
        "stage__case__procedure",
        "stage__level",
        "element__nature__label",
        "finding__group",
    )
    for bucket, procedure, level, nature, group, n in rows:
        counted[bucket].findings[(procedure, level, group)] += n
        counted[bucket].findings_by_nature[(level, nature, group)] += n


# A row of _fill_stages_answered: the timeliness row first (_AT says where each date is).
_ANSWERED = [
    "responded",
    "case__procedure",
    "level",
    "paused_working_days",
    "extension_reason_id",
    "complainant_agreed_extension",
    *_DATES,
    "withdrawn",
    "outcome__group",
    "went_on",
    "investigator_fee",
    "independent_person_fee",
    "panel_cost",
    "pk",
    "case__service_area__name",
]
_TIMELINESS_ROW = 6 + len(_DATES)  # the columns _band and _fill_panel_steps read


def _fill_stages_answered(counted, periods, area):
    """Stages completed and withdrawn: escalation, outcomes, timeliness, the review panel's
    steps and the costs of investigations and panels, from one read of the stages answered."""
    in_force_on = _MeasuresInForce()
    for f, period in zip(counted, periods, strict=True):
        # The table names the timescale in force at the period's end; each stage is measured
        # against the one in force when it was requested.
        f.timeliness = {
            key: Timeliness(
                target_days=m.target_days, max_days=m.max_days, base=f.counting.on_time_base
            )
            for key, m in in_force_on.on(period.end).items()
        }
    basis = counted[0].counting.basis
    responded, in_responded = _fact("responded_on", periods, basis)
    withdrawn, in_withdrawn = _fact("withdrawn_on", periods, basis)
    stages = Stage.objects.filter(in_responded | in_withdrawn)
    if area is not None:
        stages = stages.filter(case__service_area=area)
    stages = stages.annotate(
        responded=responded,
        withdrawn=withdrawn,
        went_on=Exists(Stage.objects.filter(case=OuterRef("case"), level=OuterRef("level") + 1)),
    )
    rows = list(stages.values_list(*_ANSWERED).order_by())
    imported = {}  # (period, stage) → (level, service area, the fees on the stage)
    groups = defaultdict(list)  # the completed stages' timeliness rows, by stage
    for row in rows:
        responded_at, procedure, level = row[:3]
        key = (procedure, level)
        withdrawn_at, group, went_on, fee, person_fee, panel_cost, pk, area_name = row[
            _TIMELINESS_ROW:
        ]
        if withdrawn_at is not None:
            f = counted[withdrawn_at]
            f.stages_withdrawn[key] += 1
            if key in f.timeliness:
                f.timeliness[key].withdrawn += 1
        if responded_at is None:
            continue
        groups[key].append(row)
        f = counted[responded_at]
        f.stages_completed[key] += 1
        if went_on:
            f.escalated[key] += 1
        if group is not None:
            f.outcomes[(procedure, level, group)] += 1
        if level == Level.INVESTIGATION and (fee is not None or person_fee is not None):
            imported[(responded_at, pk)] = (level, area_name, (fee or 0) + (person_fee or 0))
        if level == Level.REVIEW_PANEL and panel_cost is not None:
            imported[(responded_at, pk)] = (level, area_name, panel_cost)
    _fill_costs(counted, periods, area, imported)
    requested = _AT["requested_on"]
    for key, group in groups.items():
        by_measure = defaultdict(list)
        for row in group:
            measure = in_force_on.on(row[requested]).get(key)
            if measure is not None and key in counted[row[0]].timeliness:
                by_measure[measure].append(row)
        for measure, measured in by_measure.items():
            _band(counted, key, measure, measured)
    _fill_panel_steps(counted, groups.get((Procedure.STATUTORY, Level.REVIEW_PANEL), []))


def _money(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def _fill_ongoing(counted, periods, area):
    """Stages not yet answered: on the intake basis, the period's complaints' stages with no
    response or withdrawal yet; on the completions basis, every stage open on the period's
    last day, as it stood then."""
    stages = Stage.objects.all()
    if area is not None:
        stages = stages.filter(case__service_area=area)
    if counted[0].counting.basis == Basis.INTAKE:
        stages = stages.filter(
            responded_on__isnull=True,
            withdrawn_on__isnull=True,
            case__received_on__gte=min(p.start for p in periods),
            case__received_on__lte=max(p.end for p in periods),
        )
        ongoing = [Q(case__received_on__range=(p.start, p.end)) for p in periods]
    else:
        ends = [p.end for p in periods]
        stages = (
            stages.filter(requested_on__lte=max(ends))
            .exclude(responded_on__lt=min(ends))
            .exclude(withdrawn_on__lt=min(ends))
        )
        ongoing = [
            Q(requested_on__lte=day)
            & (Q(responded_on__isnull=True) | Q(responded_on__gt=day))
            & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
            for day in ends
        ]
    counts = {f"ongoing{i}": Count("pk", filter=q) for i, q in enumerate(ongoing)}
    for f in counted:
        for t in f.timeliness.values():
            t.ongoing = 0
    rows = stages.values_list("case__procedure", "level").annotate(**counts).order_by()
    for procedure, level, *ongoing_counts in rows:
        for f, n in zip(counted, ongoing_counts, strict=True):
            if (procedure, level) in f.timeliness:
                f.timeliness[(procedure, level)].ongoing += n


def _band(counted, key, measure: Measure, group: list) -> None:
    """Count completed stages measured against one timescale into the timeliness bands."""
    start, requested = _AT[measure.clock_start], _AT["requested_on"]
    starts = [row[start] or row[requested] for row in group]
    days = working_days_between_many(
        starts, [row[_AT["responded_on"]] for row in group], measure.calendar
    )
    for row, taken in zip(group, days.tolist(), strict=True):
        t = counted[row[0]].timeliness[key]
        taken = max(0, taken - row[3])
        t.completed += 1
        t.total_days += taken
        if taken <= measure.target_days:
            t.within_target += 1
        elif measure.max_days is not None and taken <= measure.max_days:
            t.within_maximum += 1
        else:
            t.beyond_maximum += 1
        if row[4] is not None:
            t.extended += 1
            t.extended_agreed += bool(row[5])


def _fill_panel_steps(counted, rows):
    for f in counted:
        f.panel_steps = {step: [0, 0] for step in PANEL_STEPS}
    targets = panel_step_targets()
    for step, ts in targets.items():
        start, end = _AT[ts.clock_start], _AT[_STEP_END[step]]
        measured = [row for row in rows if row[start] and row[end]]
        calendar = Calendar.CORPORATE if ts.counts_closure_days else Calendar.STATUTORY
        days = working_days_between_many(
            [r[start] for r in measured], [r[end] for r in measured], calendar
        )
        for row, taken in zip(measured, days.tolist(), strict=True):
            counted[row[0]].panel_steps[step][1] += 1
            counted[row[0]].panel_steps[step][0] += taken <= ts.target_days


def _fill_costs(counted, periods, area, imported: dict):
    """What Stage 2 investigations and Stage 3 panels cost (the rule in the module docstring):
    the fees on the stages in `imported`, its panel members' fees, and its appointments'
    costs, each counted once; two queries."""
    basis = counted[0].counting.basis
    member_fees = _stages_counted(
        PanelMember.objects.filter(
            fee__isnull=False,
            stage__level=Level.REVIEW_PANEL,
            stage__case__procedure=Procedure.STATUTORY,
        ),
        "responded_on",
        periods,
        area,
        basis,
        to_stage="stage__",
    ).values_list("bucket", "stage_id", "stage__case__service_area__name", "fee")
    for bucket, stage, area_name, fee in member_fees.order_by():
        _, _, before = imported.get((bucket, stage), (None, None, 0))
        imported[(bucket, stage)] = (Level.REVIEW_PANEL, area_name, before + fee)
    appointments = _stages_counted(
        costs.with_costs(
            Appointment.objects.filter(stage__level__in=(Level.INVESTIGATION, Level.REVIEW_PANEL))
        ),
        "responded_on",
        periods,
        area,
        basis,
        to_stage="stage__",
    ).values_list(
        "bucket",
        "stage_id",
        "stage__level",
        "stage__case__service_area__name",
        "member__engagement",
        "rate",
        "time_quantity",
        "time_expenses",
        "time_entries",
        "approved_invoices",
        "invoiced",
    )
    spent = defaultdict(Decimal)  # (period, level, internal/external/imported) → £
    costed = defaultdict(set)  # (period, level) → stages
    by_area = defaultdict(Decimal)  # (period, level, area) → £
    costed_by_area = defaultdict(set)  # (period, level, area) → stages

    def add(bucket, stage, level, area_name, who, amount):
        area_name = area_name or NOT_RECORDED
        spent[(bucket, level, who)] += amount
        costed[(bucket, level)].add(stage)
        by_area[(bucket, level, area_name)] += amount
        costed_by_area[(bucket, level, area_name)].add(stage)

    for (bucket, stage), (level, area_name, amount) in imported.items():
        add(bucket, stage, level, area_name, "imported", amount)
    for bucket, stage, level, area_name, engagement, *sums in appointments.order_by():
        rate, quantity, expenses, entries, approved, invoiced = sums
        if not costs.is_costed(entries, approved):
            continue
        who = "internal" if engagement == PoolMember.Engagement.INTERNAL else "external"
        amount = costs.cost_from(rate, quantity, expenses, approved, invoiced)
        add(bucket, stage, level, area_name, who, amount)

    prefix = {Level.INVESTIGATION: "investigation", Level.REVIEW_PANEL: "panel"}
    for (bucket, level, who), amount in spent.items():
        f, name = counted[bucket], prefix[level]
        setattr(f, f"{name}_costs_{who}", _money(amount))
        setattr(f, f"{name}_costs", _money(getattr(f, f"{name}_costs") + amount))
    for (bucket, level), stages in costed.items():
        setattr(counted[bucket], f"{prefix[level]}s_costed", len(stages))
    for (bucket, level, area_name), amount in by_area.items():
        f, name = counted[bucket], prefix[level]
        getattr(f, f"{name}_costs_by_area")[area_name] = _money(amount)
        getattr(f, f"{name}s_costed_by_area")[area_name] = len(
            costed_by_area[(bucket, level, area_name)]
        )


def _fill_remedies(counted, periods, area):
    basis = counted[0].counting.basis
    remedies = _stages_counted(
        Remedy.objects.all(), "responded_on", periods, area, basis, to_stage="stage__"
    )
    rows = remedies.values_list("bucket", "kind__label", "kind__requires_amount").annotate(
        n=Count("pk"), paid=Count("amount"), total=Sum("amount")
    )
    payments = defaultdict(list)
    for bucket, kind, requires_amount, n, paid, total in rows.order_by():
        counted[bucket].remedies[kind] += n
        if requires_amount and paid:
            payments[bucket].append((paid, total))
    for bucket, paid in payments.items():
        counted[bucket].payments_made = sum(n for n, _ in paid)
        counted[bucket].payments = _money(sum(total for _, total in paid))


def _fill_compliments(counted, periods, area):
    compliments = _in_periods(
        Compliment.objects.all(), "received_on", periods, area, "service_area"
    )
    for bucket, service, source, n in _grouped(compliments, "service_area__name", "source__label"):
        counted[bucket].compliments[service] += n
        counted[bucket].compliment_sources[source] += n


def _fill_learning(counted, periods, area):
    forms = _in_periods(
        LessonsLearnt.objects.all(), "stage__responded_on", periods, area, "case__service_area"
    )
    rows = forms.values_list("bucket").annotate(**RETURN_COUNTS)
    for bucket, owed, returned, on_time in rows.order_by():
        counted[bucket].lessons = ReturnRate(owed, returned, on_time, owed - returned)


def _fill_actions(counted, periods, area):
    """Actions agreed and completed in each period, and as at its last day the progress of
    those agreed in it and of those agreed in the year before it."""
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    actions = AgreedAction.objects.filter(
        Q(created_at__date__gte=first - YEAR_BEFORE, created_at__date__lte=last)
        | Q(status=AgreedAction.Status.DONE, completed_on__gte=first, completed_on__lte=last)
    )
    if area is not None:
        actions = actions.filter(case__service_area=area)
    rows = list(actions.values_list("created_at__date", "due_on", "completed_on", "status"))
    agreed, due = _ordinals(r[0] for r in rows), _ordinals(r[1] for r in rows)
    completed = _ordinals(r[2] for r in rows)  # never: after every period
    status_done = np.array([r[3] == AgreedAction.Status.DONE for r in rows], dtype=bool)
    for f, period in zip(counted, periods, strict=True):
        start, end = period.start.toordinal(), period.end.toordinal()
        this = (agreed >= start) & (agreed <= end)
        year_before = (agreed >= start - YEAR_BEFORE.days) & (agreed < start)
        done = completed <= end
        f.actions_agreed = int(this.sum())
        f.actions_completed = int((status_done & (completed >= start) & done).sum())
        progress = {
            "done": this & done,
            "open": this & ~done & (due > end),
            "overdue": this & ~done & (due <= end),
            "earlier_done": year_before & done,
            "earlier_open": year_before & ~done,
        }
        f.actions_progress = Counter({k: int(m.sum()) for k, m in progress.items() if m.any()})


YEAR_BEFORE = dt.timedelta(days=365)  # the actions "agreed the year before" a period


def _ordinals(dates) -> np.ndarray:
    """Dates as day numbers; no date as a day after every period."""
    return np.fromiter(
        (d.toordinal() if d is not None else dt.date.max.toordinal() for d in dates),
        dtype=np.int64,
    )


def _fill_ombudsman(counted, periods, area):
    ombudsman = annual_letter_figures_for([(p.start, p.end) for p in periods], service_area=area)
    for f, letter in zip(counted, ombudsman, strict=True):
        f.ombudsman = letter


# What became of a complaint received, in the order councils list it. Findings keep their
# Finding.Group; the rest say how it ended without one.
OUTCOME_OF_COMPLAINT = {
    Finding.Group.UPHELD: "Upheld",
    Finding.Group.PARTIALLY_UPHELD: "Partially upheld",
    Finding.Group.NOT_UPHELD: "Not upheld",
    Finding.Group.UNABLE_TO_DETERMINE: "Unable to determine (inconclusive)",
    Finding.Group.NO_FINDING: "No finding",
    Finding.Group.INFORMAL_RESOLUTION: "Resolved informally (Stage 0)",
    "withdrawn_before": "Withdrawn before Stage 1",
    "withdrawn_during": "Withdrawn during a stage",
    Finding.Group.SIGNPOSTED: "Signposted",
    Finding.Group.UNABLE_TO_PROCEED: "Unable to proceed",
    "ongoing": "Ongoing",
}


def _fill_complaint_outcomes(counted, periods, area):
    """What became of each complaint received in the period that has a stage, as it stands
    when counted, from its first stage that answers it: Stage 1 (or the stage it started at, if
    later), else Stage 0; of two at one level, the one requested first. Complaints refused or
    with no stage yet are counted with the representations."""
    answers_first = Switch(
        When(level__gte=Level.LOCAL_RESOLUTION, then=F("level")),
        default=Value(Level.REVIEW_PANEL + 1),  # Stage 0 answers only if nothing else does
        output_field=IntegerField(),
    )
    before = Q(order__lt=OuterRef("order")) | Q(
        order=OuterRef("order"), requested_on__lt=OuterRef("requested_on")
    )
    before |= Q(
        order=OuterRef("order"), requested_on=OuterRef("requested_on"), pk__lt=OuterRef("pk")
    )
    earlier = Stage.objects.filter(case=OuterRef("case")).annotate(order=answers_first)
    answering = (
        Stage.objects.filter(_of_case(COMPLAINT_RECEIVED), case__refusal_reason__isnull=True)
        .annotate(order=answers_first)
        .exclude(Exists(earlier.filter(before)))
    )
    stages = _in_periods(answering, "case__received_on", periods, area, "case__service_area")
    unable = Q(outcome__group=Finding.Group.UNABLE_TO_PROCEED)
    rows = stages.values_list(
        "bucket",
        "case__procedure",
        "level",
        ExpressionWrapper(Q(responded_on__isnull=False), output_field=BooleanField()),
        ExpressionWrapper(Q(withdrawn_on__isnull=False), output_field=BooleanField()),
        "outcome__group",
        Switch(When(unable, then=F("outcome__label"))),
    ).annotate(n=Count("pk"))
    for bucket, procedure, level, responded, withdrawn, group, reason, n in rows.order_by():
        if withdrawn:
            outcome = "withdrawn_before" if level == Level.EARLY_RESOLUTION else "withdrawn_during"
        elif responded:
            outcome = group or Finding.Group.NO_FINDING
        else:
            outcome = "ongoing"
        counted[bucket].complaint_outcomes[(procedure, outcome)] += n
        if outcome == Finding.Group.UNABLE_TO_PROCEED:
            counted[bucket].unable_reasons[(procedure, reason or NOT_RECORDED)] += n


def _fill_appointments(counted, periods, area):
    """Days to appoint (the delay Redcar & Cleveland reported): for each statutory Stage 2,
    working days (statutory calendar) from its request to the first appointment of an
    investigating officer from the pool, counted in the period of that appointment (on the
    intake basis, of the case's receipt). A reassignment is not a second appointment."""
    first = pool.first_appointments(Part.INVESTIGATING_OFFICER)
    on = (
        "stage__case__received_on" if counted[0].counting.basis == Basis.INTAKE else "appointed_on"
    )
    rows = _in_periods(first, on, periods, area, "stage__case__service_area")
    seen = {}
    for stage, bucket, requested, appointed in rows.values_list(
        "stage", "bucket", "stage__requested_on", "appointed_on"
    ).order_by():
        seen[stage] = (bucket, requested, appointed)  # two the same first day count once
    if not seen:
        return
    buckets, requested, appointed = zip(*seen.values(), strict=True)
    days = working_days_between_many(list(requested), list(appointed))
    for bucket, n in zip(buckets, days, strict=True):
        counted[bucket].appointments_made += 1
        counted[bucket].days_to_appoint_total += int(max(n, 0))


_FILLERS = [
    _fill_representations,
    _fill_complaint_profile,
    _fill_complaint_outcomes,
    _fill_stages_requested,
    _fill_stages_answered,
    _fill_remedies,
    _fill_compliments,
    _fill_learning,
    _fill_appointments,
]


# Counted for each period asked for, a financial year with its quarters too.
_EACH_PERIOD = [_fill_ongoing, _fill_actions, _fill_ombudsman]
