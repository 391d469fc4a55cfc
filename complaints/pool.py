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
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts.roles import Role, roles_set, user_roles
from complaints.errors import DomainError
from complaints.models import (
    PART_FIELD,
    Appointment,
    Level,
    Part,
    PoolCheck,
    PoolMember,
    Procedure,
    ServiceArea,
    Stage,
)
from complaints.workingdays import working_days_between_many


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
    a workflow move, which holds the case's lock and writes the event. The member's row is
    locked and read again, so a removal from the pool (member_remove) cannot cross it."""
    member = PoolMember.objects.select_for_update().select_related("user").get(pk=member.pk)
    reason = refusal(member, part, stage, on=on)
    if reason is not None:
        raise DomainError(reason, field=field or part)
    return record_past_appointment(stage, member, part, by=by, on=on)


def stand_down(appointments: Iterable[Appointment], *, on: dt.date, reason: str) -> None:
    """End appointments replaced by others, e.g. an investigator reassigned."""
    for appointment in appointments:
        appointment.ended_on = on
        appointment.end_reason = reason
        appointment.save(update_fields=["ended_on", "end_reason"])


# --- keeping the pool: its members, their checks, leaving, and its capacity -----------------
#
# The pool's own pages (complaints.views.pool) read and write through these. A complaints
# manager (complaints.manage_pool) changes the pool; the complaints team reads it.

# A check is flagged on the pool's pages this many calendar days before it expires; the chase
# rule (trigger "pool_check") says when the complaints managers are e-mailed about it.
CHECK_WARNING_DAYS = 30

# The role group an external member's sign-in gets for each part they take, so that, as for
# anyone appointed, they see only the cases they are appointed to.
PART_ROLE = {
    Part.INVESTIGATING_OFFICER: Role.INVESTIGATING_OFFICER,
    Part.INDEPENDENT_PERSON: Role.INDEPENDENT_PERSON,
    Part.PANEL_CHAIR: Role.INDEPENDENT_PERSON,
    Part.PANEL_MEMBER: Role.INDEPENDENT_PERSON,
}
POOL_ROLES = frozenset(PART_ROLE.values())


@dataclass(frozen=True)
class CheckAlert:
    check: PoolCheck
    expired: bool


def check_alerts(member: PoolMember, *, on: dt.date) -> list[CheckAlert]:
    """The member's checks that need the manager: the latest of each kind, if it has expired
    or expires within CHECK_WARNING_DAYS. Reads `member.checks.all()`, so prefetch it."""
    latest: dict[str, PoolCheck] = {}
    for check in member.checks.all():
        if check.kind not in latest or check.expires_on > latest[check.kind].expires_on:
            latest[check.kind] = check
    soon = on + dt.timedelta(days=CHECK_WARNING_DAYS)
    alerts = [
        CheckAlert(check, expired=check.expires_on < on)
        for check in latest.values()
        if check.expires_on <= soon
    ]
    return sorted(alerts, key=lambda a: a.check.expires_on)


def current_members(on: dt.date) -> QuerySet[PoolMember]:
    return PoolMember.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


def pool_list(*, on: dt.date, part: str = "", left: bool = False) -> list[PoolMember]:
    """The pool for its list page, in a fixed number of queries however many members: each
    with `caseload` and `alerts` (check_alerts)."""
    members = current_members(on)
    if left:
        members = PoolMember.objects.exclude(pk__in=members.values("pk"))
    if part:
        members = members.filter(**{PART_FIELD[part]: True})
    members = with_caseload(members.select_related("user")).prefetch_related(
        "checks", Prefetch("conflicts", queryset=ServiceArea.objects.order_by("name"))
    )
    found = list(members)
    for member in found:
        member.alerts = check_alerts(member, on=on)
    return found


def is_available(member: PoolMember, *, on: dt.date) -> bool:
    """Free to be proposed for new cases: not away, below their most cases and with no
    expired check. Reads `caseload` and `alerts`, as pool_list gives them."""
    away = member.unavailable_until is not None and member.unavailable_until > on
    expired = any(alert.expired for alert in member.alerts)
    return not away and not expired and member.caseload < member.most_cases


def member_save(
    *,
    member: PoolMember | None = None,
    user=None,
    new_user: dict | None = None,
    parts: Iterable[str],
    conflicts: Iterable[ServiceArea] = (),
    on: dt.date,
    **fields,
) -> PoolMember:
    """Add a member to the pool, or change one. Their sign-in is `user` (someone who signs in
    already) or `new_user` (first_name, last_name, email, organisation), made here with no
    password: they set one through "forgotten password", or sign in through single sign-on.
    `fields` are PoolMember's own: engagement, supplier, rate, rate_unit, unavailable_until,
    most_cases, notes.

    An external member's sign-in gets the role groups of the parts they take (PART_ROLE), and
    loses those of parts they no longer take; so does a sign-in with no other role."""
    parts = set(parts)
    if not parts:
        raise DomainError("Select at least one part they may take.", field="parts")
    unknown = parts - set(Part.values)
    if unknown:
        raise DomainError(f"Unknown part: {', '.join(sorted(unknown))}.", field="parts")
    rate = fields.get("rate", member.rate if member else None)
    if rate is None:
        raise DomainError("Enter their rate, in pounds.", field="rate")
    if rate < 0:
        raise DomainError("The rate must be £0 or more.", field="rate")
    if fields.get("most_cases", 1) is None or fields.get("most_cases", 1) < 1:
        raise DomainError("They must be able to take at least 1 case.", field="most_cases")

    with transaction.atomic():
        if member is None:
            user = user or _new_sign_in(**(new_user or {}))
            if PoolMember.objects.filter(user=user).exists():
                raise DomainError(
                    f"{user} is in the pool already: change them instead.", field="user"
                )
            member = PoolMember(user=user, joined_on=fields.pop("joined_on", on))
        for name, value in fields.items():
            setattr(member, name, value)
        for part, field in PART_FIELD.items():
            setattr(member, field, part in parts)
        member.save()
        member.conflicts.set(conflicts)
        _pool_roles(member)
    return member


def _new_sign_in(*, first_name="", last_name="", email="", organisation=""):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    email = (email or "").strip().lower()
    if not (first_name.strip() and last_name.strip()):
        raise DomainError("Enter their first and last names.", field="first_name")
    if not email:
        raise DomainError("Enter their e-mail address, which they sign in with.", field="email")
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise DomainError(
            "Someone signs in with this e-mail address already: choose them as the existing "
            "sign-in instead.",
            field="email",
        )
    user = User(
        username=email,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation.strip(),
    )
    user.set_unusable_password()
    user.save()
    return user


def _pool_roles(member: PoolMember) -> None:
    held = user_roles(member.user)
    if not member.is_external and held - POOL_ROLES:
        return  # council staff keep the roles their job gives them
    wanted = {PART_ROLE[part] for part in PART_FIELD if member.takes(part)}
    roles_set(member.user, (held - POOL_ROLES) | wanted)


def check_add(
    *, member: PoolMember, kind: str, obtained_on: dt.date, expires_on: dt.date, detail: str = ""
) -> PoolCheck:
    """Record a check (DBS, training, contract) the member holds; a renewal is a new check."""
    if kind not in PoolCheck.Kind.values:
        raise DomainError("Select the kind of check.", field="kind")
    if expires_on <= obtained_on:
        raise DomainError(
            "The expiry date must be after the date it was obtained.", field="expires_on"
        )
    return PoolCheck.objects.create(
        member=member, kind=kind, detail=detail, obtained_on=obtained_on, expires_on=expires_on
    )


class StillAppointed(DomainError):
    """A member who holds open appointments cannot leave the pool until they are reassigned."""

    def __init__(self, member: PoolMember, appointments: list[Appointment]) -> None:
        self.appointments = appointments
        references = sorted({a.stage.case.reference for a in appointments})
        super().__init__(
            f"{member} cannot leave the pool while appointed to {len(references)} open "
            f"case{'s' if len(references) != 1 else ''}. Reassign "
            f"{'each' if len(references) != 1 else 'it'} on the case first, then remove them.",
            field="left_on",
            details=[f"Reassign {reference}" for reference in references],
        )


def holding(member: PoolMember) -> list[Appointment]:
    """The member's open appointments, with their case, for the removal page to link to."""
    return list(
        member.appointments.filter(open_appointments())
        .select_related("stage__case")
        .order_by("stage__case__reference", "part")
    )


