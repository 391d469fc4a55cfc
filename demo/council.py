"""A fictional council for demonstrations and benchmarks.

Its staff, service areas and five financial years of representations follow the mix the seed
councils report (demo/data/seed_mix.json, "demo_mix"): kinds, stages reached, timeliness
bands, findings, complainant groups, channels and natures. Dates run up to today, so there is
always open, due and overdue work. Every name is invented.

Cases are brought in as a council brings in its history (complaints.history_import): the
demo writes its years as rows of the import's template, and the import replays each through
the workflow. What is under way today (a draft awaiting its quality check, a panel yet to
meet) then carries on through the workflow too. Nothing here sets a state or a date itself.
"""

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role, ensure_role_groups
from complaints import workflow
from complaints.errors import DomainError
from complaints.history_import import EQUALITY, import_rows
from complaints.models import (
    CATEGORY_MODELS,
    Case,
    Channel,
    Directorate,
    Level,
    Procedure,
    ServiceArea,
    Stage,
    Team,
)
from complaints.periods import financial_year_start
from complaints.workflow import PanelSeat
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
    # Three managers who run no team investigate at Stage 2 beside the external investigator.
    investigators = staff[11:14]
    for user in investigators:
        user.groups.add(Group.objects.get(name=Role.INVESTIGATING_OFFICER.label))

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
    return {
        "users": users,
        "staff": staff,
        "investigators": investigators,
        "services": services,
        "teams": teams,
    }


# --- the pool of Stage 2 and 3 people -------------------------------------------------------

# username, first, last, engagement, supplier, parts, rate, rate unit, conflict (service code)
POOL = [
    ("ruth.kendrick", "Ruth", "Kendrick", "agency", "Hartwell Social Care Recruitment",
     ["investigates"], 450, "day", ""),
    ("desmond.achebe", "Desmond", "Achebe", "framework", "NEPO investigations framework",
     ["investigates"], 425, "day", ""),
    ("priya.nandakumar", "Priya", "Nandakumar", "self_employed", "",
     ["investigates"], 55, "hour", "fostering"),
    ("gareth.llewellyn", "Gareth", "Llewellyn", "framework", "NEPO investigations framework",
     ["investigates"], 410, "day", ""),
    ("fiona.mcallister", "Fiona", "McAllister", "self_employed", "",
     ["independent_person"], 300, "day", ""),
    ("samuel.okafor", "Samuel", "Okafor", "self_employed", "",
     ["independent_person", "sits_on_panels"], 280, "day", ""),
    ("beatrice.holloway", "Beatrice", "Holloway", "agency", "Hartwell Social Care Recruitment",
     ["independent_person"], 320, "day", "children_in_care"),
    ("tomasz.wisniewski", "Tomasz", "Wiśniewski", "self_employed", "",
     ["independent_person", "sits_on_panels"], 290, "day", ""),
    ("margaret.ellery", "Margaret", "Ellery", "self_employed", "",
     ["chairs_panels", "independent_person"], 350, "day", ""),
    ("harold.pinsent", "Harold", "Pinsent", "framework", "NEPO review panels framework",
     ["chairs_panels", "sits_on_panels"], 375, "day", "safeguarding"),
    ("naomi.ferris", "Naomi", "Ferris", "self_employed", "",
     ["sits_on_panels"], 250, "day", ""),
    ("kwame.mensah", "Kwame", "Mensah", "self_employed", "",
     ["sits_on_panels", "independent_person"], 260, "day", ""),
]  # fmt: skip


