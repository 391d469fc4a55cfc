"""A council whose 2025/26 is known by hand. Facts are written straight to the tables, with
the dates a real year would have, because the statistics read facts, not the workflow.

Working days were counted on a calendar: 2 Jun 2025 is a Monday; 25 Aug 2025 is a bank holiday.
"""

import datetime as dt
from decimal import Decimal

import pytest

from complaints.models import (
    AdvocacyProvider,
    Case,
    Channel,
    Element,
    ElementFinding,
    ExtensionReason,
    Finding,
    Gender,
    LessonsLearnt,
    Nature,
    PanelMember,
    RefusalReason,
    Relationship,
    Remedy,
    RemedyKind,
    Stage,
)
from compliments.models import Compliment, ComplimentSource
from ombudsman.models import Decision, OmbudsmanCase
from tests.factories import ComplainantFactory, ServiceAreaFactory, TeamFactory, category

D = dt.date
NAMES = ["Agatha Fernsby", "Bartholomew Quill", "Cressida Vantongeren", "Dorian Ashcombe"]


class Council:
    def __init__(self):
        self.area = ServiceAreaFactory(name="Children in Care")
        self.other_area = ServiceAreaFactory(name="Early Help")
        self.team = TeamFactory(service=self.area, name="Looked After Children 1")
        self.count = 0

    def case(
        self,
        received_on,
        *,
        kind="complaint",
        procedure="statutory",
        relationship="parent",
        area=None,
        name=None,
        **fields,
    ):
        self.count += 1
        complainant = ComplainantFactory(
            name=name or f"Complainant {self.count}",
            email=f"person{self.count}@example.org",
            relationship=category(Relationship, relationship),
            gender=fields.pop("gender", None),
        )
        sought = fields.pop("sought", [])
        case = Case.objects.create(
            reference=f"T{self.count:04d}",
            kind=kind,
            procedure=procedure,
            channel=category(Channel, "email"),
            received_on=received_on,
            summary="Known by hand.",
            complainant=complainant,
            service_area=area or self.area,
            state=fields.pop("state", Case.State.IN_PROGRESS),
            **fields,
        )
        case.outcome_sought.set([category(RemedyKind, code) for code in sought])
        return case

    def stage(self, case, level, requested_on, responded_on=None, outcome=None, **fields):
        return Stage.objects.create(
            case=case,
            level=level,
            requested_on=requested_on,
            responded_on=responded_on,
            team=self.team,
            outcome=category(Finding, outcome) if outcome else None,
            **fields,
        )

    def element(self, case, stage, nature, finding):
        number = case.elements.count() + 1
        element = Element.objects.create(
            case=case, number=number, summary="An element.", nature=category(Nature, nature)
        )
        ElementFinding.objects.create(
            stage=stage, element=element, finding=category(Finding, finding)
        )
        return element


