"""Single sign-on through the council's OpenID Connect provider (e.g. Microsoft Entra ID).

mozilla-django-oidc runs the code flow (with PKCE) and checks the ID token's signature against
the provider's keys. Here: which account a sign-in is, and which roles it holds. The account
is found by the provider's subject identifier, never by e-mail alone, since some providers let
people choose the address they show. Roles follow the provider's groups at every sign-in
(OIDC_ROLE_GROUPS), so removing someone from a group there removes the role here.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.middleware import SIGNED_IN_WITH_IDP
from accounts.permissions import CachedPermissions
from accounts.roles import Role, roles_set

log = logging.getLogger(__name__)


def role_for_group() -> dict[str, str]:
    """OIDC_ROLE_GROUPS ("group=role,…") as a mapping; a role that does not exist is an error
    at sign-in rather than a silent miss."""
    mapping = {}
    for pair in settings.OIDC_ROLE_GROUPS:
        group, _, role = pair.partition("=")
        mapping[group.strip()] = Role(role.strip()).value
    return mapping


def roles_from_claims(claims: dict) -> set[str]:
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    mapping = role_for_group()
    return {mapping[g] for g in groups if g in mapping}


class RoleMappingBackend(CachedPermissions, OIDCAuthenticationBackend):
    def get_userinfo(self, access_token, id_token, payload):
        # Entra puts groups in the ID token and not in userinfo: read both. Both must be about
        # the same person (OIDC Core 5.3.2).
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub", payload.get("sub")) != payload.get("sub"):
            raise SuspiciousOperation("The userinfo and the ID token name different people.")
        return {**payload, **userinfo}

    def verify_token(self, token, **kwargs):
        """mozilla-django-oidc checks the signature, the expiry and the nonce; OIDC Core
        3.1.3.7 also asks that the token was issued for this service, by this provider."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another service.")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token was issued by another provider.")
        return payload

    def verify_claims(self, claims):
        if not claims.get("sub"):
            return False
        if not roles_from_claims(claims):
            log.warning("Single sign-on refused: the account is in no group mapped to a role.")
            # Someone taken out of every group keeps no role here either: no allocations to
            # them, no chases.
            for user in self.filter_users_by_claims(claims):
                roles_set(user, set())
            return False
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(identity_provider_subject=claims["sub"])

    def create_user(self, claims):
        username = (claims.get("preferred_username") or claims["sub"])[:150]
        if self.UserModel.objects.filter(username=username).exists():
            username = f"sso-{claims['sub']}"[:150]
        user = self.UserModel(username=username, identity_provider_subject=claims["sub"])
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.email = claims.get("email", user.email)
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("family_name", user.last_name)[:150]
        user.job_title = claims.get("jobTitle", claims.get("job_title", user.job_title))[:150]
        user.save()
        roles_set(user, roles_from_claims(claims))
        return user

    def get_user(self, user_id):
        # mozilla-django-oidc's get_user drops ModelBackend's is_active check: without this,
        # someone switched off here would stay signed in as long as they kept the session busy.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def exempt_from_lockout(request, credentials=None) -> bool:
    """For AXES_WHITELIST_CALLABLE. A refused single sign-on has no username, so django-axes
    would count every refusal, from anyone anywhere, against one shared record and lock single
    sign-on for everyone once there were AXES_FAILURE_LIMIT of them. There is no password to
    guess here: the identity provider limits attempts at its own sign-in."""
    return request is not None and request.path == reverse("oidc_authentication_callback")


def _configured(view):
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_RP_CLIENT_ID:
            raise Http404("Single sign-on is not set up.")
        return view(request, *args, **kwargs)

    return wrapped


class CallbackView(OIDCAuthenticationCallbackView):
    def login_success(self):
        response = super().login_success()
        self.request.session[SIGNED_IN_WITH_IDP] = True
        return response

    def login_failure(self):
        messages.error(
            self.request,
            "Single sign-on did not sign you in. If it keeps happening, ask the complaints "
            "manager whether your council account has a role in this service.",
        )
        return super().login_failure()


authentication_init = _configured(OIDCAuthenticationRequestView.as_view())
authentication_callback = _configured(CallbackView.as_view())