def member_remove(*, member: PoolMember, on: dt.date) -> PoolMember:
    """The member leaves the pool on `on`: no longer proposed or appointable. Refused while
    they hold open appointments (StillAppointed); their past appointments and costs stay."""
    with transaction.atomic():
        member = PoolMember.objects.select_for_update().select_related("user").get(pk=member.pk)
        if member.left_on is not None:
            raise DomainError(f"{member} left the pool on {member.left_on:%-d %B %Y}.")
        if on < member.joined_on:
            raise DomainError(
                f"They joined the pool on {member.joined_on:%-d %B %Y}: enter that date or later.",
                field="left_on",
            )
        appointments = holding(member)
        if appointments:
            raise StillAppointed(member, appointments)
        member.left_on = on
        member.save(update_fields=["left_on"])
    return member


# The stage each part is appointed on, for the days to appoint.
PART_LEVEL = {
    Part.INVESTIGATING_OFFICER: Level.INVESTIGATION,
    Part.INDEPENDENT_PERSON: Level.INVESTIGATION,
    Part.PANEL_CHAIR: Level.REVIEW_PANEL,
    Part.PANEL_MEMBER: Level.REVIEW_PANEL,
}


def first_appointments(part: str) -> QuerySet[Appointment]:
    """Each statutory stage's first appointment of `part`; a reassignment is not another. The
    days to appoint are counted from these, here and on the dashboard (reporting.statistics)."""
    return Appointment.objects.filter(
        part=part, stage__level=PART_LEVEL[part], stage__case__procedure=Procedure.STATUTORY
    ).exclude(
        Exists(
            Appointment.objects.filter(
                stage=OuterRef("stage"), part=part, appointed_on__lt=OuterRef("appointed_on")
            )
        )
    )