def seed_pool(structure: dict, *, today: dt.date) -> None:
    """The pool: the demo's investigator (external, through the framework) and independent
    person, the three managers who investigate as staff, and twelve more: agency, framework and
    self-employed, with rates, conflicts, one away, one whose DBS check runs out within the
    month, and panel chairs and members. Idempotent; dates follow `today`."""
    from complaints.models import PoolCheck, PoolMember

    User = get_user_model()
    users = structure["users"]
    people = [
        (users["investigator"], "framework", "NEPO investigations framework",
         ["investigates"], 440, "day", ""),
        (users["independent"], "self_employed", "", ["independent_person"], 310, "day", ""),
        *[(u, "internal", "", ["investigates"], 240, "day", "")
          for u in structure["investigators"]],
    ]  # fmt: skip
    for username, first, last, *rest in POOL:
        role = Role.INVESTIGATING_OFFICER if "investigates" in rest[2] else Role.INDEPENDENT_PERSON
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "job_title": "Independent investigator"
                if role == Role.INVESTIGATING_OFFICER
                else "Independent person",
                "email": f"{username}@independent.example",
            },
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=Role(role).label))
        people.append((user, *rest))
    for user, engagement, supplier, parts, rate, unit, conflict in people:
        member, created = PoolMember.objects.get_or_create(
            user=user,
            defaults={
                "engagement": engagement,
                "supplier": supplier,
                "rate": rate,
                "rate_unit": unit,
                "joined_on": today - dt.timedelta(days=365 * (YEARS + 1)),
                # The demo's own investigator and independent person carry most of its cases.
                "most_cases": 12 if user in (users["investigator"], users["independent"]) else 3,
                **dict.fromkeys(parts, True),
            },
        )
        if not created:
            continue
        if conflict:
            member.conflicts.add(structure["services"][conflict])
        if user.username == "gareth.llewellyn":
            member.unavailable_until = today + dt.timedelta(days=45)
            member.save(update_fields=["unavailable_until"])
        dbs_ends = today + dt.timedelta(days=20 if user.username == "fiona.mcallister" else 500)
        checks = [(PoolCheck.Kind.DBS, "Enhanced DBS", dbs_ends)]
        checks.append((PoolCheck.Kind.TRAINING, "Children Act complaints training",
                       today + dt.timedelta(days=300)))  # fmt: skip
        if engagement != "internal":
            checks.append((PoolCheck.Kind.CONTRACT, supplier or "Letter of engagement",
                           today + dt.timedelta(days=365)))  # fmt: skip
        PoolCheck.objects.bulk_create(
            PoolCheck(
                member=member,
                kind=kind,
                detail=detail,
                obtained_on=ends - dt.timedelta(days=3 * 365),
                expires_on=ends,
            )
            for kind, detail, ends in checks
        )


# --- cases --------------------------------------------------------------------------------


@dataclass
class _Plan:
    """One case as the history import's template lays it out, and what is under way on it
    today, which the template (being history) cannot say."""

    row: dict
    draft_in_qa: bool = False  # its open stage's draft waits for the quality check
    panel_date: dt.date | None = None  # its open Stage 3's panel, yet to meet


