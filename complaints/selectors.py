"""Reads. `cases_visible_to` is the one place that decides which cases a person may see; every
view and API call starts from it."""

import datetime as dt
import functools
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, router, transaction
from django.db.models import (
    Aggregate,
    DateField,
    DateTimeField,
    DecimalField,
    Exists,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from complaints.deadlines import ACTIVE_STATES
from complaints.models import (
    AgreedAction,
    Case,
    Child,
    Complainant,
    Contact,
    Deadline,
    Document,
    Element,
    ElementFinding,
    Event,
    LessonsLearnt,
    Letter,
    PanelMember,
    Remedy,
    ServiceArea,
    Stage,
    Team,
)
from complaints.workingdays import add_working_days

REPEAT_WINDOW_DAYS = 365

# A complaint received, as the reports count one: a representation accepted into a procedure,
# whatever kind it came in as, or one made as a complaint and refused or not yet screened.
COMPLAINT_RECEIVED = ~Q(procedure="") | Q(kind=Case.Kind.COMPLAINT)
# Accepted into a procedure (a refused complaint may have one too).
ACCEPTED = ~Q(procedure="") & Q(refusal_reason__isnull=True)


def sees_every_case(user) -> bool:
    return user.is_authenticated and user.has_perm("complaints.view_all_cases")


def cases_visible_to(
    user, among: QuerySet[Case] | None = None, *, one_case: bool = False
) -> QuerySet[Case]:
    """The cases (of `among`, all by default) this person may see. `one_case` when asking of
    a single case (`access.case_or_404`): each test then probes that case's own rows, where a
    list hashes the person's whole caseload once (13,000 stages for a team manager at 100,000
    cases, 30 ms, to look at one)."""
    cases = Case.objects.all() if among is None else among
    if not user.is_authenticated:
        return cases.none()
    if sees_every_case(user):
        return cases
    # Everyone else sees the cases they act on: their team's, their service's, the ones they
    # investigate or sit on a panel for, the call-backs they are to make, and the ones they
    # logged themselves. Subqueries rather
    # than joins: no duplicates to remove. The person's teams are looked up first: a join here
    # would be rebuilt in every query.
    teams = list(Team.objects.filter(manager=user).values_list("pk", flat=True))
    appointed = Q(investigating_officer=user) | Q(independent_person=user)
    acting_on = Stage.objects.filter(
        Q(team_id__in=teams)
        | Q(responding_manager=user)
        | Q(adjudicating_officer=user)
        | (appointed & _appointment_live(""))
    )
    on_panel = PanelMember.objects.filter(_appointment_live("stage__"), user=user)
    if one_case:
        acts = Q(Exists(acting_on.filter(case=OuterRef("pk"))))
        sits = Q(Exists(on_panel.filter(stage__case=OuterRef("pk"))))
    else:
        acts = Q(pk__in=acting_on.values("case_id"))
        sits = Q(pk__in=on_panel.values("stage__case_id"))
    headed = ServiceArea.objects.filter(head_of_service=user).values("pk")
    return cases.filter(
        acts | sits | Q(service_area_id__in=headed) | Q(logged_by=user) | Q(callback_by=user)
    )


def _appointment_live(stage: str) -> Q:
    """An investigating officer's, independent person's or panel member's appointment lasts
    while their stage is open and for APPOINTMENT_ACCESS_GRACE_DAYS after it ends; then the
    case is closed to them, the later stages' papers included."""
    since = timezone.localdate() - dt.timedelta(days=settings.APPOINTMENT_ACCESS_GRACE_DAYS)
    return (
        Q(**{f"{stage}responded_on__isnull": True, f"{stage}withdrawn_on__isnull": True})
        | Q(**{f"{stage}responded_on__gte": since})
        | Q(**{f"{stage}withdrawn_on__gte": since})
    )


def case_list(*, user) -> QuerySet[Case]:
    """Cases with what a list row shows, in a fixed number of queries."""
    return cases_visible_to(user).select_related(
        "complainant",
        "service_area",
        "current_stage",
        "current_stage__team",
        "current_stage__responding_manager",
        "officer",
    )


# What a row of a case list shows: the list page, My work and the list's CSV.
CASE_ROW = [
    "reference",
    "kind",
    "procedure",
    "state",
    "received_on",
    "next_due_on",
    "complainant__name",
    "service_area__name",
    "current_stage__level",
    "current_stage__team__name",
    "current_stage__team__service__name",
    "officer__username",
    "officer__first_name",
    "officer__last_name",
]


def case_rows(*, user) -> QuerySet[Case]:
    """`case_list` with only the columns a row shows: building fifty cases of fifty columns,
    and their people, costs more than reading them."""
    return (
        cases_visible_to(user)
        .select_related("complainant", "service_area", "current_stage__team__service", "officer")
        .only(*CASE_ROW)
    )


def whole_case_queryset() -> QuerySet[Case]:
    """Everything recorded on a case, in a fixed number of queries whatever it holds: what the
    API answers and a subject access bundle holds, the whole timeline included."""
    stages = Stage.objects.select_related(
        "team__manager",
        "team__service",
        "responding_manager",
        "investigating_officer",
        "independent_person",
        "adjudicating_officer",
        "outcome",
        "extension_reason",
        "escalation_reason",
        "previous_response_method",
        "withdrawal_reason",
    ).prefetch_related(
        Prefetch("deadlines", queryset=Deadline.objects.order_by("due_on")),
        Prefetch(
            "element_findings",
            queryset=ElementFinding.objects.select_related("element", "finding"),
        ),
        Prefetch("remedies", queryset=Remedy.objects.select_related("kind")),
        "panel_members",
        "pauses",
    )
    # Not joined: the refusal reason, repeat, call-back and advocate, which few cases have (an
    # empty one costs no query). Each join costs PostgreSQL planning time on every page.
    return Case.objects.select_related(
        "complainant__relationship",
        "channel",
        "service_area__head_of_service",
        "officer",
        "logged_by",
        "eligibility_ground",
        "current_stage__team__manager",
        "current_stage__team__service",
    ).prefetch_related(
        Prefetch("stages", queryset=stages),
        Prefetch("elements", queryset=Element.objects.select_related("nature")),
        "children",
        "outcome_sought",
        Prefetch("events", queryset=Event.objects.select_related("actor", "stage")),
        Prefetch("contacts", queryset=Contact.objects.select_related("recorded_by")),
        Prefetch("documents", queryset=Document.objects.select_related("uploaded_by", "stage")),
        Prefetch("letters", queryset=Letter.objects.select_related("document", "drafted_by")),
        "notifications",
        Prefetch(
            "lessons_learnt",
            queryset=LessonsLearnt.objects.select_related(
                "stage", "team", "submitted_by", "owed_by"
            ),
        ),
        Prefetch("ombudsman_cases", queryset=_ombudsman_cases().select_related("decision")),
        Prefetch("agreed_actions", queryset=AgreedAction.objects.select_related("owner")),
    )


@contextmanager
def joins_as_written():
    """Within it, PostgreSQL joins tables in the order a query names them. A page's queries
    start from the case (or stage) and look each other row up by its key, so weighing every
    other order only costs planning time: at 100,000 cases, more than running them took."""
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(  # local: the transaction's end puts it back
            "SELECT current_setting('join_collapse_limit'), "
            "set_config('join_collapse_limit', '1', true)"
        )
        before = cursor.fetchone()[0]
        yield
        if nested:  # the transaction goes on: put it back now
            cursor.execute("SELECT set_config('join_collapse_limit', %s, true)", [before])


def case_page_queryset() -> QuerySet[Case]:
    """What the case page shows, in a fixed number of queries whatever the case holds: the
    case's children and outcome sought come with the case, and each stage's deadlines,
    findings and remedies with the stages, as JSON (`case_page_lists` puts them in place); the
    timeline has a page of its own (`latest_moves` for the few the case page shows). Only
    what the page shows is joined, and what `access.holds_case` reads: each join costs
    PostgreSQL planning time on every page, more than reading its row."""
    stages = Stage.objects.select_related(
        "team__service", "responding_manager", "investigating_officer", "independent_person"
    ).annotate(**_json_lists()["stage"])
    return (
        Case.objects.select_related(
            "complainant__relationship",
            "channel",
            "service_area",
            "officer",
            "current_stage__team",
        )
        .annotate(**_json_lists()["case"])
        .prefetch_related(
            Prefetch("stages", queryset=stages),
            Prefetch("elements", queryset=Element.objects.select_related("nature")),
            "documents",
            Prefetch("letters", queryset=Letter.objects.select_related("drafted_by")),
            Prefetch(
                "lessons_learnt",
                queryset=LessonsLearnt.objects.select_related("stage", "submitted_by", "owed_by"),
            ),
            Prefetch("ombudsman_cases", queryset=_ombudsman_cases().select_related("decision")),
            Prefetch("agreed_actions", queryset=AgreedAction.objects.select_related("owner")),
        )
    )


def case_timeline_queryset() -> QuerySet[Case]:
    """What the timeline page reads: the case and the four lists `case_timeline` merges."""
    return Case.objects.prefetch_related(
        Prefetch("events", queryset=Event.objects.select_related("actor", "stage")),
        Prefetch("contacts", queryset=Contact.objects.select_related("recorded_by")),
        Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
        "notifications",
    )


# The case's own choices the page shows, read with the case: (relation, the order shown).
_CASE_LISTS = (
    ("children", lambda child: child.pk),
    ("outcome_sought", lambda kind: (kind.order, kind.label)),
)
# The lists each stage shows, read with the stages: (relation, model, the foreign keys joined
# into each row, the order shown).
_STAGE_LISTS = (
    ("deadlines", Deadline, (), lambda d: (d.due_on, d.pk)),
    ("panel_members", PanelMember, (), lambda p: (p.role != PanelMember.Role.CHAIR, p.pk)),
    (
        "element_findings",
        ElementFinding,
        ("element", "finding"),
        lambda f: (f.element.number, f.pk),
    ),
    ("remedies", Remedy, ("kind",), lambda r: r.pk),
)


def case_page_lists(case: Case) -> list[Stage]:
    """Puts in place the lists `case_page_queryset` read as JSON, as if prefetched (so that
    `case.children.all()` or `stage.deadlines.all()` asks nothing more); returns the stages."""
    for name, order in _CASE_LISTS:
        model = Case._meta.get_field(name).related_model
        rows = getattr(case, _json_name(name)) or []
        _as_prefetched(case, name, sorted((_rebuilt(model, r) for r in rows), key=order))
    stages = list(case.stages.all())
    for stage in stages:
        for name, model, joined, order in _STAGE_LISTS:
            rows = getattr(stage, _json_name(name)) or []
            _as_prefetched(
                stage, name, sorted((_rebuilt(model, r, joined) for r in rows), key=order)
            )
    return stages


@functools.cache
def _json_lists() -> dict[str, dict[str, RawSQL]]:
    """The JSON lists' subqueries, built once: building them takes longer than running them,
    and `annotate` copies them for each query."""
    return {
        "case": {_json_name(name): _chosen_as_json(name) for name, _ in _CASE_LISTS},
        "stage": {
            _json_name(name): _rows_as_json(model, joined)
            for name, model, joined, _ in _STAGE_LISTS
        },
    }


def _json_name(relation: str) -> str:
    return f"json_{relation}"


class _JSONRows(Aggregate):
    """A group's rows as one JSON array."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _columns(model, prefix: str = "") -> dict:
    return {f.attname: f"{prefix}{f.attname}" for f in model._meta.concrete_fields}


def _json_array(rows: QuerySet, parent: str, fields: dict) -> RawSQL:
    """The outer row's `rows` (`parent` names the outer row), as one JSON array: a list read
    in the outer row's query rather than in a query of its own. Its SQL is written once, here:
    turning a JSON object of every column into SQL costs more than running it, on every page.
    So the outer query must read its model's own table by name, not as a subquery."""
    outer = rows.model._meta.get_field(parent).related_model
    rows = (
        rows.filter(**{parent: OuterRef("pk")})
        .order_by()
        .values(parent)
        .annotate(rows=_JSONRows(JSONObject(**fields)))
        .values("rows")
    )
    query = outer.objects.all().query
    compiler = query.get_compiler(using=router.db_for_read(outer))
    sql, params = Subquery(rows).resolve_expression(query).as_sql(compiler, compiler.connection)
    # The ORM wrote this SQL, with its values as parameters: nothing of a user in the text.
    return RawSQL(sql, params, output_field=JSONField())  # nosec B611


def _rows_as_json(model, joined: tuple[str, ...]) -> RawSQL:
    """A stage's rows of `model`, each with its `joined` foreign keys' rows inside it."""
    fields = _columns(model)
    for name in joined:
        fields[name] = JSONObject(
            **_columns(model._meta.get_field(name).related_model, f"{name}__")
        )
    return _json_array(model.objects.all(), "stage", fields)


def _chosen_as_json(relation: str) -> RawSQL:
    """What a case's many-to-many `relation` holds, read through its table of pairs."""
    field = Case._meta.get_field(relation)
    target = f"{field.m2m_reverse_field_name()}__"
    pairs = field.remote_field.through.objects.all()
    return _json_array(pairs, field.m2m_field_name(), _columns(field.related_model, target))


def _rebuilt(model, row: dict, joined: tuple[str, ...] = ()):
    """A model instance from its row as JSON, as if read from the database. Plain columns
    only (text, numbers, dates and times, booleans): a JSON column would come back as text."""
    if row is None or row.get(model._meta.pk.attname) is None:
        return None  # a foreign key left empty
    fields = model._meta.concrete_fields
    instance = model.from_db(
        "default", [f.attname for f in fields], [_json_value(f, row[f.attname]) for f in fields]
    )
    for name in joined:
        setattr(instance, name, _rebuilt(model._meta.get_field(name).related_model, row[name]))
    return instance


def _json_value(field, value):
    if value is None:
        return None
    if isinstance(field, DecimalField):  # a JSON number: keep the field's decimal places
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, DateTimeField):
        moment = parse_datetime(value)
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)
    if isinstance(field, DateField):
        return dt.date.fromisoformat(value[:10])
    return field.to_python(value)