def days_to_appoint(part: str, start: dt.date, end: dt.date) -> tuple[int, float | None]:
    """How long appointing `part` took: (stages, average working days), over the stages whose
    first appointment of that part (first_appointments) was made from `start` to `end`.

    Counted in working days (the statutory calendar, as the stages' timescales are) from the
    stage's request (Stage.requested_on) to that appointment, whether or not it was later
    ended: for an investigating officer, the delay Redcar & Cleveland reported; for a panel,
    its chair's appointment. An appointment recorded before the request counts as 0. The
    average is None when no stage was appointed in the period. One query."""
    rows = first_appointments(part).filter(appointed_on__range=(start, end))
    firsts = {
        stage: (requested, appointed)  # two the same first day count once
        for stage, requested, appointed in rows.values_list(
            "stage", "stage__requested_on", "appointed_on"
        ).order_by()
    }
    if not firsts:
        return 0, None
    pairs = list(firsts.values())
    days = working_days_between_many([r for r, _ in pairs], [a for _, a in pairs])
    days = np.maximum(days, 0)
    return len(pairs), round(float(days.mean()), 1)


@dataclass
class PartCapacity:
    part: Part
    members: list[PoolMember]
    available: list[PoolMember]
    alerts: list[tuple[PoolMember, CheckAlert]]
    appointed: int
    average_days: float | None


def capacity(*, on: dt.date, start: dt.date) -> list[PartCapacity]:
    """The capacity page: for each part, the current members who take it (lowest caseload
    first), those available now, checks expired or about to expire, and the days to appoint
    from `start` to `on`. A fixed number of queries, whatever the pool's size."""
    members = pool_list(on=on)
    for member in members:
        member.available = is_available(member, on=on)
    found = []
    for part in Part:
        taking = sorted(
            (m for m in members if m.takes(part)),
            key=lambda m: (m.caseload, m.user.last_name, m.user.first_name),
        )
        count, average = days_to_appoint(part, start, on)
        found.append(
            PartCapacity(
                part=part,
                members=taking,
                available=[m for m in taking if m.available],
                alerts=[(m, alert) for m in taking for alert in m.alerts],
                appointed=count,
                average_days=average,
            )
        )
    return found


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
    again against today's pool (whose checks and conflicts may postdate it). `appoint` makes
    its appointments here too, once checked. The rate is the member's, agreed now."""
    return Appointment.objects.create(
        stage=stage,
        member=member,
        part=part,
        appointed_on=on,
        appointed_by=by,
        rate=member.rate,
        rate_unit=member.rate_unit,
    )
