"""Factories for test data, and CaseBuilder, which reaches any state through the real
workflow moves so tests never hand-craft a state the workflow could not produce."""

import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from complaints import services, workflow
from complaints.models import (
    Case,
    Channel,
    Child,
    Complainant,
    Directorate,
    EligibilityGround,
    EscalationReason,
    Finding,
    Level,
    Nature,
    PanelMember,
    PoolCheck,
    PoolMember,
    Procedure,
    RefusalReason,
    Relationship,
    ServiceArea,
    Team,
    WithdrawalReason,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")
    job_title = "Service Manager"
    password = factory.django.Password("password")

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=Role(role).label))
        return user


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ("name",)

    name = "Children's Services"


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("directorate", "name")

    directorate = factory.SubFactory(DirectorateFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    service = factory.SubFactory(ServiceAreaFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    manager = factory.SubFactory(UserFactory, role=Role.TEAM_MANAGER)


class PoolMemberFactory(factory.django.DjangoModelFactory):
    """A pool member taking the parts named (`parts=["investigates", ...]`, PART_FIELD's
    fields), with a DBS check valid for a year."""

    class Meta:
        model = PoolMember

    user = factory.SubFactory(UserFactory, job_title="Independent investigator")
    engagement = PoolMember.Engagement.SELF_EMPLOYED
    rate = 350
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))

    @classmethod
    def _create(cls, model_class, *args, parts=(), conflicts=(), **kwargs):
        member = super()._create(model_class, *args, **dict.fromkeys(parts, True), **kwargs)
        member.conflicts.set(conflicts)
        today = timezone.localdate()
        PoolCheck.objects.create(
            member=member,
            kind=PoolCheck.Kind.DBS,
            obtained_on=today - dt.timedelta(days=30),
            expires_on=today + dt.timedelta(days=335),
        )
        return member


class ComplainantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complainant

    name = factory.Faker("name", locale="en_GB")
    email = factory.Faker("email")
    relationship = factory.LazyFunction(lambda: Relationship.objects.get(code="parent"))


def category(model, code):
    return model.objects.get(code=code)