def with_rows_as_json(queryset: QuerySet, relation: str) -> QuerySet:
    """`queryset` with its rows' reverse foreign key `relation` read in the same query (plain
    columns only); `rows_in_place` then puts each list in place as if prefetched."""
    return queryset.annotate(
        **{_json_name(relation): _reverse_rows_as_json(queryset.model, relation)}
    )


@functools.cache
def _reverse_rows_as_json(model, relation: str) -> RawSQL:
    related = model._meta.get_field(relation)
    return _json_array(
        related.related_model.objects.all(), related.field.name, _columns(related.related_model)
    )


def rows_in_place(instances, relation: str, order=lambda row: row.pk) -> None:
    for instance in instances:
        model = type(instance)._meta.get_field(relation).related_model
        rows = getattr(instance, _json_name(relation)) or []
        _as_prefetched(instance, relation, sorted((_rebuilt(model, r) for r in rows), key=order))


def _as_prefetched(instance, relation: str, objects: list) -> None:
    """`instance.<relation>.all()` answers `objects`, as `prefetch_related` leaves it."""
    queryset = getattr(instance, relation).all()
    queryset._result_cache, queryset._prefetch_done = objects, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


def _ombudsman_cases() -> QuerySet:
    # The ombudsman app builds on this one, so its model is reached through the relation.
    return Case._meta.get_field("ombudsman_cases").related_model.objects.all()


