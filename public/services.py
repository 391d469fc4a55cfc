"""What the public e-forms do, and nothing the pages decide for themselves.

- A complaint, a young person's complaint or a call-back request is logged through
  complaints.services.case_log exactly as an officer logs one: received, awaiting screening,
  channel "E-form". It is logged by the system user `public-e-form`, which cannot sign in.
- Nobody's answers are matched to the people already on record: that would tell whoever typed
  an e-mail address whether the council knows it (the system user does not see every case,
  so complaints.services.people_on_record leaves the people as typed).
- A young person who accepts an advocate has the offer recorded as accepted today, and
  referred to the council's advocacy provider when there is one to choose
  (PUBLIC_ADVOCACY_PROVIDER, or the only active provider); otherwise the chase rule
  "advocacy-referral" chases the team to refer it.
- The dates the person is told come from the timescales the workflow will use when the
  complaint is accepted at Stage 1 of the statutory procedure.
- The acknowledgement e-mail holds the reference and those dates, nothing the person typed,
  and goes through the outbox once the case is committed.
- A request for the next stage through a response letter's link escalates the case by
  complaints.workflow.escalate, once: a link whose stage is no longer the case's current one,
  or whose case cannot move on, does nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from complaints import chasing, deadlines, services, workflow
from complaints.errors import DomainError
from complaints.escalation_link import LinkProblem, expired, stage_id_from
from complaints.models import (
    AdvocacyProvider,
    Case,
    Channel,
    Child,
    Complainant,
    EscalationReason,
    Level,
    Notification,
    Procedure,
    Relationship,
    ResponseMethod,
    ServiceArea,
    Stage,
    Step,
    Team,
)
from compliments.models import Compliment, ComplimentSource
from compliments.services import compliment_record

SYSTEM_USERNAME = "public-e-form"
E_FORM_CHANNEL = "e_form"


def system_user():
    """Who logs what the public submits: inactive, with no usable password and no role, so it
    can never sign in nor be chosen for anything."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "first_name": "Public",
            "last_name": "e-form",
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


def e_form_channel() -> Channel:
    return Channel.objects.get(code=E_FORM_CHANNEL)


@dataclass(frozen=True)
class DueDates:
    acknowledge_by: dt.date | None
    respond_by: dt.date | None


def complaint_due_dates(received_on: dt.date) -> DueDates:
    """When a complaint received on that day is to be acknowledged and answered at Stage 1,
    by the timescales in force, as complaints.deadlines will plan them on acceptance."""
    stage = Stage(level=Level.LOCAL_RESOLUTION, requested_on=received_on)
    timescales = {
        t.step: t
        for t in deadlines.timescales_for(Procedure.STATUTORY, Level.LOCAL_RESOLUTION, received_on)
    }
    planned = deadlines.compute_deadlines(stage, timescales)
    due = {step: d.effective_due_on for step, d in planned.items()}
    return DueDates(due.get(Step.ACKNOWLEDGE), due.get(Step.RESPOND))


def advocacy_provider() -> AdvocacyProvider | None:
    """The provider an accepted offer is referred to, if the council has one to choose."""
    active = AdvocacyProvider.objects.filter(active=True)
    if settings.PUBLIC_ADVOCACY_PROVIDER:
        return active.filter(code=settings.PUBLIC_ADVOCACY_PROVIDER).first()
    found = list(active[:2])
    return found[0] if len(found) == 1 else None


@dataclass
class ComplaintAnswers:
    """Everything the complaint forms ask, typed."""

    relationship: Relationship
    name: str
    what_happened: str
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    contact_by: str = ""
    on_behalf_of_child: bool = False
    child_name: str = ""
    child_date_of_birth: dt.date | None = None
    service_area: ServiceArea | None = None
    team: Team | None = None
    outcome: str = ""
    support: str = ""
    advocate: bool | None = None


@transaction.atomic
def complaint_submit(answers: ComplaintAnswers) -> Case:
    """Log the complaint, record an accepted advocate, and queue the acknowledgement."""
    by = system_user()
    today = timezone.localdate()
    complainant = Complainant(
        name=answers.name,
        email=answers.email,
        phone=answers.phone,
        address=answers.address,
        postcode=answers.postcode,
        relationship=answers.relationship,
        letters_by_email=bool(answers.email) and answers.contact_by == Case.ContactBy.EMAIL,
    )
    children = []
    if answers.child_name:
        children = [Child(name=answers.child_name, date_of_birth=answers.child_date_of_birth)]
    summary = answers.what_happened.strip()
    service_area = answers.service_area
    if answers.team is not None:
        # A case has no team until it is allocated; the team they named is kept in their words.
        service_area = answers.team.service
        summary += f"\n\nTeam named on the e-form: {answers.team.name}"
    case = services.case_log(
        by=by,
        complainant=complainant,
        kind=Case.Kind.COMPLAINT,
        channel=e_form_channel(),
        received_on=today,
        summary=summary,
        children=children,
        on_behalf_of_child=answers.on_behalf_of_child,
        service_area=service_area,
        outcome_sought_detail=answers.outcome.strip(),
        reasonable_adjustments=answers.support.strip(),
        contact_by=answers.contact_by,
    )
    if answers.advocate:
        provider = advocacy_provider()
        case = services.advocacy_record(
            case=case,
            by=by,
            offered_on=today,
            accepted=True,
            referred_on=today if provider else None,
            provider=provider,
        )
    if answers.email:
        _acknowledge(case, answers.email)
    return case


