"""Who in the pool may be appointed to what: the one place for the checks an appointment makes
and for the proposals a Stage 2 or 3 appointment offers.

A member is refused for a part on a stage (`refusal`) if they have left the pool, do not take
that part, hold a check whose latest of its kind has expired, have a conflict with the case's
service area, or worked on the case before this stage (its responding manager or the manager
of its team). `proposals` offers those not refused who are available and below their most
cases, lowest caseload first; the officer chooses. The workflow's moves (appoint_investigators,
schedule_panel) call `appoint`, so a form, the API and an import are refused alike.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from complaints.errors import DomainError
from complaints.models import PART_FIELD, Appointment, Part, PoolCheck, PoolMember, Stage


def open_appointments() -> Q:
    """Appointments a member still carries: not ended, on a stage still open."""
    return Q(
        ended_on__isnull=True,
        stage__responded_on__isnull=True,
        stage__withdrawn_on__isnull=True,
    )


def with_caseload(members: QuerySet[PoolMember]) -> QuerySet[PoolMember]:
    """Annotate each member's `caseload`: their open appointments, counted in one subquery."""
    counted = (
        Appointment.objects.filter(open_appointments(), member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return members.annotate(caseload=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def expired_checks(on: dt.date) -> QuerySet[PoolCheck]:
    """Checks that have expired by `on` with no later check of the same kind for the member."""
    renewed = PoolCheck.objects.filter(
        member=OuterRef("member"), kind=OuterRef("kind"), expires_on__gte=on
    )
    return PoolCheck.objects.filter(expires_on__lt=on).exclude(Exists(renewed))


def worked_on_case(stage: Stage) -> set[int]:
    """User ids of those who worked on the case at a stage before this one: who responded, the
    team's manager and the head of its service (who answers for the Stage 1 reply), and at
    Stage 2 the investigator, independent person and adjudicator."""
    earlier = Stage.objects.filter(case_id=stage.case_id, level__lt=stage.level)
    ids = set()
    for row in earlier.values_list(
        "responding_manager",
        "team__manager",
        "team__service__head_of_service",
        "investigating_officer",
        "independent_person",
        "adjudicating_officer",
    ):
        ids.update(i for i in row if i is not None)
    return ids


def refusal(member: PoolMember, part: str, stage: Stage, *, on: dt.date) -> str | None:
    """Why `member` may not take `part` on `stage`, in words for the officer; None if they may."""
    name = str(member)
    if member.left_on is not None and member.left_on <= on:
        return f"{name} left the pool on {member.left_on:%-d %B %Y}."
    if not member.takes(part):
        return f"{name} is not in the pool as {Part(part).label.lower()}."
    expired = expired_checks(on).filter(member=member).order_by("expires_on").first()
    if expired is not None:
        return (
            f"{name}'s {expired.get_kind_display()} expired on {expired.expires_on:%-d %B %Y}. "
            "Record the renewed check before appointing them."
        )
    area = stage.case.service_area
    if area is not None and member.conflicts.filter(pk=area.pk).exists():
        return f"{name} has a conflict of interest with {area.name}, this case's service area."
    if member.user_id in worked_on_case(stage):
        return f"{name} worked on this case at an earlier stage, so cannot be independent of it."
    return None


def proposals(stage: Stage, part: str, *, on: dt.date, limit: int = 5) -> list[PoolMember]:
    """Members the officer may appoint to `part` on `stage`: not refused, available and below
    their most cases, lowest caseload first."""
    members = PoolMember.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on),
        Q(unavailable_until__isnull=True) | Q(unavailable_until__lte=on),
        **{PART_FIELD[part]: True},
    ).exclude(Exists(expired_checks(on).filter(member=OuterRef("pk"))))
    if stage.case.service_area_id is not None:
        members = members.exclude(conflicts=stage.case.service_area_id)
    worked = worked_on_case(stage)
    if worked:
        members = members.exclude(user_id__in=worked)
    members = with_caseload(members.select_related("user")).filter(caseload__lt=F("most_cases"))
    return list(members.order_by("caseload", "user__last_name", "user__first_name")[:limit])


def appoint(
    stage: Stage, member: PoolMember, part: str, *, by, on: dt.date, field: str | None = None
) -> Appointment:
    """Appoint a member after the checks; a refusal is a DomainError on `field`. Called inside
    a workflow move, which holds the case's lock and writes the event."""
    reason = refusal(member, part, stage, on=on)
    if reason is not None:
        raise DomainError(reason, field=field or part)
    return Appointment.objects.create(
        stage=stage,
        member=member,
        part=part,
        appointed_on=on,
        appointed_by=by,
        rate=member.rate,
        rate_unit=member.rate_unit,
    )


def stand_down(appointments: Iterable[Appointment], *, on: dt.date, reason: str) -> None:
    """End appointments replaced by others, e.g. an investigator reassigned."""
    for appointment in appointments:
        appointment.ended_on = on
        appointment.end_reason = reason
        appointment.save(update_fields=["ended_on", "end_reason"])


# --- Stage 2 appointment: the page's other choices, and appointments replayed from history ---


def not_proposed(
    stage: Stage, part: str, *, on: dt.date, proposed: Iterable[PoolMember]
) -> list[tuple[PoolMember, str]]:
    """The other members still in the pool who take `part`, each with why they were not
    proposed, by name: the officer may still choose one, and the move then checks them. A few
    queries whatever the pool's size."""
    members = with_caseload(
        PoolMember.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=on), **{PART_FIELD[part]: True}
        ).exclude(pk__in=[m.pk for m in proposed])
    ).select_related("user")
    members = list(members.order_by("user__first_name", "user__last_name"))
    expired = set(expired_checks(on).values_list("member", flat=True))
    area = stage.case.service_area_id
    conflicted = set(
        PoolMember.conflicts.through.objects.filter(servicearea_id=area).values_list(
            "poolmember_id", flat=True
        )
        if area is not None
        else ()
    )
    worked = worked_on_case(stage)
    offered = []
    for member in members:
        if member.user_id in worked:
            why = "Worked on this case at an earlier stage"
        elif member.pk in conflicted:
            why = "Conflict of interest with this case's service area"
        elif member.pk in expired:
            why = "A check has expired"
        elif member.unavailable_until is not None and member.unavailable_until > on:
            why = f"Unavailable until {member.unavailable_until:%-d %B %Y}"
        elif member.caseload >= member.most_cases:
            why = f"At their most cases ({member.most_cases})"
        else:
            why = "Available, listed after those proposed"
        offered.append((member, why))
    return offered


def record_past_appointment(
    stage: Stage, member: PoolMember, part: str, *, by, on: dt.date
) -> Appointment:
    """An appointment a council's history records as made: it happened, so it is not checked
    again against today's pool (whose checks and conflicts may postdate it)."""
    return Appointment.objects.create(
        stage=stage,
        member=member,
        part=part,
        appointed_on=on,
        appointed_by=by,
        rate=member.rate,
        rate_unit=member.rate_unit,
    )
