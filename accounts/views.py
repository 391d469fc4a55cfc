"""Signing in: the password, the second factor, and setting one up. Enrolment and checking
codes live in accounts.two_factor; this module only moves between the pages."""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import two_factor
from accounts.forms import CodeForm
from accounts.middleware import forget_no_device, is_verified

_ENROLMENT_KEY = "two_factor_enrolment_key"
_NEW_CODES = "two_factor_new_backup_codes"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


class LoginView(auth_views.LoginView):
    """The password step. A second factor, if needed, is asked by TwoFactorMiddleware."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "oidc_enabled": bool(settings.OIDC_RP_CLIENT_ID)}


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers once sign-in is locked: why, for how long, what to do."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "username": (credentials or {}).get("username", ""),
        },
        status=429,
    )


@login_required
def two_factor_overview(request):
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": two_factor.has_two_factor(request.user),
            "required": two_factor.required_for(request.user),
            "signed_in_with_idp": is_verified(request) and not request.user.is_verified(),
        },
    )


@login_required
def two_factor_setup(request):
    # Replacing a device takes the code from the one there now: a password alone must not be
    # enough to enrol a phone of the attacker's own.
    if not is_verified(request) and two_factor.has_two_factor(request.user):
        return redirect(f"{reverse('two-factor-verify')}?next={reverse('two-factor-setup')}")
    key = request.session.get(_ENROLMENT_KEY) or two_factor.new_key()
    request.session[_ENROLMENT_KEY] = key
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code the app shows for this service now."
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.enrol(
                user=request.user, key=key, code=form.cleaned_data["code"]
            )
        except two_factor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(_ENROLMENT_KEY, None)
            forget_no_device(request)
            django_otp.login(request, device)
            request.session[_NEW_CODES] = codes
            messages.success(request, "Two-factor sign-in is on.")
            return redirect(f"{reverse('two-factor-backup-codes')}?next={_next(request)}")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "enrolment": two_factor.enrolment_for(request.user, key),
            "required": two_factor.required_for(request.user),
            "next": _next(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
def two_factor_verify(request):
    if is_verified(request):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify(user=request.user, code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            django_otp.login(request, device)
            if device.name == two_factor.BACKUP_DEVICE_NAME:
                left = device.token_set.count()
                messages.info(
                    request,
                    f"You used a backup code; {left} left. Make new ones on "
                    "Two-factor sign-in if you are running out.",
                )
            return redirect(_next(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@login_required
def backup_codes(request):
    """New codes are made by a POST and shown once, here, then forgotten."""
    if request.method == "POST":
        if not is_verified(request):
            return redirect("two-factor-verify")
        request.session[_NEW_CODES] = two_factor.backup_codes_replace(user=request.user)
        return redirect("two-factor-backup-codes")
    codes = request.session.pop(_NEW_CODES, None)
    if codes is None:
        return redirect("two-factor")
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next(request)})


@login_required
@require_POST
def two_factor_remove(request):
    if two_factor.required_for(request.user):
        messages.error(request, "Two-factor sign-in is required here; it cannot be turned off.")
    elif is_verified(request):
        two_factor.remove(user=request.user)
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("two-factor")
