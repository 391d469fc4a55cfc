"""Bring in a council's history: cases from a spreadsheet (CSV or XLSX), one row per case.

This is how a council moves from Respond, iCasework or its own spreadsheets. The columns are
`COLUMNS` (the template the app offers for download, `template_csv`). The rules:

- A file is refused whole, before any row is read, if it is not a CSV or XLSX spreadsheet, is
  larger than HISTORY_IMPORT_MAX_BYTES, lacks a required column or has a column the template
  does not know (a misspelt heading would otherwise lose that column's data silently).
- Every row is checked, and every problem is reported by row and column in plain words:
  unknown categories, dates that contradict each other or lie in the future, a reference used
  twice. A category is matched by its code or its label, ignoring case.
- Each case is then replayed through complaints.workflow, move by move, with the dates the file
  gives (`workflow.as_of`): every imported case is a case the workflow could have made, with
  its events dated as they happened, in order (a date before the case's previous step is a
  problem). Nothing is sent and no chase is queued for what is past.
- People are named as the app knows them: a team by its name, an officer or investigator by
  their account's user name or e-mail address (left empty when they have none here).
- The whole file is one transaction: if any row fails, nothing is written. A dry run does the
  same work and always rolls it back, so it finds everything a real run would.
- Re-importing a file updates its cases, matched by the council's own reference
  (`Case.source_reference`), keeping the reference given here; a case worked on here since
  its import is left alone and reported.
- Cases that reached a later stage start at their first stage in the file; a file that starts
  a case at Stage 2 or 3 names where the earlier stages were answered (`earlier_stages`).
"""

import csv
import datetime as dt
import io
import logging
import uuid
import zipfile
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import audit_trail as audit
from accounts.roles import Role, holders
from complaints import references, services, workflow
from complaints.errors import DomainError
from complaints.handoff import hand_off
from complaints.models import (
    CATEGORY_MODELS,
    AdvocacyProvider,
    Case,
    CaseImport,
    Channel,
    Child,
    Complainant,
    Element,
    EligibilityGround,
    EscalationReason,
    ExtensionReason,
    Finding,
    Level,
    Nature,
    Procedure,
    RefusalReason,
    Relationship,
    RemedyKind,
    ResponseMethod,
    ServiceArea,
    Team,
    WithdrawalReason,
)
from complaints.models.audit import AccessRecord
from complaints.models.cases import Event
from complaints.signals import history_imported
from complaints.spreadsheets import csv_text
from complaints.workflow import PanelSeat

log = logging.getLogger(__name__)

# More than a council's history would hold; a file beyond them is refused, not ground through.
MAX_ROWS = 200_000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
csv.field_size_limit(1_000_000)  # a summary may be long; the check then says how long

# The complainant's equality-monitoring answers: each a column named as its category list.
EQUALITY = ("gender", "ethnicity", "disability", "sexual_orientation", "age_band")

# Stage 2's appointments, by the Stage field each fills, with the roles that may fill it (as
# the appointment form offers them) and the name of the list they are checked against.
APPOINTED = {
    "investigating_officer": ((Role.INVESTIGATING_OFFICER,), "investigating officers"),
    "independent_person": ((Role.INDEPENDENT_PERSON,), "independent persons"),
    "adjudicating_officer": ((Role.SENIOR_MANAGER, Role.HEAD_OF_SERVICE), "adjudicators"),
}
OFFICERS = (Role.COMPLAINTS_OFFICER, Role.COMPLAINTS_MANAGER)

LEVELS = (Level.EARLY_RESOLUTION, Level.LOCAL_RESOLUTION, Level.INVESTIGATION, Level.REVIEW_PANEL)
LIST_SEPARATOR = ";"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    example: str = ""
    required: bool = False


def _stage_columns(level: int) -> list[Column]:
    n = f"stage{level}_"
    name = Level(level).label
    columns = [
        Column(
            n + "requested_on",
            f"When {name} was requested (the first stage: leave empty for the date received)",
            "",
        ),
        Column(n + "acknowledged_on", f"When the {name} request was acknowledged", ""),
        Column(n + "team", f"The team that answered {name}: its name, as in the app", ""),
        Column(n + "responded_on", f"When the {name} response was issued", ""),
        Column(n + "outcome", f"The {name} outcome: a finding's code or label", ""),
        Column(
            n + "findings",
            f"The {name} finding on each element, in the order of `natures`, separated by ;",
            "",
        ),
        Column(n + "extended_to", f"The {name} response's extended due date", ""),
        Column(
            n + "remedies",
            f"The remedies the {name} response gave, separated by ; with a payment's amount "
            "after =, e.g. apology; financial_payment=250",
            "",
        ),
        Column(n + "extension_reason", "Why it was extended: a code or label", ""),
    ]
    if level >= Level.LOCAL_RESOLUTION:
        columns += [
            Column(n + "escalation_reason", f"The main reason for asking for {name}", ""),
            Column(
                n + "previous_response_method",
                "How the previous stage was responded to: a code or label",
                "",
            ),
        ]
    if level == Level.INVESTIGATION:
        columns += [
            Column(n + "statement_agreed_on", "When the statement of complaint was agreed", ""),
            *[
                Column(
                    n + role,
                    f"The {role.replace('_', ' ')}, if they have an account here with that "
                    "role: its user name or e-mail address",
                    "",
                )
                for role in APPOINTED
            ],
            Column(n + "report_received_on", "When the investigating officer's report came", ""),
            Column(n + "investigator_fee", "The investigating officer's fee in pounds", ""),
            Column(n + "independent_person_fee", "The independent person's fee in pounds", ""),
        ]
    if level == Level.REVIEW_PANEL:
        columns += [
            Column(n + "panel_held_on", "When the review panel met", ""),
            Column(n + "panel_late_reason", "Why it met after 30 working days", ""),
            Column(n + "panel_report_on", "When the panel's report came", ""),
            Column(n + "panel_members", "The chair, then the two members, separated by ;", ""),
            Column(n + "panel_cost", "The panel's cost in pounds", ""),
        ]
    return columns


