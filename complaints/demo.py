"""A fictional council for demonstrations and benchmarks.

Its staff, service areas and five financial years of representations follow the mix the seed
councils report (complaints/data/seed_mix.json, "demo_mix"): kinds, stages reached, timeliness
bands, findings, complainant groups, channels and natures. Dates run up to today, so there is
always open, due and overdue work. Every name is invented.

Cases are written with bulk inserts so that 100,000 of them take minutes, not hours; the
deadline dates come from the same complaints.deadlines rules the workflow uses.
"""

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.roles import Role, ensure_role_groups
from complaints import deadlines
from complaints.models import (
    CATEGORY_MODELS,
    Case,
    Channel,
    Child,
    Complainant,
    Deadline,
    Directorate,
    Element,
    ElementFinding,
    Event,
    Level,
    PanelMember,
    Procedure,
    Remedy,
    ServiceArea,
    Stage,
    Team,
    Timescale,
)
from complaints.periods import financial_year_start
from complaints.services import reserve_references
from complaints.workflow import Move
from complaints.workingdays import add_working_days

MIX = json.loads((Path(__file__).parent / "data" / "seed_mix.json").read_text())["demo_mix"]
# Printed for the demo log-ins; never a real account's.
DEMO_PASSWORD = "demo-password-2024"  # nosec B105
YEARS = 5

# One log-in per role; README lists them.
DEMO_USERS = [
    ("manager", "Morgan", "Ashby", Role.COMPLAINTS_MANAGER, "Complaints manager"),
    ("officer", "Olivia", "Brent", Role.COMPLAINTS_OFFICER, "Complaints officer"),
    ("teammanager", "Tariq", "Mansell", Role.TEAM_MANAGER, "Team manager, Safeguarding East"),
    ("teammanager2", "Tessa", "Morrow", Role.TEAM_MANAGER, "Team manager, Fostering"),
    ("headofservice", "Helen", "Ostrow", Role.HEAD_OF_SERVICE, "Head of Safeguarding"),
    ("senior", "Simon", "Elwood", Role.SENIOR_MANAGER, "Director of Children's Services"),
    ("investigator", "Ivan", "Oakes", Role.INVESTIGATING_OFFICER, "Investigating officer"),
    ("independent", "Isla", "Pemberton", Role.INDEPENDENT_PERSON, "Independent person"),
]

SERVICES = {
    "safeguarding": ("Safeguarding", ["Safeguarding East", "Safeguarding West"]),
    "children_in_care": ("Children in Care", ["Children in Care 1", "Children in Care 2"]),
    "front_door_mash_assessment": ("Front Door and Assessment", ["MASH", "Assessment"]),
    "disabled_children": ("Disabled Children", ["Disabled Children"]),
    "fostering": ("Fostering", ["Fostering"]),
    "leaving_care": ("Leaving Care", ["Leaving Care"]),
    "early_help": ("Early Help", ["Family Support"]),
    "independent_review": ("Quality Assurance", ["Independent Reviewing Officers"]),
    "adoption": ("Adoption", ["Adoption"]),
    "other": ("Business Support", ["Business Support"]),
}

FIRST = [
    "Amelia",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Finley",
    "Grace",
    "Harry",
    "Isabel",
    "Jack",
    "Kayla",
    "Liam",
    "Maya",
    "Noah",
    "Olive",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tia",
    "Umar",
    "Violet",
    "Will",
    "Yasmin",
    "Zak",
    "Aisha",
    "Callum",
    "Demi",
    "Ethan",
    "Farah",
    "Gemma",
    "Hugo",
    "Imran",
    "Jade",
    "Kieran",
    "Leah",
    "Mason",
    "Nadia",
]
LAST = [
    "Abbott",
    "Barker",
    "Carver",
    "Dalton",
    "Easton",
    "Fenwick",
    "Garside",
    "Holloway",
    "Ingram",
    "Jarvis",
    "Kettle",
    "Lowther",
    "Marsden",
    "Norbury",
    "Oldfield",
    "Pryce",
    "Quarry",
    "Rowntree",
    "Sefton",
    "Thornley",
    "Upton",
    "Varley",
    "Whitlock",
    "Yardley",
    "Ashworth",
    "Brindle",
    "Cockburn",
    "Dunmore",
    "Eccles",
    "Fairclough",
    "Gladwin",
]
STAFF = [
    "Alex Rivers",
    "Bernadette Cole",
    "Chris Naylor",
    "Deepa Shah",
    "Euan McLeod",
    "Fiona Grant",
    "Gareth Lloyd",
    "Hannah Iqbal",
    "Ian Porter",
    "Joanne Kerr",
    "Kevin Mills",
    "Laura Stone",
    "Martin Frost",
    "Nicola Dunn",
    "Owen Tate",
]