@pytest.fixture
def council(db):
    """2025/26 for the Children in Care service, by hand:

    Statutory complaints received (all 2 Jun 2025, Stage 1 requested the same day):
      A  Stage 1 answered 16 Jun (10 wd) upheld; Stage 2 1 Jul → 5 Aug (25 wd) upheld;
         Stage 3 6 Aug, panel 3 Sep (19 wd), report 15 Sep (8 wd: late), response 23 Sep
         (6 wd), 33 wd in all.
      B  Stage 1 17 Jun (11 wd) partly upheld, extended with agreement; Stage 2 1 Jul → 7 Oct
         (69 wd) not upheld.
      C  Stage 1 30 Jun (20 wd) not upheld, extended with agreement; through an MP.
      D  Stage 1 1 Jul (21 wd) not upheld.
      E  a young person; Stage 1 withdrawn 10 Jun; advocacy offered and referred.
      F  a grandparent; Stage 1 still open; advocacy offered.
    Z  received 3 Mar 2025 (the year before), Stage 1 answered 1 Apr 2025: 21 wd.
    Corporate: G acknowledged 4 Jun, answered 18 Jun (10 wd from acknowledgement); H open.
    Also: R refused (out of time); two pre-complaints, a call-back request, a comment; Y a
    complaint for Early Help; three compliments (one for Early Help); one Ombudsman enquiry.
    """
    c = Council()
    june2 = D(2025, 6, 2)
    agreed = {
        "extension_reason": category(ExtensionReason, "complexity"),
        "complainant_agreed_extension": True,
    }

    a = c.case(june2, gender=category(Gender, "female"), sought=["apology"], name=NAMES[0])
    a1 = c.stage(a, 1, june2, D(2025, 6, 16), "upheld")
    c.element(a, a1, "communication", "upheld")
    c.element(a, a1, "staff_conduct", "not_upheld")
    Remedy.objects.create(stage=a1, kind=category(RemedyKind, "apology"))
    Remedy.objects.create(
        stage=a1, kind=category(RemedyKind, "financial_payment"), amount=Decimal("250.00")
    )
    LessonsLearnt.objects.create(
        stage=a1, case=a, team=c.team, due_on=D(2025, 7, 14), submitted_on=D(2025, 7, 10)
    )
    a2 = c.stage(
        a,
        2,
        D(2025, 7, 1),
        D(2025, 8, 5),
        "upheld",
        investigator_fee=Decimal("1500"),
        independent_person_fee=Decimal("500"),
    )
    a3 = c.stage(
        a,
        3,
        D(2025, 8, 6),
        D(2025, 9, 23),
        "upheld",
        panel_held_on=D(2025, 9, 3),
        panel_report_on=D(2025, 9, 15),
        panel_cost=Decimal("1000"),
    )
    for name in ["Chair", "Member one", "Member two"]:
        PanelMember.objects.create(stage=a3, name=name, fee=Decimal("200"))
    del a2

    b = c.case(june2, sought=["apology", "explanation"], name=NAMES[1])
    b1 = c.stage(b, 1, june2, D(2025, 6, 17), "partially_upheld", **agreed)
    c.element(b, b1, "communication", "partially_upheld")
    Remedy.objects.create(stage=b1, kind=category(RemedyKind, "explanation"))
    c.stage(b, 2, D(2025, 7, 1), D(2025, 10, 7), "not_upheld", investigator_fee=Decimal("2500"))

    cc = c.case(june2, sought=["financial_payment"], via=Case.Via.MP, name=NAMES[2])
    c1 = c.stage(cc, 1, june2, D(2025, 6, 30), "not_upheld", **agreed)
    c.element(cc, c1, "quality_of_service", "not_upheld")

    d = c.case(june2, name=NAMES[3])
    d1 = c.stage(d, 1, june2, D(2025, 7, 1), "not_upheld")
    c.element(d, d1, "communication", "not_upheld")

    provider = category(AdvocacyProvider, "childrens_rights_service")
    e = c.case(
        june2,
        relationship="young_person",
        advocacy_offered_on=june2,
        advocacy_referred_on=D(2025, 6, 3),
        advocacy_provider=provider,
        state=Case.State.WITHDRAWN,
    )
    c.stage(e, 1, june2, withdrawn_on=D(2025, 6, 10))
    f = c.case(june2, relationship="grandparent", advocacy_offered_on=june2)
    c.stage(f, 1, june2)

    z = c.case(D(2025, 3, 3))
    c.stage(z, 1, D(2025, 3, 3), D(2025, 4, 1), "not_upheld")

    g = c.case(june2, procedure="corporate")
    c.stage(g, 1, june2, D(2025, 6, 18), "not_upheld", acknowledged_on=D(2025, 6, 4))
    h = c.case(june2, procedure="corporate")
    c.stage(h, 1, june2)

    c.case(
        june2,
        procedure="",
        state=Case.State.REFUSED,
        refusal_reason=category(RefusalReason, "out_of_time"),
    )
    for kind in ["pre_complaint", "pre_complaint", "call_back", "comment"]:
        c.case(june2, kind=kind, procedure="", state=Case.State.CLOSED)
    c.case(june2, area=c.other_area)

    for area, source in [(c.area, "parent"), (c.area, "child"), (c.other_area, "parent")]:
        Compliment.objects.create(
            received_on=D(2025, 9, 1),
            service_area=area,
            source=ComplimentSource.objects.get(code=source),
            channel=category(Channel, "email"),
            summary="Thank you.",
        )
    OmbudsmanCase.objects.create(
        reference="25 001 234",
        received_on=D(2025, 10, 1),
        service_area=c.area,
        decision=Decision.objects.get(code="upheld_fault_injustice"),
        decision_on=D(2025, 12, 1),
    )
    return c
