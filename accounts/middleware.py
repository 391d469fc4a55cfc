"""Two-factor sign-in, enforced on every page and API call rather than view by view."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts import two_factor

# Reachable before the second factor: signing in and out, the second factor itself, passwords
# by e-mail, single sign-on and static files. Everything else holds personal data.
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/password_reset/",
    "/accounts/reset/",
    "/accounts/sso/",
    "/static/",
)
# Set when a person signs in through the council's identity provider (accounts.oidc).
SIGNED_IN_WITH_IDP = "signed_in_with_identity_provider"
_NO_DEVICE = "two_factor_none"


def is_verified(request) -> bool:
    user = request.user
    if user.is_verified():
        return True
    return settings.OIDC_SATISFIES_TWO_FACTOR and request.session.get(SIGNED_IN_WITH_IDP, False)


def needs_second_factor(request) -> str | None:
    """ "verify" or "set-up" when this signed-in person must give a second factor first."""
    if is_verified(request):
        return None
    # Whether someone who need not enrol has done so is asked once a session, not per page.
    if not request.session.get(_NO_DEVICE):
        if two_factor.has_two_factor(request.user):
            return "verify"
        request.session[_NO_DEVICE] = True
    return "set-up" if two_factor.required_for(request.user) else None


def forget_no_device(request) -> None:
    request.session.pop(_NO_DEVICE, None)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            step = needs_second_factor(request)
            if step is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Sign in with your second factor first."}, status=403
                    )
                url = reverse("two-factor-verify" if step == "verify" else "two-factor-setup")
                return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