KIND_CODES = {
    "complaint": Case.Kind.COMPLAINT,
    "pre_complaint": Case.Kind.PRE_COMPLAINT,
    "case_concern": Case.Kind.CASE_CONCERN,
    "call_back_request": Case.Kind.CALL_BACK,
    "comment": Case.Kind.COMMENT,
    "ad_hoc": Case.Kind.SIGNPOSTED,
    "duty_matter": Case.Kind.DUTY_MATTER,
    "refused": "refused",
    "withdrawn": "withdrawn",
}
FINDING_FOR_GROUP = {
    "upheld": "upheld",
    "partially_upheld": "partially_upheld",
    "not_upheld": "not_upheld",
    "unable_to_determine": "inconclusive",
    "no_finding": "no_finding",
}


def _insert(model, columns: list[str], rows: list[tuple], page_size: int = 5000) -> None:
    """Insert plain tuples without building model instances: at 100,000 cases the ORM's
    per-object work, not the database, is what takes the time."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            # Our own models' table and column names; the values are parameters.
            execute_values(
                cursor.cursor,
                f"INSERT INTO {table} ({cols}) VALUES %s",  # nosec
                rows,
                page_size=page_size,
            )
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # nosec
            cursor.executemany(sql, rows)


def _set_case_pointers(rows: list[tuple[int, int, dt.date | None]]) -> None:
    """Set (case id, current stage id, next due date) in one statement per page."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                "UPDATE complaints_case AS c SET current_stage_id = v.stage, "
                "next_due_on = v.due::date FROM (VALUES %s) AS v(id, stage, due) "
                "WHERE c.id = v.id",
                rows,
                page_size=5000,
            )
        else:
            cursor.executemany(
                "UPDATE complaints_case SET current_stage_id = %s, next_due_on = %s WHERE id = %s",
                [(stage, due, case) for case, stage, due in rows],
            )