def _acknowledge(case: Case, email: str) -> Notification:
    """The acknowledgement e-mail: the reference and the dates, so a forwarded or misdirected
    message tells nobody anything about the family."""
    dates = complaint_due_dates(case.received_on)
    note = Notification(
        key=f"public-acknowledgement:{case.pk}",
        case=case,
        to=[email],
        subject=f"We have received your complaint, reference {case.reference}",
        body=render_to_string(
            "public/email/acknowledgement.txt",
            {
                "reference": case.reference,
                "dates": dates,
                "council_name": settings.COUNCIL_NAME,
                "complaints_contact": settings.COMPLAINTS_CONTACT,
            },
        ),
    )
    chasing.send_after_commit([note])
    return note


@transaction.atomic
def call_back_submit(*, name: str, phone: str, good_time: str, note: str) -> Case:
    """A call-back request: the workflow sets when it is due (CALL_BACK_WORKING_DAYS), and the
    team's list and the chase rule for call-backs take it from there."""
    summary = note.strip() or "A call-back was asked for on the e-form."
    if good_time.strip():
        summary += f"\n\nA good time to call: {good_time.strip()}"
    return services.case_log(
        by=system_user(),
        complainant=Complainant(
            name=name,
            phone=phone,
            relationship=Relationship.objects.get(code="unknown"),
        ),
        kind=Case.Kind.CALL_BACK,
        channel=e_form_channel(),
        received_on=timezone.localdate(),
        summary=summary,
        contact_by=Case.ContactBy.PHONE,
    )


@transaction.atomic
def compliment_submit(
    *,
    service_area: ServiceArea | None,
    team: Team | None,
    text: str,
    source: ComplimentSource,
    name: str = "",
    contact: str = "",
    consent: bool = False,
) -> Compliment:
    text = text.strip()
    first_line = text.splitlines()[0] if text else ""
    summary = first_line if len(first_line) <= 200 else first_line[:199] + "…"
    return compliment_record(
        by=system_user(),
        received_on=timezone.localdate(),
        service_area=team.service if team else service_area,
        team=team,
        source=source,
        channel=e_form_channel(),
        summary=summary,
        full_text=text,
        from_name=name.strip(),
        from_contact=contact.strip(),
        consent_to_publish=consent,
        extract_to_follow=True,
    )


# --- the escalation link ------------------------------------------------------------------


def escalation_case(token: str) -> Case:
    """The case a link may still escalate; LinkProblem if it is forged, expired, or its stage
    has been escalated, withdrawn or otherwise left behind. Reads only."""
    stage_id = stage_id_from(token)
    case = Case.objects.select_related("current_stage").filter(current_stage_id=stage_id).first()
    if case is None or not _may_escalate(case):
        raise LinkProblem(LinkProblem.USED)
    if expired(case.current_stage, timezone.localdate()):
        raise LinkProblem(LinkProblem.EXPIRED)
    return case


def _may_escalate(case: Case) -> bool:
    return (
        case.anonymised_on is None
        and workflow.Move.ESCALATE in workflow.allowed_moves(case)
        and workflow.MOVE_CONDITIONS[workflow.Move.ESCALATE](case)
    )


@transaction.atomic
def escalation_request(
    *,
    token: str,
    reason: EscalationReason,
    previous_response_method: ResponseMethod,
    detail: str = "",
) -> Case:
    """Ask for the next stage through the link, once. The case row is locked before the link
    is checked again, so two requests at once escalate it only once."""
    stage_id = stage_id_from(token)
    case = Case.objects.select_for_update().filter(current_stage_id=stage_id).first()
    if case is None:
        raise LinkProblem(LinkProblem.USED)
    case = escalation_case(token)
    try:
        return workflow.escalate(
            case,
            by=system_user(),
            requested_on=timezone.localdate(),
            reason=reason,
            previous_response_method=previous_response_method,
            detail=detail.strip(),
        )
    except DomainError as error:
        if error.field == "accept_late":
            raise LinkProblem(LinkProblem.LATE) from None
        raise LinkProblem(LinkProblem.USED) from None


def next_stage(case: Case) -> str:
    """The stage a request through the link would start, as letters name it."""
    stage = case.current_stage
    following = deadlines.stage_definition(case.procedure, stage.level + 1) if stage else None
    return f"Stage {following.level}, {following.name.lower()}" if following else ""


def stage_due_dates(stage: Stage) -> DueDates:
    due = {d.step: d.effective_due_on for d in stage.deadlines.all()}
    return DueDates(due.get(Step.ACKNOWLEDGE), due.get(Step.RESPOND))