COLUMNS: list[Column] = [
    Column("reference", "The case's reference in the system it comes from", "R-2023-014", True),
    Column("kind", "What it came in as: a kind's code or label (empty: complaint)", "complaint"),
    Column("procedure", "statutory or corporate (empty only if refused or never screened)"),
    Column("received_on", "When the council received it", "2023-05-02", True),
    Column("channel", "How it came: a channel's code or label", "email", True),
    Column("summary", "What the complaint is about"),
    Column("service_area", "The service area it concerns, by name", "Safeguarding", True),
    Column("joint_service_areas", "Other service areas of a joint complaint, separated by ;"),
    Column("complainant_name", "Who complained", "A Parent", True),
    Column("complainant_relationship", "Their relationship to the child", "parent", True),
    Column("complainant_email", "Their e-mail address"),
    Column("complainant_phone", "Their telephone number"),
    Column("complainant_postcode", "Their postcode"),
    Column("on_behalf_of_child", "yes if made on a child's behalf"),
    Column("children", "The children it concerns, by name, separated by ;"),
    Column(
        "children_case_system_references",
        "Their references in the children's case system (Mosaic, Liquidlogic…), in the order "
        "of `children`, separated by ;",
    ),
    Column("children_dates_of_birth", "Their dates of birth, in the order of `children`"),
    Column("via", "direct, mp or councillor (empty: direct)"),
    Column(
        "officer",
        "The complaints officer handling it, if they have an account here as one: its user name "
        "or e-mail address",
    ),
    Column("outcome_sought", "What they asked for: remedies' codes or labels, separated by ;"),
    *[
        Column(
            name,
            "Equality monitoring, if answered: "
            f"{CATEGORY_MODELS[name]._meta.verbose_name}, a code or label",
        )
        for name in EQUALITY
    ],
    Column("advocacy_offered_on", "When an advocate was offered"),
    Column("advocacy_accepted", "yes or no: whether the offer was taken up"),
    Column("advocacy_referred_on", "When the child was referred to an advocate"),
    Column("advocacy_provider", "Who provided the advocate: a code or label"),
    Column("natures", "The nature of each element of complaint, separated by ;"),
    Column("eligibility_ground", "Who may complain under the Children Act: a code or label"),
    Column("accepted_on", "When it was accepted (empty: the date received)"),
    Column("earlier_stages", "Where earlier stages were answered, if it starts at Stage 2 or 3"),
    Column("refused_on", "When it was refused"),
    Column("refusal_reason", "Why it was refused: a code or label"),
    Column("withdrawn_on", "When it was withdrawn, at the last stage it reached"),
    Column("withdrawal_reason", "Why: a code or label"),
    *[column for level in LEVELS for column in _stage_columns(level)],
    Column(
        "closed_on",
        "When the case was closed after its last response, or a representation that was not "
        "a complaint was dealt with",
    ),
]


class FileRefused(DomainError):
    """The file as a whole cannot be read as a history import."""


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: the heading is row 1
    column: str
    message: str


@dataclass
class Result:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