@dataclass
class TimelineEntry:
    at: dt.datetime | dt.date
    title: str
    detail: str = ""
    actor: object = None
    document: Document | None = None


def case_timeline(case: Case, *, may_open=lambda document: True) -> list[TimelineEntry]:
    """Moves, notes of contact and documents, newest first, from the page's prefetched rows;
    only the documents the reader `may_open` (access.may_download)."""
    entries = [_move_entry(event) for event in case.events.all()]
    for contact in case.contacts.all():
        who = f" with {contact.with_whom}" if contact.with_whom else ""
        entries.append(
            TimelineEntry(
                contact.happened_on,
                f"{contact.get_kind_display()}{who}",
                contact.note,
                contact.recorded_by,
            )
        )
    for document in filter(may_open, case.documents.all()):
        entries.append(
            TimelineEntry(
                document.uploaded_at,
                f"{document.get_kind_display()}: {document.title}",
                actor=document.uploaded_by,
                document=document,
            )
        )

    for note in case.notifications.all():
        status = note.get_status_display().lower()
        if note.status == note.Status.SENT:
            status = f"sent {timezone.localtime(note.sent_at):%-d %b %Y %H:%M}"
        if note.calendar:
            # Panel members' addresses are theirs, not for everyone who reads the case.
            to = (
                "To the complainant, with the calendar entry"
                if note.key.endswith(":complainant")
                else "To a member of the panel, with the calendar entry"
            )
        elif note.attachment_id:
            # A letter to the complainant: their address is not for everyone who reads the case.
            to = "To the complainant, with the letter as a PDF"
        else:
            copy = f" (copy {', '.join(note.cc)})" if note.cc else ""
            to = f"To {', '.join(note.to)}{copy}"
        entries.append(
            TimelineEntry(note.created_at, f"E-mail: {note.subject}", f"{to} · {status}")
        )

    def key(numbered):
        n, entry = numbered
        at = entry.at
        if isinstance(at, dt.datetime):
            at = timezone.localtime(at).replace(tzinfo=None)
        else:
            at = dt.datetime.combine(at, dt.time.max)
        return (at, n)  # rows of the same moment keep the order they were written in

    return [entry for _, entry in sorted(enumerate(entries), key=key, reverse=True)]