class CaseBuilder:
    """Build a case in any state, at any level, by driving the workflow as a user would."""

    def __init__(self, *, officer, team, investigator, independent_person):
        self.officer, self.team = officer, team
        self.investigator, self.independent_person = investigator, independent_person

    def log(
        self,
        *,
        kind=Case.Kind.COMPLAINT,
        received_on=None,
        complainant=None,
        children=(),
        **fields,
    ) -> Case:
        received_on = received_on or timezone.localdate() - dt.timedelta(days=7)
        return services.case_log(
            by=self.officer,
            complainant=complainant or ComplainantFactory.build(),
            kind=kind,
            channel=category(Channel, "email"),
            received_on=received_on,
            summary="The family were not told about the change of placement.",
            children=list(children) or [Child(name="Ruby Example", case_system_reference="MOS1")],
            **fields,
        )

    def accept(self, case, *, level=Level.LOCAL_RESOLUTION, procedure=Procedure.STATUTORY):
        return workflow.accept(
            case,
            by=self.officer,
            procedure=procedure,
            level=level,
            eligibility_ground=category(EligibilityGround, "parent"),
        )

    def attach(self, case, *, title="Notes", kind="evidence", content=b"notes", name="n.txt"):
        """A document on the case, uploaded by the case officer."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from complaints import documents

        upload = SimpleUploadedFile(name, content, content_type="text/plain")
        return documents.document_add(
            case=case, by=self.officer, kind=kind, title=title, upload=upload
        )

    def send_letter(self, case, kind="acknowledgement"):
        """A letter drafted from the first template of its kind and sent, as a PDF on the case."""
        from complaints import letters
        from complaints.models import LetterTemplate

        template = LetterTemplate.objects.filter(kind=kind).first()
        draft = letters.letter_draft(case=case, template=template, by=self.officer)
        return letters.letter_send(draft, by=self.officer)

    def add_element(self, case, summary="The social worker did not return calls."):
        return services.element_add(
            case=case, summary=summary, nature=category(Nature, "communication")
        )

    @staticmethod
    def in_pool(user, part):
        """The user's pool membership, made (taking `part`) if they have none."""
        member = PoolMember.objects.filter(user=user).first()
        return member or PoolMemberFactory(user=user, parts=[part], most_cases=50)

    def prepare_stage(self, case):
        """Do what the current stage needs before it can respond."""
        stage = case.current_stage
        if stage.level == Level.INVESTIGATION:
            case = workflow.appoint_investigators(
                case,
                by=self.officer,
                investigating_officer=self.in_pool(self.investigator, "investigates"),
                independent_person=self.in_pool(self.independent_person, "independent_person"),
            )
        if stage.level == Level.REVIEW_PANEL:
            case = workflow.schedule_panel(
                case,
                by=self.officer,
                panel_date=timezone.localdate(),
                members=self.panel_seats(),
            )
        return case

    @staticmethod
    def panel_seats(*, conflicts=()):
        """A chair and two members, each a new pool member."""
        chair = PoolMemberFactory(parts=["chairs_panels"], conflicts=conflicts)
        first, second = PoolMemberFactory.create_batch(
            2, parts=["sits_on_panels"], conflicts=conflicts
        )
        return [
            workflow.PanelSeat.from_pool(chair, PanelMember.Role.CHAIR, field="chair"),
            workflow.PanelSeat.from_pool(first, field="member_1"),
            workflow.PanelSeat.from_pool(second, field="member_2"),
        ]

    def record_findings(self, case, finding="upheld"):
        stage = case.current_stage
        if stage.level >= Level.LOCAL_RESOLUTION:
            for ef in stage.element_findings.all():
                services.finding_record(
                    stage=stage, element=ef.element, finding=category(Finding, finding)
                )

    def respond(self, case, *, finding="upheld"):
        """Take the current stage from in progress to responded."""
        stage = case.current_stage
        today = timezone.localdate()
        self.record_findings(case, finding)
        if stage.level == Level.INVESTIGATION:
            workflow.record_report_received(case, by=self.officer, on=today)
        if stage.level == Level.REVIEW_PANEL:
            workflow.record_panel_held(case, by=self.officer, on=today)
            workflow.record_panel_report(case, by=self.officer, on=today)
        if stage.level >= Level.LOCAL_RESOLUTION:
            workflow.submit_for_qa(case, by=self.officer)
            workflow.approve_draft(case, by=self.officer)
        return workflow.issue_response(
            case, by=self.officer, responded_on=today, outcome=category(Finding, finding)
        )

    def escalate(self, case):
        return workflow.escalate(
            case,
            by=self.officer,
            requested_on=timezone.localdate(),
            reason=category(EscalationReason, "desired_outcome_not_met"),
        )

    def case(
        self,
        state=Case.State.IN_PROGRESS,
        *,
        level=Level.LOCAL_RESOLUTION,
        kind=Case.Kind.COMPLAINT,
        elements=2,
        prepare=True,
        **fields,
    ) -> Case:
        """`prepare=False` leaves the last stage as it starts (no investigators, no panel)."""
        State = Case.State
        case = self.log(kind=kind, **fields)
        if state == State.RECEIVED:
            return case
        if state == State.REFUSED:
            return workflow.refuse(
                case, by=self.officer, reason=category(RefusalReason, "out_of_time")
            )
        case = self.accept(case, level=min(level, Level.LOCAL_RESOLUTION))
        case = workflow.allocate(case, by=self.officer, team=self.team)
        for _ in range(elements):
            self.add_element(case)
        while case.current_stage.level < level:
            self.prepare_stage(case)
            case = self.respond(case)
            case = self.escalate(case)
        if prepare:
            self.prepare_stage(case)
        case.refresh_from_db()
        if state == State.IN_PROGRESS:
            return case
        if state == State.PAUSED:
            return workflow.pause(case, by=self.officer, reason="Care proceedings (reg 8).")
        if state == State.AWAITING_QA:
            self.record_findings(case)
            return workflow.submit_for_qa(case, by=self.officer)
        if state == State.APPROVED:
            self.record_findings(case)
            workflow.submit_for_qa(case, by=self.officer)
            return workflow.approve_draft(case, by=self.officer)
        if state == State.WITHDRAWN:
            return workflow.withdraw(
                case, by=self.officer, reason=category(WithdrawalReason, "complainant_withdrew")
            )
        case = self.respond(case)
        if state == State.RESPONDED:
            return case
        if state == State.CLOSED:
            return workflow.close(case, by=self.officer)
        raise ValueError(state)


# --- costs: an appointment from the pool, whether or not the workflow made it already ---------


def appointed(stage, user, part, *, rate=None, rate_unit=None):
    """`user`'s open appointment to `part` on `stage`, made through complaints.pool if the
    workflow has not made it; at `rate` per `rate_unit` if given."""
    from complaints import pool
    from complaints.models import PART_FIELD, PoolMember

    appointment = stage.appointments.filter(part=part, member__user=user).first()
    if appointment is None:
        member = PoolMember.objects.filter(user=user).first()
        if member is None:
            member = PoolMemberFactory(user=user, parts=[PART_FIELD[part]])
        elif not member.takes(part):
            setattr(member, PART_FIELD[part], True)
            member.save()
        appointment = pool.appoint(stage, member, part, by=None, on=stage.requested_on)
    if rate is not None:
        appointment.rate = rate
        appointment.rate_unit = rate_unit or appointment.rate_unit
        appointment.save()
    return appointment