def template_csv() -> str:
    """The downloadable template: the headings, then a row saying what each means."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow([("Required. " if c.required else "") + c.meaning for c in COLUMNS])
    return out.getvalue()


# --- reading the file ---------------------------------------------------------------------


def size_limit() -> int:
    return settings.HISTORY_IMPORT_MAX_BYTES


def read_rows(name: str, data: bytes, columns: list[Column] | None = None) -> list[dict]:
    """The file's rows as {column: value}; FileRefused if it cannot be an import at all.
    `columns` are the template's (the cases' unless given)."""
    columns = COLUMNS if columns is None else columns
    known = {c.name for c in columns}
    limit = size_limit()
    if len(data) > limit:
        raise FileRefused(
            f"The file is larger than {limit / 1_048_576:.0f} MB, the most that can be "
            "imported at once. Split it into several files, for example one per year."
        )
    if data.startswith(b"PK\x03\x04"):
        header, rows = _xlsx_rows(data)
    else:
        header, rows = _csv_rows(data)
    names = [_heading(h) for h in header]
    unknown = [h for h in names if h and h not in known]
    if unknown:
        raise FileRefused(
            "The file has columns the template does not have: "
            + ", ".join(unknown)
            + ". Rename them as in the template, or remove them."
        )
    missing = [c.name for c in columns if c.required and c.name not in names]
    if missing:
        raise FileRefused("The file lacks required columns: " + ", ".join(missing) + ".")
    result = []
    try:
        for values in rows:
            row = {n: v for n, v in zip(names, values, strict=False) if n}
            if any(v not in (None, "") for v in row.values()):
                result.append(row)
                if len(result) > MAX_ROWS:
                    raise FileRefused(
                        f"The file has more than {MAX_ROWS:,} rows: split it into several."
                    )
    except (csv.Error, ValueError, KeyError, OSError, zipfile.BadZipFile) as error:
        # a cell far too long, a damaged workbook
        raise FileRefused(f"The file cannot be read as a spreadsheet ({error}).") from None
    if not result:
        raise FileRefused("The file has headings but no rows.")
    return result


def _heading(value) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def _csv_rows(data: bytes) -> tuple[list, Iterable]:
    if b"\x00" in data:
        raise FileRefused("The file is not a spreadsheet: upload it as CSV or XLSX.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileRefused("The file is empty.") from None
    if len(header) < 2:
        raise FileRefused("The file is not a spreadsheet with headings: use the template.")
    return header, reader


def _xlsx_rows(data: bytes) -> tuple[list, Iterable]:
    from openpyxl import load_workbook

    not_a_spreadsheet = FileRefused("The file is not a spreadsheet: upload it as CSV or XLSX.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise not_a_spreadsheet from None
    if unpacked > MAX_UNPACKED_BYTES:  # a few KB that unzip to gigabytes
        raise FileRefused(
            "The workbook unpacks to more than a spreadsheet of cases could hold: save it as "
            "CSV and upload that."
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        raise not_a_spreadsheet from None
    header = next(sheet.iter_rows(values_only=True, max_row=1), None)
    if not header:
        raise FileRefused("The file's first sheet is empty.")
    header = list(header)
    while header and header[-1] in (None, ""):
        header.pop()  # a sheet whose range runs to column XFD
    rows = sheet.iter_rows(values_only=True, min_row=2, max_col=max(len(header), 1))
    return header, rows


# --- checking each row --------------------------------------------------------------------


class Lookup:
    """A category list by lower-cased code and label (or the names given)."""

    def __init__(self, rows: Iterable, *keys: str | Callable):
        self.by = {}
        self.ambiguous = set()  # names that answer to more than one row
        for row in rows:
            for key in keys:
                name = str(key(row) if callable(key) else getattr(row, key)).strip().lower()
                if self.by.setdefault(name, row) != row:
                    self.ambiguous.add(name)

    def get(self, text: str):
        return self.by.get(text.strip().lower())


@dataclass
class StageRecord:
    level: int
    requested_on: dt.date | None = None
    acknowledged_on: dt.date | None = None
    team: Team | None = None
    responded_on: dt.date | None = None
    outcome: Finding | None = None
    findings: list = field(default_factory=list)
    extended_to: dt.date | None = None
    remedies: list = field(default_factory=list)  # (RemedyKind, amount or None)
    extension_reason: ExtensionReason | None = None
    escalation_reason: EscalationReason | None = None
    previous_response_method: ResponseMethod | None = None
    statement_agreed_on: dt.date | None = None
    investigating_officer: object = None  # each a user
    independent_person: object = None
    adjudicating_officer: object = None
    report_received_on: dt.date | None = None
    investigator_fee: Decimal | None = None
    independent_person_fee: Decimal | None = None
    panel_held_on: dt.date | None = None
    panel_late_reason: str = ""
    panel_report_on: dt.date | None = None
    panel_members: list = field(default_factory=list)
    panel_cost: Decimal | None = None


@dataclass
class CaseRecord:
    row: int
    values: dict  # the rest, as parsed


class RowChecker:
    """Reads one row into typed values, noting a Problem per bad cell."""

    def __init__(self, number: int, raw: dict, lookups: dict, problems: list[Problem]):
        self.number, self.raw, self.lookups, self.problems = number, raw, lookups, problems

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int = 0) -> str:
        value = self.raw.get(column)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.problem(column, "This is required and is empty.")
        if max_length and len(text) > max_length:
            self.problem(column, f"This is longer than {max_length} characters.")
        return text

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.raw.get(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = self.text(column, required=required)
        if not text:
            return None
        for pattern in DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if day > timezone.localdate():
                self.problem(column, f"{day:%-d %B %Y} is in the future.")
            return day
        self.problem(column, f"“{text}” is not a date: write it as 2023-05-31 or 31/05/2023.")
        return None

    def dates(self, column: str) -> list[dt.date | None]:
        if isinstance(self.raw.get(column), dt.date):  # a spreadsheet's date cell: just one
            return [self.date(column)]
        found = []
        for part in self.text(column).split(LIST_SEPARATOR):
            day = RowChecker(self.number, {column: part}, self.lookups, self.problems).date(column)
            found.append(day)
        return found if any(found) else []

    def category(self, column: str, lookup: str, *, required: bool = False):
        text = self.text(column, required=required)
        if not text:
            return None
        found = self.lookups[lookup].get(text)
        if text.strip().lower() in self.lookups[lookup].ambiguous:
            self.problem(
                column,
                f"More than one of the {lookup} answers to “{text}”: use a name only one has.",
            )
            return None
        if found is None:
            self.problem(column, f"“{text}” is not one of the {lookup} the app knows.")
        return found

    def many(self, column: str, lookup: str) -> list:
        found = []
        for part in self.text(column).split(LIST_SEPARATOR):
            if part.strip():
                item = self.lookups[lookup].get(part)
                if item is None:
                    self.problem(
                        column, f"“{part.strip()}” is not one of the {lookup} the app knows."
                    )
                found.append(item)
        return found

    def remedies(self, column: str) -> list[tuple]:
        found = []
        for part in self.text(column).split(LIST_SEPARATOR):
            if not part.strip():
                continue
            name, _, amount = part.partition("=")
            kind = self.lookups["remedies"].get(name)
            if kind is None:
                self.problem(column, f"“{name.strip()}” is not one of the remedies the app knows.")
                continue
            money = _pounds(amount)
            if amount.strip() and (money is None or money == 0):
                self.problem(column, f"“{amount.strip()}” is not an amount in pounds.")
                continue
            if kind.requires_amount and money is None:
                self.problem(column, f"{kind.label} needs its amount, e.g. {kind.code}=250.")
                continue
            found.append((kind, money))
        return found

    def entries(self, column: str, *, max_length: int) -> list[str]:
        """A list in the order of another, where an entry may be empty."""
        text = self.text(column)
        found = [p.strip() for p in text.split(LIST_SEPARATOR)] if text else []
        if any(len(entry) > max_length for entry in found):
            self.problem(column, f"An entry is longer than {max_length} characters.")
        return found

    def names(self, column: str) -> list[str]:
        found = [p.strip() for p in self.text(column).split(LIST_SEPARATOR) if p.strip()]
        if any(len(name) > 150 for name in found):
            self.problem(column, "A name is longer than 150 characters.")
        return found

    def yes(self, column: str) -> bool:
        text = self.text(column).lower()
        if text not in ("", "yes", "no", "y", "n", "true", "false"):
            self.problem(column, f"“{text}” should be yes or no.")
        return text in ("yes", "y", "true")

    def money(self, column: str) -> Decimal | None:
        text = self.text(column)
        amount = _pounds(text)
        if text and amount is None:
            self.problem(column, f"“{text}” is not an amount in pounds.")
        return amount


def _pounds(text: str) -> Decimal | None:
    """An amount in pounds ("£1,250.00"), or None if there is none or it is not one."""
    text = text.strip().replace("£", "").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and 0 <= amount < 10_000_000 else None


def _plural(category: str) -> str:
    return str(CATEGORY_MODELS[category]._meta.verbose_name_plural)


def _lookups() -> dict:
    teams = list(Team.objects.select_related("service"))
    return {
        "kinds": Lookup([_Choice(v, label) for v, label in Case.Kind.choices], "code", "label"),
        "procedures": Lookup(
            [_Choice(v, label) for v, label in Procedure.choices], "code", "label"
        ),
        "routes": Lookup([_Choice(v, label) for v, label in Case.Via.choices], "code", "label"),
        "channels": Lookup(Channel.objects.all(), "code", "label"),
        "service areas": Lookup(ServiceArea.objects.all(), "name"),
        # "Team (Service area)" tells apart teams of one name in two service areas.
        "teams": Lookup(teams, lambda t: f"{t.name} ({t.service.name})", "name"),
        "relationships": Lookup(Relationship.objects.all(), "code", "label"),
        "remedies": Lookup(RemedyKind.objects.all(), "code", "label"),
        "advocacy providers": Lookup(AdvocacyProvider.objects.all(), "code", "label"),
        **{
            _plural(name): Lookup(CATEGORY_MODELS[name].objects.all(), "code", "label")
            for name in EQUALITY
        },
        "natures": Lookup(Nature.objects.all(), "code", "label"),
        "findings": Lookup(Finding.objects.all(), "code", "label"),
        "eligibility grounds": Lookup(EligibilityGround.objects.all(), "code", "label"),
        "refusal reasons": Lookup(RefusalReason.objects.all(), "code", "label"),
        "withdrawal reasons": Lookup(WithdrawalReason.objects.all(), "code", "label"),
        "extension reasons": Lookup(ExtensionReason.objects.all(), "code", "label"),
        "escalation reasons": Lookup(EscalationReason.objects.all(), "code", "label"),
        "response methods": Lookup(ResponseMethod.objects.all(), "code", "label"),
        "complaints officers": Lookup(holders(*OFFICERS), "username", "email"),
        **{
            plural: Lookup(holders(*roles), "username", "email")
            for roles, plural in APPOINTED.values()
        },
    }


@dataclass(frozen=True)
class _Choice:
    code: str
    label: str


def _check_row(number: int, raw: dict, lookups: dict, problems: list[Problem]) -> dict:
    c = RowChecker(number, raw, lookups, problems)
    v = {
        "reference": c.text("reference", required=True, max_length=40),
        "kind": (c.category("kind", "kinds") or _Choice(Case.Kind.COMPLAINT, "")).code,
        "procedure": getattr(c.category("procedure", "procedures"), "code", ""),
        "received_on": c.date("received_on", required=True),
        "channel": c.category("channel", "channels", required=True),
        "summary": c.text("summary", max_length=10_000),
        "service_area": c.category("service_area", "service areas", required=True),
        "joint_service_areas": c.many("joint_service_areas", "service areas"),
        "complainant_name": c.text("complainant_name", required=True, max_length=150),
        "relationship": c.category("complainant_relationship", "relationships", required=True),
        "email": c.text("complainant_email", max_length=254),
        "phone": c.text("complainant_phone", max_length=40),
        "postcode": c.text("complainant_postcode", max_length=10),
        "equality": {name: c.category(name, _plural(name)) for name in EQUALITY},
        "advocacy_offered_on": c.date("advocacy_offered_on"),
        "advocacy_accepted": (c.yes("advocacy_accepted") if c.text("advocacy_accepted") else None),
        "advocacy_referred_on": c.date("advocacy_referred_on"),
        "advocacy_provider": c.category("advocacy_provider", "advocacy providers"),
        "on_behalf_of_child": c.yes("on_behalf_of_child"),
        "children": c.names("children"),
        "children_references": c.entries("children_case_system_references", max_length=40),
        "children_born": c.dates("children_dates_of_birth"),
        "via": getattr(c.category("via", "routes"), "code", Case.Via.DIRECT),
        "officer": c.category("officer", "complaints officers"),
        "outcome_sought": c.many("outcome_sought", "remedies"),
        "natures": c.many("natures", "natures"),
        "eligibility_ground": c.category("eligibility_ground", "eligibility grounds"),
        "accepted_on": c.date("accepted_on"),
        "earlier_stages": c.text("earlier_stages", max_length=2000),
        "refused_on": c.date("refused_on"),
        "refusal_reason": c.category("refusal_reason", "refusal reasons"),
        "withdrawn_on": c.date("withdrawn_on"),
        "withdrawal_reason": c.category("withdrawal_reason", "withdrawal reasons"),
        "closed_on": c.date("closed_on"),
        "stages": [],
    }
    for level in LEVELS:
        n = f"stage{level}_"
        s = StageRecord(
            level=level,
            requested_on=c.date(n + "requested_on"),
            acknowledged_on=c.date(n + "acknowledged_on"),
            team=c.category(n + "team", "teams"),
            responded_on=c.date(n + "responded_on"),
            outcome=c.category(n + "outcome", "findings"),
            findings=c.many(n + "findings", "findings"),
            extended_to=c.date(n + "extended_to"),
            remedies=c.remedies(n + "remedies"),
            extension_reason=c.category(n + "extension_reason", "extension reasons"),
            escalation_reason=c.category(n + "escalation_reason", "escalation reasons"),
            previous_response_method=c.category(
                n + "previous_response_method", "response methods"
            ),
            statement_agreed_on=c.date(n + "statement_agreed_on"),
            **{
                role: c.category(n + role, plural)
                for role, (_roles, plural) in APPOINTED.items()
                if level == Level.INVESTIGATION
            },
            report_received_on=c.date(n + "report_received_on"),
            investigator_fee=c.money(n + "investigator_fee"),
            independent_person_fee=c.money(n + "independent_person_fee"),
            panel_held_on=c.date(n + "panel_held_on"),
            panel_late_reason=c.text(n + "panel_late_reason", max_length=2000),
            panel_report_on=c.date(n + "panel_report_on"),
            panel_members=c.names(n + "panel_members"),
            panel_cost=c.money(n + "panel_cost"),
        )
        if any(str(raw.get(col.name) or "").strip() for col in _stage_columns(level)):
            v["stages"].append(s)
    _check_consistency(c, v)
    return v


def _check_consistency(c: RowChecker, v: dict) -> None:
    """Dates and facts that contradict one another, in the row's own words."""
    received = v["received_on"]
    stages = v["stages"]
    if received is None:
        return
    for column in ("accepted_on", "refused_on", "withdrawn_on", "closed_on"):
        if v[column] and v[column] < received:
            c.problem(column, f"{v[column]:%-d %B %Y} is before the date received.")
    for column, key in (
        ("children_case_system_references", "children_references"),
        ("children_dates_of_birth", "children_born"),
    ):
        if v[key] and len(v[key]) != len(v["children"]):
            c.problem(
                column,
                f"There are {len(v[key])} of these for {len(v['children'])} children: give one "
                "per child, in the same order (leave a gap between ; for one not known).",
            )
    if any(born and born > received for born in v["children_born"]):
        c.problem("children_dates_of_birth", "A date of birth is after the date received.")
    acknowledged = stages[0].acknowledged_on if stages else None
    if acknowledged and v["accepted_on"] and acknowledged < v["accepted_on"]:
        c.problem(
            f"stage{stages[0].level}_acknowledged_on",
            "A complaint is acknowledged once it is accepted: this is before accepted_on "
            "(give the same date if both were done that day).",
        )
    for s in stages:
        named = [role for role in APPOINTED if getattr(s, role, None) is not None]
        if named and "investigating_officer" not in named:
            c.problem(
                f"stage{s.level}_investigating_officer",
                "Name the investigating officer too: the others are appointed with them.",
            )
    if v["refused_on"] or v["refusal_reason"]:
        if not (v["refused_on"] and v["refusal_reason"]):
            c.problem("refusal_reason", "A refusal needs both its date and its reason.")
        if stages:
            c.problem("refused_on", "A refused case cannot also have stages.")
    if bool(v["withdrawn_on"]) != bool(v["withdrawal_reason"]):
        c.problem("withdrawal_reason", "A withdrawal needs both its date and its reason.")
    if stages and not v["procedure"]:
        c.problem("procedure", "A case with stages needs its procedure: statutory or corporate.")
    if len({s.level for s in stages}) != len(stages):
        return
    for earlier, later in zip(stages, stages[1:], strict=False):
        n = f"stage{later.level}_"
        if later.level != earlier.level + 1:
            c.problem(
                n + "requested_on",
                f"{Level(later.level).label} follows {Level(earlier.level).label}, with "
                "nothing in between.",
            )
        if earlier.responded_on is None:
            c.problem(
                n + "requested_on",
                f"{Level(later.level).label} was requested, but "
                f"{Level(earlier.level).label} has no response date.",
            )
        if later.requested_on is None:
            c.problem(n + "requested_on", "An escalated stage needs the date it was requested.")
        elif earlier.responded_on and later.requested_on < earlier.responded_on:
            c.problem(
                n + "requested_on",
                f"{later.requested_on:%-d %B %Y} is before the {Level(earlier.level).label} "
                f"response ({earlier.responded_on:%-d %B %Y}).",
            )
    if stages and stages[0].level > Level.LOCAL_RESOLUTION and not v["earlier_stages"]:
        c.problem(
            "earlier_stages",
            f"The case starts at {Level(stages[0].level).label}: say where its earlier stages "
            "were answered.",
        )
    for s in stages:
        n = f"stage{s.level}_"
        start = s.requested_on or received
        for column in (
            "acknowledged_on",
            "statement_agreed_on",
            "responded_on",
            "report_received_on",
            "panel_held_on",
            "panel_report_on",
        ):
            day = getattr(s, column)
            if day and day < start:
                c.problem(n + column, f"{day:%-d %B %Y} is before the stage was requested.")
        if s.responded_on and s.outcome is None and s.level > Level.EARLY_RESOLUTION:
            c.problem(n + "outcome", "A response needs its outcome.")
        if s.findings and len(s.findings) != len(v["natures"]):
            c.problem(
                n + "findings",
                f"There are {len(s.findings)} findings for {len(v['natures'])} elements "
                "(natures); give one finding per element.",
            )
        if bool(s.extended_to) != bool(s.extension_reason):
            c.problem(n + "extension_reason", "An extension needs both its date and its reason.")
        if s.panel_members and len(s.panel_members) != 3:
            c.problem(n + "panel_members", "A panel has a chair and two members: name three.")
    last = stages[-1] if stages else None
    if v["withdrawn_on"] and last and last.responded_on:
        c.problem(
            "withdrawn_on", f"{Level(last.level).label} was answered, so it cannot be withdrawn."
        )
    answered = last and last.responded_on
    if v["closed_on"] and not answered and (stages or v["kind"] == Case.Kind.COMPLAINT):
        c.problem("closed_on", "Only a case whose last stage was answered can be closed.")