def _pick(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


# --- staff and structure ------------------------------------------------------------------


def seed_staff_and_structure() -> dict:
    """Users, role groups, directorate, service areas and teams. Idempotent."""
    ensure_role_groups()
    User = get_user_model()
    users = {}
    for username, first, last, role, title in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "job_title": title,
                "email": f"{username}@council.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.COMPLAINTS_MANAGER
            user.save()
        user.groups.add(Group.objects.get(name=Role(role).label))
        users[username] = user
    staff = []
    for name in STAFF:
        first, last = name.split(" ", 1)
        user, _ = User.objects.get_or_create(
            username=name.lower().replace(" ", "."),
            defaults={
                "first_name": first,
                "last_name": last,
                "job_title": "Team manager",
                "email": f"{first.lower()}.{last.lower()}@council.example",
            },
        )
        user.groups.add(Group.objects.get(name=Role.TEAM_MANAGER.label))
        staff.append(user)

    directorate, _ = Directorate.objects.get_or_create(
        name="Children's Services", defaults={"director": users["senior"]}
    )
    services, teams = {}, {}
    staff_iter = iter(staff * 3)
    for code, (name, team_names) in SERVICES.items():
        head = users["headofservice"] if code == "safeguarding" else None
        service, _ = ServiceArea.objects.get_or_create(
            directorate=directorate, name=name, defaults={"head_of_service": head}
        )
        services[code] = service
        for team_name in team_names:
            manager = {
                "Safeguarding East": users["teammanager"],
                "Fostering": users["teammanager2"],
            }.get(team_name) or next(staff_iter)
            team, _ = Team.objects.get_or_create(
                service=service, name=team_name, defaults={"manager": manager}
            )
            teams.setdefault(code, []).append(team)
    return {"users": users, "staff": staff, "services": services, "teams": teams}


# --- cases --------------------------------------------------------------------------------


@dataclass
class _Plan:
    case: Case
    complainant: Complainant
    children: list[Child] = field(default_factory=list)
    outcome_sought: list = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    findings: list[tuple[int, int, object]] = field(default_factory=list)  # stage i, elem i
    remedies: list[tuple[int, Remedy]] = field(default_factory=list)
    extensions: dict[int, dt.date] = field(default_factory=dict)
    events: list[tuple[int | None, str, str, str, dt.date]] = field(default_factory=list)
    panel: list[tuple[int, PanelMember]] = field(default_factory=list)


class DemoCouncil:
    def __init__(self, *, seed: int = 2024, today: dt.date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.start = financial_year_start(self.today).replace(
            year=financial_year_start(self.today).year - YEARS
        )
        self.structure = seed_staff_and_structure()
        self.cat = {
            key: {c.code: c for c in model.objects.all()} for key, model in CATEGORY_MODELS.items()
        }
        self.timescales = defaultdict(dict)
        for ts in Timescale.objects.select_related("stage"):
            self.timescales[(ts.stage.procedure, ts.stage.level)][ts.step] = ts

    def default_case_count(self) -> int:
        days = (self.today - self.start).days
        return round(MIX["annual_representations"] * days / 365)

    # Working-day arithmetic on the statutory calendar.
    def _wd(self, day: dt.date, n: int) -> dt.date:
        return add_working_days(day, n)

    def _category(self, key: str, weights: dict):
        return self.cat[key][_pick(self.rng, weights)]

    def _received_on(self) -> dt.date:
        span = (self.today - self.start).days
        day = self.start + dt.timedelta(days=self.rng.randrange(span + 1))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return max(day, self.start)

    def plan_case(self) -> _Plan:
        rng = self.rng
        eq = MIX["equality"]
        complainant = Complainant(
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            relationship=self._category("relationship", MIX["relationship"]),
            parental_responsibility=rng.choice(["yes", "yes", "yes", "no", "unknown"]),
            gender=self._category("gender", eq["gender"]),
            ethnicity=self._category("ethnicity", eq["ethnicity"]),
            disability=self._category("disability", eq["disability"]),
            sexual_orientation=self._category("sexual_orientation", eq["sexual_orientation"]),
            age_band=self._category("age_band", eq["age_band"]),
        )
        complainant.email = (
            f"{complainant.name.lower().replace(' ', '.')}{rng.randrange(100)}@example.com"
        )
        complainant.phone = f"07700 9{rng.randrange(10**5):05d}"
        kind = KIND_CODES[_pick(rng, {k: v for k, v in MIX["kinds"].items() if k in KIND_CODES})]
        service_code = _pick(rng, MIX["service_area"])
        team = rng.choice(self.structure["teams"][service_code])
        received = self._received_on()
        is_child = complainant.relationship.is_child
        case = Case(
            kind=Case.Kind.COMPLAINT if kind in ("refused", "withdrawn") else kind,
            channel=self._category("channel", MIX["channel"]),
            received_on=received,
            summary="Concerns about how the family's case has been handled.",
            service_area=team.service,
            on_behalf_of_child=not is_child and rng.random() < 0.6,
            via=Case.Via.MP if complainant.relationship.code == "other" else Case.Via.DIRECT,
            logged_by=self.structure["users"]["officer"],
            # Two thirds to the officer, the rest to the manager; no draw, so the mix is stable.
            officer=self.structure["users"]["officer" if received.day % 3 else "manager"],
        )
        if case.channel.code == "via_mp_councillor":
            case.via = rng.choice([Case.Via.MP, Case.Via.COUNCILLOR])
        if is_child:
            case.advocacy_offered_on = received
            if rng.random() < MIX["advocacy"]["advocate_used_share_of_child_complaints"]:
                case.advocacy_referred_on = self._wd(received, 1)
                case.advocacy_provider = self.cat["advocacy_provider"]["childrens_rights_service"]
        plan = _Plan(case=case, complainant=complainant)
        plan.children = [
            Child(
                name=f"{rng.choice(FIRST)} {complainant.name.split()[-1]}",
                date_of_birth=received - dt.timedelta(days=rng.randrange(365, 17 * 365)),
                case_system_reference=f"MOS{rng.randrange(10**6):06d}",
            )
            for _ in range(rng.choice([1, 1, 1, 2]))
        ]
        plan.events.append((None, Move.RECEIVE, "", Case.State.RECEIVED, received))
        if case.kind != Case.Kind.COMPLAINT:
            self._plan_other(plan)
        elif kind == "refused":
            self._plan_refused(plan)
        else:
            self._plan_complaint(plan, team, withdraw=kind == "withdrawn")
        return plan

    def _plan_other(self, plan: _Plan) -> None:
        closed = self._wd(plan.case.received_on, self.rng.randrange(1, 6))
        if closed <= self.today:
            plan.case.state = Case.State.CLOSED
            plan.events.append((None, Move.CLOSE, Case.State.RECEIVED, Case.State.CLOSED, closed))

    def _plan_refused(self, plan: _Plan) -> None:
        on = self._wd(plan.case.received_on, self.rng.randrange(1, 6))
        if on > self.today:
            return
        plan.case.state = Case.State.REFUSED
        plan.case.screened_on = on
        plan.case.refusal_reason = self.rng.choice(list(self.cat["refusal_reason"].values()))
        plan.events.append((None, Move.REFUSE, Case.State.RECEIVED, Case.State.REFUSED, on))

    def _plan_complaint(self, plan: _Plan, team: Team, *, withdraw: bool) -> None:
        rng, case = self.rng, plan.case
        procedure = _pick(rng, MIX["procedure_for_complaints"])
        reached = int(_pick(rng, MIX["stage_reached"]))
        first = Level.EARLY_RESOLUTION if reached == 0 or rng.random() < 0.08 else 1
        if procedure == Procedure.CORPORATE:
            first, reached = 1, min(max(reached, 1), 2)
        case.procedure = procedure
        case.eligibility_ground = (
            self.cat["eligibility_ground"][
                rng.choice(
                    ["parent", "parental_responsibility", "looked_after_child", "child_in_need"]
                )
            ]
            if procedure == Procedure.STATUTORY
            else None
        )
        case.grounds_arose_on = case.received_on - dt.timedelta(days=rng.randrange(10, 200))
        case.outcome_sought_detail = ""
        plan.outcome_sought = [
            self.cat["remedy_kind"][c]
            for c in rng.sample(
                [
                    "apology",
                    "explanation",
                    "service_provided",
                    "change_of_social_worker",
                    "meeting",
                ],
                2,
            )
        ]
        accepted = self._wd(case.received_on, rng.randrange(0, 2))
        if accepted > self.today:
            return  # still awaiting screening
        case.screened_on = accepted
        case.state = Case.State.IN_PROGRESS
        plan.events.append(
            (None, Move.ACCEPT, Case.State.RECEIVED, Case.State.IN_PROGRESS, accepted)
        )
        natures = MIX["nature"]
        for n in range(1, rng.choice([1, 2, 3, 3, 4, 5]) + 1):
            plan.elements.append(
                Element(
                    number=n,
                    summary=f"Element {n} of the complaint.",
                    nature=self._category("nature", natures),
                )
            )
        withdraw_at = rng.randrange(first, reached + 1) if withdraw else None
        requested = case.received_on
        for level in range(first, reached + 1):
            if level == Level.INVESTIGATION:
                extra = rng.randrange(1, 6)
                base = len(plan.elements)
                for n in range(base + 1, base + extra + 1):
                    plan.elements.append(
                        Element(
                            number=n,
                            summary=f"Element {n} of the complaint.",
                            nature=self._category("nature", natures),
                        )
                    )
            outcome = self._plan_stage(
                plan,
                team,
                procedure,
                level,
                requested,
                withdraw=withdraw_at == level,
                last=level == reached,
            )
            if outcome is None:
                return  # the stage is still open, or withdrawn
            requested = outcome

    def _plan_stage(self, plan, team, procedure, level, requested, *, withdraw, last):
        """Plan one stage; return the date the next stage is requested, or None to stop."""
        rng, case = self.rng, plan.case
        users = self.structure["users"]
        stage = Stage(level=level, requested_on=requested)
        index = len(plan.stages)
        plan.stages.append(stage)
        previous_state = case.state
        if index:
            stage.escalation_reason = self._category("escalation_reason", MIX["escalation_reason"])
            stage.previous_response_method = self._category(
                "response_method", MIX["response_method_stage1"]
            )
            plan.events.append(
                (index, Move.ESCALATE, previous_state, Case.State.IN_PROGRESS, requested)
            )
            case.state = Case.State.IN_PROGRESS
        ack = self._wd(requested, rng.randrange(0, 3))
        if ack <= self.today:
            stage.acknowledged_on = ack
            plan.events.append((index, Move.ACKNOWLEDGE, case.state, case.state, ack))
        stage.team = team
        stage.responding_manager = team.manager
        if level == Level.INVESTIGATION:
            stage.investigating_officer = (
                users["investigator"]
                if rng.random() < 0.5
                else rng.choice(self.structure["staff"])
            )
            stage.independent_person = users["independent"]
            stage.adjudicating_officer = users["headofservice"]
            stage.investigator_fee = Decimal(rng.randrange(1500, 4500))
            stage.independent_person_fee = Decimal(rng.randrange(800, 1300))
        allocated = self._wd(requested, rng.randrange(1, 4 if level < 2 else 20))
        if allocated <= self.today:
            stage.allocated_on = allocated
            plan.events.append((index, Move.ALLOCATE, case.state, case.state, allocated))
        if level == Level.INVESTIGATION:
            agreed = self._wd(requested, rng.randrange(5, 15))
            stage.statement_agreed_on = agreed if agreed <= self.today else None

        taken, extended_to = self._response_days(procedure, level)
        if level == Level.REVIEW_PANEL:
            held = self._wd(requested, rng.randrange(18, 36))
            report = self._wd(held, rng.randrange(3, 8))
            responded = self._wd(report, rng.randrange(8, 18))
            for i, role in enumerate(["chair", "member", "member"]):
                plan.panel.append(
                    (index, PanelMember(name=STAFF[-1 - i], role=role, fee=Decimal(650)))
                )
            stage.panel_cost = Decimal(rng.randrange(1800, 2400))
            stage.panel_scheduled_for = held
            stage.panel_held_on = held if held <= self.today else None
            stage.panel_report_on = report if report <= self.today else None
        else:
            responded = self._wd(requested, taken)
            if level == Level.INVESTIGATION:
                report = self._wd(requested, max(1, taken - rng.randrange(2, 6)))
                stage.report_received_on = report if report <= self.today else None
        if extended_to:
            plan.extensions[index] = self._wd(requested, extended_to)
            stage.extension_reason = rng.choice(list(self.cat["extension_reason"].values()))
            stage.complainant_agreed_extension = True

        if withdraw:
            on = min(self.today, self._wd(requested, rng.randrange(2, 10)))
            stage.withdrawn_on = on
            stage.withdrawal_reason = rng.choice(list(self.cat["withdrawal_reason"].values()))
            plan.events.append((index, Move.WITHDRAW, case.state, Case.State.WITHDRAWN, on))
            case.state = Case.State.WITHDRAWN
            return None

        group_mix = MIX["finding_stage2_per_element"] if level >= 2 else MIX["finding_stage1"]
        groups = [_pick(rng, group_mix) for _ in plan.elements]
        if responded > self.today:
            # Open: a share of drafts sit with the complaints team for their quality check.
            if level >= 1 and rng.random() < 0.15:
                plan.events.append(
                    (index, Move.SUBMIT_FOR_QA, case.state, Case.State.AWAITING_QA, self.today)
                )
                case.state = Case.State.AWAITING_QA
            for i in range(len(plan.elements)):
                plan.findings.append((index, i, None))
            return None

        for i, group in enumerate(groups):
            code = FINDING_FOR_GROUP[group] if level >= 1 else None
            plan.findings.append((index, i, self.cat["finding"][code] if code else None))
        upheld = sum(g in ("upheld", "partially_upheld") for g in groups)
        overall = (
            "upheld" if upheld == len(groups) else "partially_upheld" if upheld else "not_upheld"
        )
        stage.outcome = self.cat["finding"][overall]
        stage.responded_on = responded
        if upheld:
            for code in _pick(rng, MIX["actual_outcome_stage1"]).split("+"):
                amount = (
                    Decimal(rng.choice([50, 100, 150, 250, 300, 500]))
                    if self.cat["remedy_kind"][code].requires_amount
                    else None
                )
                plan.remedies.append(
                    (index, Remedy(kind=self.cat["remedy_kind"][code], amount=amount))
                )
        if level >= 1:
            plan.events.append(
                (
                    index,
                    Move.SUBMIT_FOR_QA,
                    case.state,
                    Case.State.AWAITING_QA,
                    self._wd(requested, max(1, taken - 2)),
                )
            )
            plan.events.append(
                (
                    index,
                    Move.APPROVE_DRAFT,
                    Case.State.AWAITING_QA,
                    Case.State.APPROVED,
                    self._wd(requested, max(1, taken - 1)),
                )
            )
            case.state = Case.State.APPROVED
        plan.events.append(
            (index, Move.ISSUE_RESPONSE, case.state, Case.State.RESPONDED, responded)
        )
        case.state = Case.State.RESPONDED
        if not last:
            return self._wd(responded, rng.randrange(3, 19))
        closed = self._wd(responded, rng.choice([0, 0, 1, 21]))
        if closed <= self.today:
            plan.events.append(
                (index, Move.CLOSE, Case.State.RESPONDED, Case.State.CLOSED, closed)
            )
            case.state = Case.State.CLOSED
        return None

    def _response_days(self, procedure: str, level: int) -> tuple[int, int | None]:
        """Working days taken, and the extension agreed if any, by the seeds' timeliness bands."""
        rng = self.rng
        if level == Level.EARLY_RESOLUTION:
            return rng.randrange(1, 4), None
        if level == Level.INVESTIGATION and procedure == Procedure.STATUTORY:
            band = _pick(rng, MIX["stage2_bands"])
            if band == "within_25":
                return rng.randrange(15, 26), None
            if band == "26_65":
                return rng.randrange(26, 66), 65
            return rng.randrange(66, 90), 65
        band = _pick(rng, MIX["stage1_bands"])
        if band == "within_10":
            return rng.randrange(3, 11), None
        if band == "11_20":
            return rng.randrange(11, 21), 20
        return rng.randrange(21, 32), 20

    # --- writing ---------------------------------------------------------------------------

    @transaction.atomic
    def write(self, plans: list[_Plan], batch_size: int = 2000) -> None:
        Complainant.objects.bulk_create([p.complainant for p in plans], batch_size=batch_size)
        by_year = defaultdict(list)
        for p in sorted(plans, key=lambda p: p.case.received_on):
            p.case.complainant = p.complainant
            by_year[p.case.received_on].append(p)
        by_cal_year = defaultdict(list)
        for day, group in by_year.items():
            by_cal_year[day.year].extend(group)
        for year, group in by_cal_year.items():
            refs = reserve_references(dt.date(year, 1, 1), len(group))
            for p, ref in zip(group, refs, strict=True):
                p.case.reference = ref
        Case.objects.bulk_create([p.case for p in plans], batch_size=batch_size)

        Child.objects.bulk_create([c for p in plans for c in p.children], batch_size=batch_size)
        _insert(
            Case.children.through,
            ["case_id", "child_id"],
            [(p.case.pk, c.pk) for p in plans for c in p.children],
        )
        _insert(
            Case.outcome_sought.through,
            ["case_id", "remedykind_id"],
            [(p.case.pk, k.pk) for p in plans for k in p.outcome_sought],
        )
        for p in plans:
            for s in p.stages:
                s.case = p.case
            for e in p.elements:
                e.case = p.case
        Stage.objects.bulk_create([s for p in plans for s in p.stages], batch_size=batch_size)
        Element.objects.bulk_create([e for p in plans for e in p.elements], batch_size=batch_size)
        _insert(
            ElementFinding,
            ["stage_id", "element_id", "finding_id", "reasoning"],
            [
                (p.stages[si].pk, p.elements[ei].pk, f.pk if f else None, "")
                for p in plans
                for si, ei, f in p.findings
            ],
        )
        _insert(
            Remedy,
            ["stage_id", "kind_id", "amount", "detail"],
            [(p.stages[si].pk, r.kind.pk, r.amount, "") for p in plans for si, r in p.remedies],
        )
        _insert(
            PanelMember,
            ["stage_id", "name", "role", "fee"],
            [(p.stages[si].pk, m.name, m.role, m.fee) for p in plans for si, m in p.panel],
        )
        _insert(
            Deadline,
            [
                "stage_id",
                "step",
                "starts_on",
                "due_on",
                "service_target_on",
                "max_due_on",
                "extended_due_on",
            ],
            self._deadlines(plans),
        )
        _insert(
            Event,
            [
                "case_id",
                "stage_id",
                "move",
                "from_state",
                "to_state",
                "actor_id",
                "at",
                "reason",
                "data",
            ],
            self._events(plans),
        )

        # The pointers the workflow keeps: current stage and next due date.
        pointers = []
        for p in plans:
            if p.stages:
                p.case.current_stage = p.stages[-1]
                due = deadlines.next_due_on(p.case, p.stages[-1])
                pointers.append((p.case.pk, p.stages[-1].pk, due))
        _set_case_pointers(pointers)

    def _deadlines(self, plans: list[_Plan]) -> list[tuple]:
        rows = []
        for p in plans:
            for i, stage in enumerate(p.stages):
                planned = deadlines.compute_deadlines(
                    stage, self.timescales[(p.case.procedure, stage.level)]
                )
                respond = planned.get("respond")
                if i in p.extensions and respond is not None:
                    respond.extended_due_on = min(
                        p.extensions[i], respond.max_due_on or p.extensions[i]
                    )
                    if respond.extended_due_on <= respond.due_on:
                        respond.extended_due_on = None
                # next_due_on() below reads the stage's deadlines without a query.
                stage._prefetched_objects_cache = {"deadlines": list(planned.values())}
                rows.extend(
                    (
                        stage.pk,
                        d.step,
                        d.starts_on,
                        d.due_on,
                        d.service_target_on,
                        d.max_due_on,
                        d.extended_due_on,
                    )
                    for d in planned.values()
                )
        return rows

    def _events(self, plans: list[_Plan]) -> list[tuple]:
        officer = self.structure["users"]["officer"]
        tz = timezone.get_current_timezone()
        rows = []
        for p in plans:
            for si, move, before, after, day in p.events:
                stage = p.stages[si] if si is not None else None
                actor = (
                    stage.responding_manager if move == Move.SUBMIT_FOR_QA and stage else officer
                )
                at = connection.ops.adapt_datetimefield_value(
                    dt.datetime.combine(day, dt.time(10, 0), tzinfo=tz)
                )
                rows.append(
                    (
                        p.case.pk,
                        stage.pk if stage else None,
                        move,
                        before,
                        after,
                        actor.pk if actor else None,
                        at,
                        "",
                        "{}",
                    )
                )
        return rows


def seed_demo(
    *,
    cases: int | None = None,
    today: dt.date | None = None,
    seed: int = 2024,
    chunk: int = 10000,
    progress=None,
) -> int:
    """Create the demo council, topping its cases up to `cases`. Returns how many were added."""
    council = DemoCouncil(seed=seed, today=today)
    target = council.default_case_count() if cases is None else cases
    existing = Case.objects.count()
    wanted = max(0, target - existing)
    council.rng.seed(seed + existing)
    added = 0
    while added < wanted:
        n = min(chunk, wanted - added)
        council.write([council.plan_case() for _ in range(n)])
        added += n
        if progress:
            progress(added, wanted)
    return added


def seed_learning(*, today: dt.date | None = None, seed: int = 2024) -> int:
    """Lessons-learnt forms for the demo's responses that found fault, most of them returned
    with an action or two, some actions done. Idempotent. Returns the forms added."""
    from complaints.learning import FAULT_FOUND
    from complaints.models import AgreedAction, LessonsLearnt

    rng = random.Random(seed)
    today = today or timezone.localdate()
    since = financial_year_start(today).replace(year=financial_year_start(today).year - 1)
    stages = (
        Stage.objects.filter(
            level__gte=1,
            responded_on__gte=since,
            responded_on__lte=today,
            element_findings__finding__group__in=FAULT_FOUND,
            lessons_learnt__isnull=True,
        )
        .select_related("team__manager", "responding_manager", "case")
        .distinct()
    )
    owners = list(get_user_model().objects.filter(groups__name=Role.SENIOR_MANAGER.label)) or [
        None
    ]
    forms, actions = [], []
    for stage in stages:
        manager = stage.responding_manager or (stage.team.manager if stage.team else None)
        due = add_working_days(stage.responded_on, 20)
        form = LessonsLearnt(
            stage=stage, case=stage.case, team=stage.team, owed_by=manager, due_on=due
        )
        # Most forms come back in the end; the recent ones are still being chased.
        returned = 0.95 if due < today - dt.timedelta(days=60) else 0.5
        if rng.random() < returned:
            form.submitted_on = min(today, due + dt.timedelta(days=rng.randrange(-15, 10)))
            form.submitted_by = manager
            form.what_went_wrong = "Information was not shared with the family in good time."
            form.learning = "Share changes to plans and meetings in writing the same day."
            form.applies_beyond_case = rng.random() < 0.4
            form.wider_learning = "All teams." if form.applies_beyond_case else ""
        forms.append(form)
    LessonsLearnt.objects.bulk_create(forms, batch_size=2000)
    for form in forms:
        if not form.submitted_on:
            continue
        for text in rng.sample(ACTION_TEXTS, rng.choice([1, 1, 2])):
            due = form.submitted_on + dt.timedelta(days=rng.randrange(14, 90))
            done = due < today and rng.random() < 0.7
            actions.append(
                AgreedAction(
                    case=form.case,
                    stage=form.stage,
                    lessons_learnt=form,
                    source=AgreedAction.Source.LESSONS_LEARNT,
                    description=text,
                    owner=form.owed_by or rng.choice(owners),
                    due_on=due,
                    status=AgreedAction.Status.DONE if done else AgreedAction.Status.OPEN,
                    completed_on=due if done else None,
                    evidence="Done and recorded in the team's minutes." if done else "",
                    created_by=form.owed_by,
                )
            )
    AgreedAction.objects.bulk_create(actions, batch_size=2000)
    # Agreed when the form came back, not today (auto_now_add stamped them on creation).
    by_day = defaultdict(list)
    for action in actions:
        by_day[action.lessons_learnt.submitted_on].append(action.pk)
    for day, pks in by_day.items():
        agreed = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        AgreedAction.objects.filter(pk__in=pks).update(created_at=agreed)
    return len(forms)


ACTION_TEXTS = [
    "Remind the team to confirm meeting changes in writing",
    "Review the case recording standard with the team",
    "Add complaint learning to the next team meeting",
    "Check the family's contact details are up to date on the case system",
    "Update the practice guidance on visits",
]


def seed_ombudsman_and_compliments(*, today: dt.date | None = None, seed: int = 2024) -> int:
    """About ten Ombudsman cases and 150 compliments a year, as the seeds report. Idempotent:
    does nothing if any exist. Returns how many rows it added."""
    from compliments.models import Compliment, ComplimentSource, ComplimentTheme
    from ombudsman.models import Decision, OmbudsmanCase, Recommendation, RecommendationKind

    if OmbudsmanCase.objects.exists() or Compliment.objects.exists():
        return 0
    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = financial_year_start(today).replace(year=financial_year_start(today).year - YEARS)
    days = (today - start).days
    teams = list(Team.objects.select_related("service"))
    sources = list(ComplimentSource.objects.all())
    themes = list(ComplimentTheme.objects.all())
    channels = list(Channel.objects.filter(code__in=["email", "telephone", "letter", "e_form"]))
    staff = list(get_user_model().objects.filter(groups__name=Role.TEAM_MANAGER.label))
    compliments = []
    for _ in range(150 * (YEARS + 1)):
        team = rng.choice(teams)
        compliments.append(
            Compliment(
                received_on=start + dt.timedelta(days=rng.randrange(days)),
                service_area=team.service,
                team=team,
                source=rng.choice(sources),
                channel=rng.choice(channels),
                summary=rng.choice(COMPLIMENT_SUMMARIES),
                consent_to_publish=rng.random() < 0.3,
                staff_told_on=None,
                recorded_by=rng.choice(staff) if staff else None,
            )
        )
    Compliment.objects.bulk_create(compliments, batch_size=2000)
    Compliment.themes.through.objects.bulk_create(
        [
            Compliment.themes.through(compliment_id=c.pk, complimenttheme_id=t.pk)
            for c in compliments
            for t in rng.sample(themes, rng.choice([1, 1, 2]))
        ],
        batch_size=2000,
    )

    decisions = {d.code: d for d in Decision.objects.all()}
    weights = {
        "upheld_fault_injustice": 18,
        "upheld_remedied": 6,
        "upheld_fault_no_injustice": 2,
        "not_upheld": 14,
        "closed_after_initial_enquiries": 25,
        "premature": 35,
    }
    kinds = {k.code: k for k in RecommendationKind.objects.all()}
    closed = list(
        Case.objects.filter(state=Case.State.CLOSED, current_stage__level__gte=1).order_by("pk")
    )
    added = 0
    for n in range(10 * (YEARS + 1)):
        received = start + dt.timedelta(days=rng.randrange(days))
        complaint = rng.choice(closed) if closed else None
        decided = received + dt.timedelta(days=rng.randrange(20, 200))
        code = _pick(rng, weights)
        lgsco = OmbudsmanCase.objects.create(
            reference=f"{received.year % 100:02d} {rng.randrange(1000):03d} {n:03d}",
            received_on=received,
            service_area=complaint.service_area if complaint else None,
            route=OmbudsmanCase.Route.INVESTIGATION
            if code.startswith(("upheld", "not_upheld"))
            else OmbudsmanCase.Route.ASSESSMENT,
            decision=decisions[code] if decided <= today else None,
            decision_on=decided if decided <= today else None,
        )
        if complaint:
            lgsco.complaints.add(complaint)
        if code.startswith("upheld") and decided <= today:
            due = decided + dt.timedelta(days=28)
            done = due if due <= today and rng.random() < 0.9 else None
            Recommendation.objects.create(
                ombudsman_case=lgsco,
                kind=kinds["apology"],
                due_on=due,
                completed_on=done,
                evidence="Letter sent." if done else "",
            )
            Recommendation.objects.create(
                ombudsman_case=lgsco,
                kind=kinds["payment"],
                amount=Decimal(rng.choice([100, 150, 250, 300, 500])),
                due_on=due,
                completed_on=done,
                evidence="Paid." if done else "",
            )
        added += 1
    return added + len(compliments)


COMPLIMENT_SUMMARIES = [
    "Thanks to the social worker for her support",
    "The team went the extra mile for our family",
    "Helpful and kind advice on the phone",
    "Thank you for the open day",
    "Our foster carer support was excellent",
    "Clear communication throughout the assessment",
]
