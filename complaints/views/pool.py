"""The Stage 2 and 3 pool's own pages: its list, a member, adding and changing one, their
checks, removing one, and the capacity page. The complaints team reads the pool; a
complaints manager (complaints.manage_pool) changes it. The rules are complaints.pool's."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from complaints import pool, pool_forms
from complaints.errors import DomainError
from complaints.models import Part, PoolMember
from complaints.submission import AlreadySubmitted, claim_submission, put_error

MANAGE = "complaints.manage_pool"
# Those who appoint at Stages 2 and 3 read the pool.
READ = ("complaints.run_investigation", "complaints.run_review_panel")


def _may_read(request) -> None:
    if not any(request.user.has_perm(p) for p in READ):
        raise PermissionDenied("Only the complaints team reads the pool.")


@login_required
def pool_list(request):
    _may_read(request)
    today = timezone.localdate()
    part = request.GET.get("part", "")
    part = part if part in Part.values else ""
    left = request.GET.get("show") == "left"
    members = pool.pool_list(on=today, part=part, left=left)
    for member in members:
        member.available = not left and pool.is_available(member, on=today)
    return render(
        request,
        "complaints/pool_list.html",
        {
            "members": members,
            "parts": Part.choices,
            "part": part,
            "left": left,
            "today": today,
            "warning_days": pool.CHECK_WARNING_DAYS,
        },
    )


@login_required
def member_detail(request, pk: int):
    _may_read(request)
    today = timezone.localdate()
    member = get_object_or_404(
        pool.with_caseload(PoolMember.objects.select_related("user")).prefetch_related(
            "checks", "conflicts"
        ),
        pk=pk,
    )
    member.alerts = pool.check_alerts(member, on=today)
    alerts = {alert.check.pk: alert for alert in member.alerts}
    checks = sorted(member.checks.all(), key=lambda c: (c.kind, -c.expires_on.toordinal()))
    return render(
        request,
        "complaints/pool_member.html",
        {
            "member": member,
            "parts": [label for part, label in Part.choices if member.takes(part)],
            "checks": [(check, alerts.get(check.pk)) for check in checks],
            "appointments": pool.holding(member),
            "available": member.left_on is None and pool.is_available(member, on=today),
            "today": today,
        },
    )


def _form_page(request, form, *, title, back_url, caption=""):
    return render(
        request,
        "form_page.html",
        {"form": form, "title": title, "back_url": back_url, "caption": caption},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
def member_add(request):
    form = pool_forms.PoolMemberForm(request.POST or None, submit_label="Add to the pool")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                member = pool.member_save(
                    user=d.get("user"),
                    new_user=form.new_user(),
                    parts=d["parts"],
                    conflicts=d["conflicts"],
                    on=timezone.localdate(),
                    **form.member_fields(),
                )
        except AlreadySubmitted:
            return redirect("pool-list")
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, f"{member} added to the pool.")
            return redirect("pool-member", pk=member.pk)
    return _form_page(request, form, title="Add someone to the pool", back_url="/pool/")


@login_required
@permission_required(MANAGE, raise_exception=True)
def member_change(request, pk: int):
    member = get_object_or_404(PoolMember.objects.select_related("user"), pk=pk)
    initial = {
        "engagement": member.engagement,
        "supplier": member.supplier,
        "parts": [part for part in Part.values if member.takes(part)],
        "rate": member.rate,
        "rate_unit": member.rate_unit,
        "unavailable_until": member.unavailable_until,
        "most_cases": member.most_cases,
        "conflicts": list(member.conflicts.all()),
        "notes": member.notes,
    }
    form = pool_forms.PoolMemberForm(request.POST or None, initial=initial, adding=False)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                pool.member_save(
                    member=member,
                    parts=d["parts"],
                    conflicts=d["conflicts"],
                    on=timezone.localdate(),
                    **form.member_fields(),
                )
        except AlreadySubmitted:
            return redirect("pool-member", pk=member.pk)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("pool-member", pk=member.pk)
    return _form_page(
        request,
        form,
        title="Change a pool member",
        caption=str(member),
        back_url=f"/pool/{member.pk}/",
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
def check_add(request, pk: int):
    member = get_object_or_404(PoolMember.objects.select_related("user"), pk=pk)
    form = pool_forms.PoolCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                check = pool.check_add(
                    member=member,
                    kind=d["kind"],
                    detail=d.get("detail", ""),
                    obtained_on=d["obtained_on"],
                    expires_on=d["expires_on"],
                )
        except AlreadySubmitted:
            return redirect("pool-member", pk=member.pk)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, f"{check} recorded.")
            return redirect("pool-member", pk=member.pk)
    return _form_page(
        request,
        form,
        title="Record a check",
        caption=str(member),
        back_url=f"/pool/{member.pk}/",
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
def member_remove(request, pk: int):
    member = get_object_or_404(PoolMember.objects.select_related("user"), pk=pk)
    form = pool_forms.PoolRemoveForm(request.POST or None)
    appointments = pool.holding(member)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_submission(form, request.user)
                pool.member_remove(member=member, on=form.cleaned_data["left_on"])
        except AlreadySubmitted:
            return redirect("pool-member", pk=member.pk)
        except pool.StillAppointed as error:
            appointments = error.appointments
            form.add_error(None, error.message)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, f"{member} removed from the pool.")
            return redirect("pool-list")
    return render(
        request,
        "complaints/pool_remove.html",
        {"member": member, "form": form, "appointments": appointments},
        status=400 if form.is_bound and form.errors else 200,
    )


# The capacity page's days to appoint look back this far.
CAPACITY_LOOKBACK = relativedelta(months=3)


@login_required
@permission_required(MANAGE, raise_exception=True)
def capacity(request):
    today = timezone.localdate()
    start = today - CAPACITY_LOOKBACK + dt.timedelta(days=1)
    return render(
        request,
        "complaints/pool_capacity.html",
        {
            "parts": pool.capacity(on=today, start=start),
            "start": start,
            "today": today,
            "warning_days": pool.CHECK_WARNING_DAYS,
        },
    )