# --- replaying each case through the workflow ---------------------------------------------


class _Rollback(Exception):
    pass


def import_cases(
    name: str,
    data: bytes,
    *,
    by,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Check and import the file; see the module's rules. FileRefused if it cannot be read."""
    return import_rows(read_rows(name, data), by=by, dry_run=dry_run, progress=progress)


def import_rows(
    raw_rows: list[dict],
    *,
    by,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Check and import rows as a file's would be read: {column: text}."""
    result = Result(dry_run=dry_run, rows=len(raw_rows))
    lookups = _lookups()
    records = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(raw_rows, start=2):
        values = _check_row(number, raw, lookups, result.problems)
        ref = values["reference"].lower()
        if ref and ref in seen:
            result.problems.append(
                Problem(number, "reference", f"This reference is also on row {seen[ref]}.")
            )
        seen.setdefault(ref, number)
        records.append(CaseRecord(number, values))
    if result.problems:
        return result  # nothing is replayed from a file with bad cells
    references = _references(records, dry_run=dry_run)
    saved: set = set()  # what the replays saved, for the audit trail (accounts/audit_trail.py)
    try:
        with transaction.atomic():
            earlier = _imported_before(records)
            for done, record in enumerate(records, start=1):
                _import_one(
                    record,
                    by=by,
                    result=result,
                    reference=references.get(record.row, ""),
                    existing=earlier.get(record.values["reference"].lower()),
                    saved=saved,
                )
                if progress:
                    progress(done, len(records))
            if result.problems or dry_run:
                raise _Rollback  # a dry run, or a refused row: write nothing
            audit.record_imported(saved, by=by)
    except _Rollback:
        return result
    history_imported.send(sender=Case)
    return result


def _references(records: list[CaseRecord], *, dry_run: bool) -> dict[int, str]:
    """A reference for each row that is new here, reserved in short transactions of its own
    first: the counter row is locked while a number is taken, and holding it through a long
    import would stop staff logging cases. A dry run takes none (some numbers may go unused if
    the import is then refused)."""
    known = _imported_before(records)
    new = [r for r in records if r.values["reference"].lower() not in known]
    if dry_run:
        return {r.row: f"CHECK-{r.row}" for r in new}
    by_year = {}
    for r in new:
        by_year.setdefault(r.values["received_on"].year, []).append(r)
    found = {}
    for rows in by_year.values():
        with transaction.atomic():
            numbers = references.reserve_references(rows[0].values["received_on"], len(rows))
        found |= {r.row: n for r, n in zip(rows, numbers, strict=True)}
    return found


def _worked_on_here(case: Case) -> bool:
    """Anything done to the case here since it was imported, which a re-import would lose:
    a move, a hold, a contact, a document, a letter, an action, an Ombudsman case, or anyone
    having opened it (the access log keeps it)."""
    return (
        case.held_since is not None
        or case.anonymised_on is not None
        or Event.objects.filter(case=case, data__imported__isnull=True).exists()
        or case.contacts.exists()
        or case.documents.exists()
        or case.letters.exists()
        or case.agreed_actions.exists()
        or case.ombudsman_cases.exists()
        or AccessRecord.objects.filter(case=case).exists()
    )


def _imported_before(records: list[CaseRecord]) -> dict[str, Case]:
    """The cases an earlier import brought in for these rows, by lower-cased reference: one
    query for the file (a lookup per row would read every case, as no index serves it)."""
    wanted = {r.values["reference"].lower() for r in records}
    found = (
        Case.objects.exclude(source_reference="")
        .annotate(matched=Lower("source_reference"))
        .filter(matched__in=wanted)
    )
    return {case.matched: case for case in found}


def _import_one(
    record: CaseRecord, *, by, result: Result, reference: str, existing: Case | None, saved: set
) -> None:
    v = record.values
    if existing is not None and _worked_on_here(existing):
        result.problems.append(
            Problem(
                record.row,
                "reference",
                f"{existing.reference} has been worked on or opened here since it was "
                "imported; change it in the app, not by importing it again.",
            )
        )
        return
    try:
        with transaction.atomic():
            reference = _replace(existing) or reference  # its removal stays on the audit trail
            with audit.importing(saved):
                _replay(v, by=by, reference=reference)
    except DomainError as error:
        column = getattr(error, "column", "")
        result.problems.append(Problem(record.row, column, error.message))
        return
    if existing is None:
        result.created += 1
    else:
        result.updated += 1


def _replace(existing: Case | None) -> str:
    """Remove an earlier import of the case, keeping its reference for the new one."""
    if existing is None:
        return ""
    complainant = existing.complainant
    children = list(existing.children.all())
    reference = existing.reference
    existing.delete()
    if not complainant.cases.exists():
        complainant.delete()
    for child in children:
        if not child.cases.exists():
            child.delete()
    return reference


class _AtColumn(DomainError):
    def __init__(self, column: str, error: DomainError):
        super().__init__(error.message)
        self.column = column


# The date of the case's latest move so far: a case's history runs forwards.
_replayed_to: ContextVar[tuple[str, dt.date] | None] = ContextVar("replayed_to", default=None)


def _step(column: str, day: dt.date, move, *args, **kwargs):
    """One workflow move, dated `day`; a refusal is reported against `column`."""
    previous = _replayed_to.get()
    if previous and day < previous[1]:
        raise _AtColumn(
            column,
            DomainError(
                f"{day:%-d %B %Y} is before {previous[1]:%-d %B %Y}, the date in "
                f"{previous[0]}, which comes before it in the case's history."
            ),
        )
    try:
        with workflow.as_of(day):
            found = move(*args, **kwargs)
    except DomainError as error:
        raise _AtColumn(column, error) from error
    _replayed_to.set((column, day))
    return found


def _replay(v: dict, *, by, reference: str) -> Case:
    token = _replayed_to.set(None)
    try:
        # What is recorded between the moves (elements, findings, costs) is history too.
        with workflow.as_of(v["received_on"]):
            return _replay_moves(v, by=by, reference=reference)
    finally:
        _replayed_to.reset(token)


def _replay_moves(v: dict, *, by, reference: str) -> Case:
    received = v["received_on"]
    complainant = Complainant(
        name=v["complainant_name"],
        email=v["email"],
        phone=v["phone"],
        postcode=v["postcode"],
        relationship=v["relationship"],
        **{name: answer for name, answer in v["equality"].items() if answer is not None},
    )
    case = _step(
        "received_on",
        received,
        services.case_log,
        by=by,
        complainant=complainant,
        kind=v["kind"],
        channel=v["channel"],
        received_on=received,
        summary=v["summary"] or "Imported from the council's previous system.",
        children=[
            Child(
                name=name,
                case_system_reference=_nth(v["children_references"], i) or "",
                date_of_birth=_nth(v["children_born"], i),
            )
            for i, name in enumerate(v["children"])
        ],
        outcome_sought=v["outcome_sought"],
        service_area=v["service_area"],
        on_behalf_of_child=v["on_behalf_of_child"],
        via=v["via"],
        officer=v["officer"],
        advocacy_offered_on=v["advocacy_offered_on"],
        advocacy_accepted=v["advocacy_accepted"],
        advocacy_referred_on=v["advocacy_referred_on"],
        advocacy_provider=v["advocacy_provider"],
        reference=reference,
        source_reference=v["reference"],
    )
    case.joint_service_areas.set(a for a in v["joint_service_areas"] if a != v["service_area"])
    elements = [
        Element.objects.create(case=case, number=i, summary=nature.label, nature=nature)
        for i, nature in enumerate(v["natures"], start=1)
    ]
    if v["refused_on"]:
        _step(
            "refused_on",
            v["refused_on"],
            workflow.refuse,
            case,
            by=by,
            reason=v["refusal_reason"],
            procedure=v["procedure"],
            on=v["refused_on"],
        )
        return case
    stages = v["stages"]
    if not stages:
        if v["withdrawn_on"]:
            _withdraw(case, v, by=by)
        elif v["closed_on"]:
            _step("closed_on", v["closed_on"], workflow.close, case, by=by, on=v["closed_on"])
        return case
    first = stages[0]
    accepted_on = v["accepted_on"] or received
    _step(
        "accepted_on",
        accepted_on,
        workflow.accept,
        case,
        by=by,
        procedure=v["procedure"],
        level=first.level,
        eligibility_ground=v["eligibility_ground"],
        on=accepted_on,
        requested_on=first.requested_on if first.level > Level.LOCAL_RESOLUTION else None,
        earlier_stages=v["earlier_stages"],
    )
    for index, s in enumerate(stages):
        if index:
            _step(
                f"stage{s.level}_requested_on",
                s.requested_on,
                workflow.escalate,
                case,
                by=by,
                requested_on=s.requested_on,
                reason=s.escalation_reason,
                previous_response_method=s.previous_response_method,
                accept_late=True,
            )
        # Nothing of a stage is done before the complaint is accepted into the procedure.
        start = max(s.requested_on or accepted_on, accepted_on)
        _replay_stage(case, s, elements, by=by, start=start)
    if v["withdrawn_on"]:
        _withdraw(case, v, by=by)
    elif v["closed_on"]:
        _step("closed_on", v["closed_on"], workflow.close, case, by=by, on=v["closed_on"])
    return case


def _withdraw(case: Case, v: dict, *, by) -> None:
    _step(
        "withdrawn_on",
        v["withdrawn_on"],
        workflow.withdraw,
        case,
        by=by,
        reason=v["withdrawal_reason"],
        on=v["withdrawn_on"],
    )


def _replay_stage(
    case: Case, s: StageRecord, elements: list[Element], *, by, start: dt.date
) -> None:
    """The stage's moves in the order of their dates (the first of a day first, as listed),
    then its findings and remedies, then its response."""
    n = f"stage{s.level}_"
    moves = []  # (day, column, move, keyword arguments)
    if s.team is not None:
        moves.append((start, n + "team", workflow.allocate, {"team": s.team, "on": start}))
    if s.investigating_officer is not None:
        appointed = {role: getattr(s, role) for role in APPOINTED}
        moves.append(
            (
                start,
                n + "investigating_officer",
                workflow.appoint_investigators,
                {**appointed, "on": start},
            )
        )
    if s.extended_to:
        moves.append(
            (
                start,
                n + "extended_to",
                workflow.extend,
                {"new_due_on": s.extended_to, "reason": s.extension_reason},
            )
        )
    if s.acknowledged_on:
        moves.append(
            (
                s.acknowledged_on,
                n + "acknowledged_on",
                workflow.acknowledge,
                _on(s.acknowledged_on),
            )
        )
    if s.statement_agreed_on:
        moves.append(
            (
                s.statement_agreed_on,
                n + "statement_agreed_on",
                workflow.record_statement_agreed,
                _on(s.statement_agreed_on),
            )
        )
    if s.level == Level.INVESTIGATION and (s.report_received_on or s.responded_on):
        day = s.report_received_on or s.responded_on
        moves.append((day, n + "report_received_on", workflow.record_report_received, _on(day)))
    if s.level == Level.REVIEW_PANEL:
        moves += _panel_moves(s, start)
    for day, column, move, kwargs in sorted(moves, key=lambda m: m[0]):
        _step(column, day, move, case, by=by, **kwargs)

    stage = Case.objects.get(pk=case.pk).current_stage
    for element, finding in zip(elements, s.findings, strict=False):
        services.finding_record(stage=stage, element=element, finding=finding)
    for kind, amount in s.remedies:
        services.remedy_add(stage=stage, kind=kind, amount=amount)
    costs = {
        name: getattr(s, name)
        for name in ("investigator_fee", "independent_person_fee", "panel_cost")
        if getattr(s, name) is not None
    }
    if costs:
        stage.refresh_from_db()
        for name, amount in costs.items():
            setattr(stage, name, amount)
        stage.save(update_fields=list(costs))
    if s.responded_on is None:
        return
    day = s.responded_on
    if workflow._requires_qa(case, stage):
        _step(n + "responded_on", day, workflow.submit_for_qa, case, by=by)
        _step(n + "responded_on", day, workflow.approve_draft, case, by=by)
    _step(
        n + "responded_on",
        day,
        workflow.issue_response,
        case,
        by=by,
        responded_on=day,
        outcome=s.outcome,
    )


def _on(day: dt.date) -> dict:
    return {"on": day}


def _nth(items: list, index: int):
    return items[index] if index < len(items) else None


def _panel_moves(s: StageRecord, start: dt.date) -> list[tuple]:
    n = "stage3_"
    moves = []
    if s.panel_members and s.panel_held_on:
        seats = [
            PanelSeat(name=name, role="chair" if i == 0 else "member")
            for i, name in enumerate(s.panel_members)
        ]
        moves.append(
            (
                start,
                n + "panel_members",
                workflow.schedule_panel,
                {
                    "panel_date": s.panel_held_on,
                    "members": seats,
                    "late_reason": s.panel_late_reason,
                },
            )
        )
    held = s.panel_held_on or (s.responded_on and (s.panel_report_on or s.responded_on))
    if held:
        moves.append(
            (
                held,
                n + "panel_held_on",
                workflow.record_panel_held,
                {"on": held, "late_reason": s.panel_late_reason},
            )
        )
        report = s.panel_report_on or s.responded_on
        if report:
            moves.append(
                (report, n + "panel_report_on", workflow.record_panel_report, _on(report))
            )
    return moves


# --- in the background, for the browser -------------------------------------------------------

# An import of 100,000 rows takes about an hour and the task is stopped after four (its time
# limit); one still marked running after five lost its worker.
STALE_IMPORT = dt.timedelta(hours=5)


def import_request(*, name: str, data: bytes, by, dry_run: bool) -> CaseImport:
    """Queue the file to import in the background, after refusing at once one that cannot be
    an import at all (FileRefused). Like a PDF of the annual report, it waits if the broker is
    down, and the periodic task `run_waiting_imports` (or `import_cases --waiting`) runs it."""
    read_rows(name, data)
    job = CaseImport.objects.create(name=name[:200], dry_run=dry_run, requested_by=by)
    job.file.save(f"{uuid.uuid4().hex}.upload", ContentFile(data), save=True)
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: int) -> None:
    hand_off("complaints.tasks.run_case_import", job_id, waiting=f"history import {job_id}")


def _claimable() -> Q:
    stale = timezone.now() - STALE_IMPORT
    running = CaseImport.State.RUNNING
    return Q(state=CaseImport.State.QUEUED) | Q(state=running, started_at__lt=stale)


def imports_waiting() -> list[int]:
    return list(
        CaseImport.objects.filter(_claimable())
        .order_by("requested_at")
        .values_list("pk", flat=True)
    )


def _progress_key(job_id: int) -> str:
    return f"complaints.case-import.{job_id}.progress"


def progress(job: CaseImport) -> tuple[int, int]:
    """(rows done, rows in all) of a running import. Kept in the cache, because the import's
    own transaction hides its rows from everyone else until it ends."""
    return cache.get(_progress_key(job.pk)) or (0, 0)


def import_run(job_id: int) -> CaseImport | None:
    """Run a queued import; None if another worker has it. Its file is deleted once read."""
    taken = CaseImport.objects.filter(_claimable(), pk=job_id).update(
        state=CaseImport.State.RUNNING, started_at=timezone.now()
    )
    if not taken:
        return None
    job = CaseImport.objects.get(pk=job_id)

    def report(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            cache.set(_progress_key(job_id), (done, total), timeout=STALE_IMPORT.seconds)

    try:
        with job.file.open("rb") as file:
            data = file.read()
        result = import_cases(
            job.name, data, by=job.requested_by, dry_run=job.dry_run, progress=report
        )
    except FileRefused as refused:
        result = Result(dry_run=job.dry_run, problems=[Problem(0, "", refused.message)])
    except Exception as error:
        job.state, job.error, job.finished_at = (
            CaseImport.State.FAILED,
            repr(error)[:2000],
            timezone.now(),
        )
        job.save()
        raise
    finally:
        job.file.delete(save=False)
    job.state, job.finished_at = CaseImport.State.DONE, timezone.now()
    job.rows, job.created, job.updated = result.rows, result.created, result.updated
    job.problems = [[p.row, p.column, p.message] for p in result.problems]
    job.save()
    return job


def forget_old_jobs() -> int:
    """Clear what finished jobs quoted from their files (a problem can name a person) once
    HISTORY_IMPORT_KEEP_DAYS have passed, keeping only what they did."""
    before = timezone.now() - dt.timedelta(days=settings.HISTORY_IMPORT_KEEP_DAYS)
    return (
        CaseImport.objects.filter(finished_at__lt=before)
        .exclude(problems=[], error="", name="(cleared)")
        .update(problems=[], error="", name="(cleared)")
    )


def problems_csv(job: CaseImport) -> str:
    """The problems as a spreadsheet, to put right in the file and import again."""
    return csv_text(["Row", "Column", "Problem"], job.problems)
