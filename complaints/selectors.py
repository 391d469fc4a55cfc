"""Reads. `cases_visible_to` is the one place that decides which cases a person may see; every
view and API call starts from it."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from complaints.models import Case, Child, Complainant, PanelMember, Stage

REPEAT_WINDOW_DAYS = 365


def cases_visible_to(user) -> QuerySet[Case]:
    cases = Case.objects.all()
    if not user.is_authenticated:
        return cases.none()
    if user.has_perm("complaints.view_all_cases"):
        return cases
    # Everyone else sees the cases they act on: their team's, their service's, the ones they
    # investigate or sit on a panel for. Subqueries rather than joins: no duplicates to remove.
    acting_on = Stage.objects.filter(
        Q(team__manager=user)
        | Q(responding_manager=user)
        | Q(investigating_officer=user)
        | Q(independent_person=user)
        | Q(adjudicating_officer=user)
    ).values("case_id")
    on_panel = PanelMember.objects.filter(user=user).values("stage__case_id")
    return cases.filter(
        Q(pk__in=acting_on) | Q(pk__in=on_panel) | Q(service_area__head_of_service=user)
    )


def case_list(*, user) -> QuerySet[Case]:
    """Cases with what a list row shows, in a fixed number of queries."""
    return cases_visible_to(user).select_related(
        "complainant",
        "service_area",
        "current_stage",
        "current_stage__team",
        "current_stage__responding_manager",
    )


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