# How many of the latest moves the case page shows; the rest are on the timeline's page.
LATEST_MOVES = 5


def latest_moves(case: Case) -> list[TimelineEntry]:
    """The case's latest moves, newest first, in one query."""
    events = case.events.select_related("actor", "stage").order_by("-at", "-pk")
    return [_move_entry(event) for event in events[:LATEST_MOVES]]


def _move_entry(event: Event) -> TimelineEntry:
    from complaints.workflow import Move

    # Events beside the moves (a panel meeting cancelled) are titled from their name.
    title = dict(Move.choices).get(event.move) or event.move.replace("_", " ").capitalize()
    if event.stage_id and event.move in {"accept", "escalate", "reopen"}:
        title = f"{title}: {event.stage.get_level_display()}"
    return TimelineEntry(event.at, title, event.reason, event.actor)


@dataclass
class WorkSection:
    title: str
    cases: list
    count: int
    list_url: str


_SECTION_SIZE = 20


def _section(title: str, cases: QuerySet[Case], **list_filters) -> WorkSection:
    url = reverse("case-list") + ("?" + urlencode(list_filters) if list_filters else "")
    cases = cases.order_by("next_due_on", "received_on")
    return WorkSection(title, list(cases[:_SECTION_SIZE]), cases.count(), url)