class DemoCouncil:
    def __init__(self, *, seed: int = 2024, today: dt.date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.start = financial_year_start(self.today).replace(
            year=financial_year_start(self.today).year - YEARS
        )
        self.structure = seed_staff_and_structure()
        seed_pool(self.structure, today=self.today)
        self.cat = {
            key: {c.code: c for c in model.objects.all()} for key, model in CATEGORY_MODELS.items()
        }

    def default_case_count(self) -> int:
        days = (self.today - self.start).days
        return round(MIX["annual_representations"] * days / 365)

    # Working-day arithmetic on the statutory calendar.
    def _wd(self, day: dt.date, n: int) -> dt.date:
        return add_working_days(day, n)

    def _code(self, key: str, weights: dict) -> str:
        return self.cat[key][_pick(self.rng, weights)].code

    def _any(self, key: str) -> str:
        return self.rng.choice(list(self.cat[key]))

    def _received_on(self) -> dt.date:
        span = (self.today - self.start).days
        day = self.start + dt.timedelta(days=self.rng.randrange(span + 1))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return max(day, self.start)

    def plan_case(self, number: int) -> _Plan:
        rng = self.rng
        eq = MIX["equality"]
        users = self.structure["users"]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        relationship = self._code("relationship", MIX["relationship"])
        kind = KIND_CODES[_pick(rng, {k: v for k, v in MIX["kinds"].items() if k in KIND_CODES})]
        team = rng.choice(self.structure["teams"][_pick(rng, MIX["service_area"])])
        received = self._received_on()
        is_child = self.cat["relationship"][relationship].is_child
        channel = self._code("channel", MIX["channel"])
        via = Case.Via.MP if relationship == "other" else Case.Via.DIRECT
        if channel == "via_mp_councillor":
            via = rng.choice([Case.Via.MP, Case.Via.COUNCILLOR])
        children = [
            (
                f"{rng.choice(FIRST)} {name.split()[-1]}",
                f"MOS{rng.randrange(10**6):06d}",
                received - dt.timedelta(days=rng.randrange(365, 17 * 365)),
            )
            for _ in range(rng.choice([1, 1, 1, 2]))
        ]
        row = {
            "reference": f"DEMO-{number:06d}",
            "kind": Case.Kind.COMPLAINT if kind in ("refused", "withdrawn") else kind,
            "received_on": received,
            "channel": channel,
            "summary": "Concerns about how the family's case has been handled.",
            "service_area": team.service.name,
            "complainant_name": name,
            "complainant_relationship": relationship,
            "complainant_email": f"{name.lower().replace(' ', '.')}{rng.randrange(100)}"
            "@example.com",
            "complainant_phone": f"07700 9{rng.randrange(10**5):05d}",
            **{column: self._code(column, eq[column]) for column in EQUALITY},
            "on_behalf_of_child": "yes" if not is_child and rng.random() < 0.6 else "no",
            "children": "; ".join(c[0] for c in children),
            "children_case_system_references": "; ".join(c[1] for c in children),
            "children_dates_of_birth": "; ".join(c[2].isoformat() for c in children),
            "via": via,
            # Two thirds to the officer, the rest to the manager; no draw, so the mix is stable.
            "officer": users["officer" if received.day % 3 else "manager"].username,
        }
        if is_child:
            used = rng.random() < MIX["advocacy"]["advocate_used_share_of_child_complaints"]
            row |= {"advocacy_offered_on": received, "advocacy_accepted": "yes" if used else "no"}
            if used:
                row |= {
                    "advocacy_referred_on": self._wd(received, 1),
                    "advocacy_provider": "childrens_rights_service",
                }
        plan = _Plan(row=row)
        if row["kind"] != Case.Kind.COMPLAINT:
            closed = self._wd(received, rng.randrange(1, 6))
            if closed <= self.today:
                row["closed_on"] = closed
        elif kind == "refused":
            refused = self._wd(received, rng.randrange(1, 6))
            if refused <= self.today:
                row |= {"refused_on": refused, "refusal_reason": self._any("refusal_reason")}
        else:
            self._plan_complaint(plan, team, withdraw=kind == "withdrawn")
        return plan

    def _plan_complaint(self, plan: _Plan, team: Team, *, withdraw: bool) -> None:
        rng, row = self.rng, plan.row
        procedure = _pick(rng, MIX["procedure_for_complaints"])
        reached = int(_pick(rng, MIX["stage_reached"]))
        first = Level.EARLY_RESOLUTION if reached == 0 or rng.random() < 0.08 else 1
        if procedure == Procedure.CORPORATE:
            first, reached = 1, min(max(reached, 1), 2)
        row["procedure"] = procedure
        if procedure == Procedure.STATUTORY:
            row["eligibility_ground"] = rng.choice(
                ["parent", "parental_responsibility", "looked_after_child", "child_in_need"]
            )
        row["outcome_sought"] = "; ".join(
            rng.sample(
                [
                    "apology",
                    "explanation",
                    "service_provided",
                    "change_of_social_worker",
                    "meeting",
                ],
                2,
            )
        )
        # Stage 2 considers a few more elements than Stage 1 answered; all are listed here.
        elements = rng.choice([1, 2, 3, 3, 4, 5])
        if reached >= Level.INVESTIGATION:
            elements += rng.randrange(1, 6)
        row["natures"] = "; ".join(self._code("nature", MIX["nature"]) for _ in range(elements))
        accepted = self._wd(row["received_on"], rng.randrange(0, 2))
        if accepted > self.today:
            return  # still awaiting screening
        row["accepted_on"] = accepted
        withdraw_at = rng.randrange(first, reached + 1) if withdraw else None
        requested = row["received_on"]  # the first stage's timescales run from receipt
        for level in range(first, reached + 1):
            requested = self._plan_stage(
                plan,
                team,
                level,
                requested,
                elements=elements,
                withdraw=withdraw_at == level,
                last=level == reached,
            )
            if requested is None or requested > self.today:
                return  # the stage is still open, withdrawn or answered last

    def _plan_stage(self, plan, team, level, requested, *, elements, withdraw, last):
        """Plan one stage; return the date the next stage is requested, or None to stop."""
        rng, row, users = self.rng, plan.row, self.structure["users"]
        n = f"stage{level}_"
        procedure = row["procedure"]
        if level > Level.EARLY_RESOLUTION and f"stage{level - 1}_responded_on" in row:
            row |= {
                n + "requested_on": requested,
                n + "escalation_reason": self._code("escalation_reason", MIX["escalation_reason"]),
                n + "previous_response_method": self._code(
                    "response_method", MIX["response_method_stage1"]
                ),
            }
        row[n + "team"] = f"{team.name} ({team.service.name})"
        # Early resolution is a call back within days; later stages are acknowledged in writing.
        ack = max(row["accepted_on"], self._wd(requested, rng.randrange(0, 3)))
        if ack <= self.today and level > Level.EARLY_RESOLUTION:
            row[n + "acknowledged_on"] = ack
        if withdraw:
            row |= {
                "withdrawn_on": min(self.today, self._wd(requested, rng.randrange(2, 10))),
                "withdrawal_reason": self._any("withdrawal_reason"),
            }
            return None

        taken, extended_to = self._response_days(procedure, level)
        if level == Level.INVESTIGATION:
            io = (
                users["investigator"]
                if rng.random() < 0.5
                else rng.choice(self.structure["investigators"])
            )
            row |= {
                n + "investigating_officer": io.username,
                n + "adjudicating_officer": users["headofservice"].username,
                n + "investigator_fee": rng.randrange(1500, 4500),
            }
            if procedure == Procedure.STATUTORY:
                row |= {
                    n + "independent_person": users["independent"].username,
                    n + "independent_person_fee": rng.randrange(800, 1300),
                }
            report_days = max(1, taken - rng.randrange(2, 6))
            agreed = max(ack, self._wd(requested, min(report_days, rng.randrange(3, 8))))
            if agreed <= self.today:
                row[n + "statement_agreed_on"] = agreed
            report = max(agreed, self._wd(requested, report_days))
            if report <= self.today:
                row[n + "report_received_on"] = report
        if level == Level.REVIEW_PANEL:
            held = self._wd(requested, rng.randrange(18, 36))
            report = self._wd(held, rng.randrange(3, 8))
            responded = self._wd(report, rng.randrange(8, 18))
            row[n + "panel_cost"] = rng.randrange(1800, 2400)
            if held > self.today:
                plan.panel_date = held
            else:
                row |= {
                    n + "panel_held_on": held,
                    n + "panel_members": "; ".join(STAFF[-1 - i] for i in range(3)),
                }
                if held > self._wd(requested, 30):
                    row[n + "panel_late_reason"] = "The complainant asked for a later date."
                if report <= self.today:
                    row[n + "panel_report_on"] = report
        else:
            responded = self._wd(requested, taken)
        # Stage 3 is never extended; a corporate Stage 2's 25 days already exceed Stage 1's 20.
        corporate_stage2 = level == Level.INVESTIGATION and procedure == Procedure.CORPORATE
        if extended_to and level != Level.REVIEW_PANEL and not corporate_stage2:
            row |= {
                n + "extended_to": self._wd(requested, extended_to),
                n + "extension_reason": self._any("extension_reason"),
            }

        group_mix = MIX["finding_stage2_per_element"] if level >= 2 else MIX["finding_stage1"]
        groups = [_pick(rng, group_mix) for _ in range(elements)]
        findings = "; ".join(FINDING_FOR_GROUP[g] for g in groups)
        if responded > self.today:
            # Open: a share of drafts sit with the complaints team for their quality check.
            if level in (Level.LOCAL_RESOLUTION, Level.INVESTIGATION) and rng.random() < 0.15:
                plan.draft_in_qa = True
                row[n + "findings"] = findings
            return None

        upheld = sum(g in ("upheld", "partially_upheld") for g in groups)
        row |= {
            n + "responded_on": responded,
            n + "outcome": "upheld"
            if upheld == len(groups)
            else "partially_upheld"
            if upheld
            else "not_upheld",
        }
        if level >= 1:
            row[n + "findings"] = findings
        if upheld:
            remedies = []
            for code in _pick(rng, MIX["actual_outcome_stage1"]).split("+"):
                if self.cat["remedy_kind"][code].requires_amount:
                    code += f"={rng.choice([50, 100, 150, 250, 300, 500])}"
                remedies.append(code)
            row[n + "remedies"] = "; ".join(remedies)
        if not last:
            return self._wd(responded, rng.randrange(3, 19))
        closed = self._wd(responded, rng.choice([0, 0, 1, 21]))
        if closed <= self.today:
            row["closed_on"] = closed
        return None

    def _response_days(self, procedure: str, level: int) -> tuple[int, int | None]:
        """Working days taken, and the extension agreed if any, by the seeds' timeliness bands."""
        rng = self.rng
        if level == Level.EARLY_RESOLUTION:
            return rng.randrange(1, 4), None
        if level == Level.INVESTIGATION and procedure == Procedure.CORPORATE:
            return rng.randrange(10, 36), None
        if level == Level.INVESTIGATION:
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

    def write(self, plans: list[_Plan]) -> None:
        """Import the cases as a council's history, then carry on what is under way today,
        each through the workflow."""
        officer = self.structure["users"]["officer"]
        result = import_rows([p.row for p in plans], by=officer)
        if not result.ok:
            raise DomainError(f"The demo council's history did not import: {result.problems[:5]}")
        under_way = {p.row["reference"]: p for p in plans if p.draft_in_qa or p.panel_date}
        with transaction.atomic():
            for case in Case.objects.filter(source_reference__in=under_way):
                plan = under_way[case.source_reference]
                with workflow.as_of(self.today):
                    if plan.panel_date:
                        seats = [
                            PanelSeat(name=STAFF[-1 - i], role="chair" if i == 0 else "member")
                            for i in range(3)
                        ]
                        workflow.schedule_panel(
                            case,
                            by=officer,
                            panel_date=plan.panel_date,
                            members=seats,
                            late_reason="The complainant asked for a later date.",
                        )
                    if plan.draft_in_qa:
                        manager = case.current_stage.responding_manager or officer
                        workflow.submit_for_qa(case, by=manager)


def seed_demo(
    *,
    cases: int | None = None,
    today: dt.date | None = None,
    seed: int = 2024,
    chunk: int = 1000,
    progress=None,
) -> int:
    """Create the demo council, topping its cases up to `cases`. Returns how many were added.
    Each chunk of cases is one import, so an interrupted seed keeps what it finished."""
    council = DemoCouncil(seed=seed, today=today)
    target = council.default_case_count() if cases is None else cases
    existing = Case.objects.count()
    wanted = max(0, target - existing)
    council.rng.seed(seed + existing)
    added = 0
    while added < wanted:
        n = min(chunk, wanted - added)
        council.write([council.plan_case(existing + added + i + 1) for i in range(n)])
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
                    # The few the council chose to publish.
                    published_summary=text if rng.random() < 0.1 else "",
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