def my_work(user, *, today: dt.date) -> list[WorkSection]:
    """The home page: what needs this person's attention, nearest deadline first."""
    visible = case_rows(user=user)
    active = visible.filter(state__in=ACTIVE_STATES)
    soon = add_working_days(today, 5)
    sections = []
    if user.has_perm("complaints.log_case") and user.has_perm("complaints.view_all_cases"):
        mine = visible.filter(Q(officer=user) | Q(officer__isnull=True))
        active = mine.filter(state__in=ACTIVE_STATES)
        sections += [
            _section("Not yet screened", mine.filter(state=Case.State.RECEIVED), state="received"),
            _section(
                "Drafts awaiting your quality check",
                mine.filter(state=Case.State.AWAITING_QA),
                state="awaiting_qa",
            ),
            _section(
                "Approved, ready to issue",
                mine.filter(state=Case.State.APPROVED),
                state="approved",
            ),
        ]
    elif user.has_perm("complaints.draft_response") or not user.has_perm(
        "complaints.view_all_cases"
    ):
        drafts = user.has_perm("complaints.draft_response")
        sections.append(
            _section(
                "Awaiting your response" if drafts else "Your open cases",
                visible.filter(
                    state__in=[Case.State.IN_PROGRESS, Case.State.PAUSED],
                    current_stage__responded_on__isnull=True,
                ),
                state="in_progress",
            )
        )
    sections += [
        _section("Overdue", active.filter(next_due_on__lt=today), overdue="true"),
        _section(
            "Due in the next 5 working days",
            active.filter(next_due_on__gte=today, next_due_on__lte=soon),
            due_within=5,
        ),
    ]
    return sections


def possible_repeats(
    *,
    complainant: Complainant | None,
    children: Iterable[Child] = (),
    today: dt.date | None = None,
) -> QuerySet[Case]:
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=REPEAT_WINDOW_DAYS)
    child_ids = [c.pk for c in children if c.pk]
    who = Q()
    if complainant is not None and complainant.pk:
        who |= Q(complainant=complainant)
    if child_ids:
        who |= Q(children__in=child_ids)
    if not who:
        return Case.objects.none()
    recent_or_open = Q(received_on__gte=since) | ~Q(
        state__in=[Case.State.CLOSED, Case.State.REFUSED, Case.State.WITHDRAWN]
    )
    return Case.objects.filter(who, recent_or_open).distinct().order_by("-received_on")
