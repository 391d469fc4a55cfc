"""Single sign-on end to end: the live server and a real (test) OpenID Connect provider talk
over HTTP, and a requests session plays the browser between them. Nothing in
mozilla-django-oidc is mocked: state, nonce, PKCE, the token request and the ID token's
signature are all checked as they would be against Microsoft Entra ID."""

from importlib import import_module
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY, get_user_model

from accounts.middleware import SIGNED_IN_WITH_IDP
from accounts.roles import Role, user_roles
from tests.factories import UserFactory
from tests.support.oidc_provider import OIDCProvider

pytestmark = pytest.mark.django_db(transaction=True)  # the live server has its own connection

User = get_user_model()
CLIENT_ID, CLIENT_SECRET = "complaints-service", "not-a-real-secret"
# Group object IDs, as Entra ID sends them.
OFFICERS = "6f1c2d9e-0000-4000-8000-000000000001"
TEAM_MANAGERS = "6f1c2d9e-0000-4000-8000-000000000002"
EVERYONE = "6f1c2d9e-0000-4000-8000-000000000099"  # a group with no role here
FAILED = b"Single sign-on did not sign you in"


class Browser(requests.Session):
    """Cookies and redirects as a browser keeps and follows them; gives up rather than hang."""

    def request(self, *args, timeout=30, **kwargs):
        return super().request(*args, timeout=timeout, **kwargs)


@pytest.fixture
def provider(live_server, settings):
    callback = f"{live_server.url}/accounts/sso/callback/"
    with OIDCProvider(CLIENT_ID, CLIENT_SECRET, redirect_uris=[callback]) as provider:
        found = requests.get(
            f"{provider.issuer}/.well-known/openid-configuration", timeout=5
        ).json()
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_RP_SIGN_ALGO = "RS256"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
        settings.OIDC_RP_SCOPES = "openid email profile"
        settings.OIDC_USE_PKCE = True
        settings.OIDC_CREATE_USER = True
        settings.OIDC_TIMEOUT = 10
        settings.OIDC_ROLE_GROUPS = [
            f"{OFFICERS}={Role.COMPLAINTS_OFFICER.value}",
            f" {TEAM_MANAGERS} = {Role.TEAM_MANAGER.value} ",
        ]
        settings.AUTHENTICATION_BACKENDS = [
            "axes.backends.AxesStandaloneBackend",
            "accounts.oidc.RoleMappingBackend",
            "accounts.permissions.CachedPermissionsBackend",
        ]
        yield provider


def person(sub="entra-sub-olivia", groups=(OFFICERS, EVERYONE), **claims):
    return {
        "sub": sub,
        "email": "olivia.okafor@council.example",
        "given_name": "Olivia",
        "family_name": "Okafor",
        "preferred_username": "olivia.okafor@council.example",
        "groups": list(groups),
        **claims,
    }


def sign_in(live_server, provider, who, next_url="/cases/", address="127.0.0.1"):
    """Press "Sign in with your council account" and follow every redirect, wherever it goes."""
    provider.person = who
    browser = Browser()
    browser.headers["X-Test-Address"] = address  # see client_address
    answer = browser.get(f"{live_server.url}/accounts/sso/?{urlencode({'next': next_url})}")
    return browser, answer


def client_address(request):
    """For AXES_CLIENT_IP_CALLABLE: every request reaches the live server from 127.0.0.1."""
    return request.META.get("HTTP_X_TEST_ADDRESS", "127.0.0.1")


def session_of(browser):
    key = browser.cookies.get(django_settings.SESSION_COOKIE_NAME)
    return import_module(django_settings.SESSION_ENGINE).SessionStore(key) if key else {}


def signed_in_user(browser):
    user_id = session_of(browser).get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def test_someone_in_a_mapped_group_gets_an_account_with_that_role(live_server, provider):
    browser, answer = sign_in(live_server, provider, person())

    assert answer.status_code == 200
    assert answer.url == f"{live_server.url}/cases/"
    user = User.objects.get(identity_provider_subject="entra-sub-olivia")
    assert user_roles(user) == {Role.COMPLAINTS_OFFICER}
    assert not user.has_usable_password()
    assert (user.username, user.email) == ("olivia.okafor@council.example",) * 2
    assert user.get_full_name() == "Olivia Okafor"
    assert not user.is_staff
    assert signed_in_user(browser) == user
    assert session_of(browser)[SIGNED_IN_WITH_IDP] is True


@pytest.mark.parametrize(("idp_counts", "lands_on"), [(True, "/cases/"), (False, "/set-up/")])
def test_the_providers_sign_in_counts_as_the_second_factor(
    live_server, provider, settings, idp_counts, lands_on
):
    settings.TWO_FACTOR_REQUIRED = True
    settings.OIDC_SATISFIES_TWO_FACTOR = idp_counts

    browser, answer = sign_in(live_server, provider, person())

    assert answer.status_code == 200
    assert urlsplit(answer.url).path.endswith(lands_on)
    # And not only once: the next page opens too, or still asks.
    assert urlsplit(browser.get(f"{live_server.url}/cases/").url).path.endswith(lands_on)


def test_roles_follow_the_providers_groups_at_each_sign_in(live_server, provider):
    sign_in(live_server, provider, person(groups=[OFFICERS]))
    browser, answer = sign_in(live_server, provider, person(groups=[TEAM_MANAGERS]))

    assert answer.status_code == 200
    user = User.objects.get(identity_provider_subject="entra-sub-olivia")
    assert user_roles(user) == {Role.TEAM_MANAGER}
    assert User.objects.count() == 1
    assert signed_in_user(browser) == user


def test_someone_in_no_mapped_group_is_refused(live_server, provider):
    browser, answer = sign_in(live_server, provider, person(groups=[EVERYONE]))

    assert answer.url.startswith(f"{live_server.url}/accounts/login/")
    assert FAILED in answer.content
    assert signed_in_user(browser) is None
    assert not User.objects.exists()
    assert "/accounts/login/" in browser.get(f"{live_server.url}/cases/").url


def test_a_local_account_with_the_same_email_is_not_taken_over(live_server, provider):
    local = UserFactory(
        username="olivia.okafor@council.example",
        email="olivia.okafor@council.example",
        role=Role.COMPLAINTS_OFFICER,
    )

    browser, _ = sign_in(live_server, provider, person(groups=[TEAM_MANAGERS]))

    created = User.objects.get(identity_provider_subject="entra-sub-olivia")
    assert created != local
    assert created.username == "sso-entra-sub-olivia"
    assert user_roles(created) == {Role.TEAM_MANAGER}
    assert signed_in_user(browser) == created
    local.refresh_from_db()
    assert local.identity_provider_subject is None
    assert user_roles(local) == {Role.COMPLAINTS_OFFICER}
    assert local.check_password("password")


def test_a_tampered_state_signs_nobody_in(live_server, provider):
    provider.person = person()
    browser = Browser()
    to_provider = browser.get(f"{live_server.url}/accounts/sso/", allow_redirects=False)
    back = browser.get(to_provider.headers["Location"], allow_redirects=False).headers["Location"]
    callback, query = back.split("?")
    sent = {name: values[0] for name, values in parse_qs(query).items()}

    tampered = browser.get(f"{callback}?{urlencode({**sent, 'state': sent['state'] + 'x'})}")

    assert tampered.status_code == 400
    assert signed_in_user(browser) is None
    assert not User.objects.exists()
    # The code and the true state were fine: only the state was wrong.
    assert browser.get(back).url == f"{live_server.url}/"
    assert signed_in_user(browser) is not None


def test_an_account_switched_off_here_is_signed_out_and_stays_out(live_server, provider):
    browser, answer = sign_in(live_server, provider, person())
    assert answer.url == f"{live_server.url}/cases/"
    User.objects.update(is_active=False)

    assert "/accounts/login/" in browser.get(f"{live_server.url}/cases/").url
    _, again = sign_in(live_server, provider, person())
    assert FAILED in again.content


def test_refusals_elsewhere_do_not_lock_single_sign_on_for_everyone(
    live_server, provider, settings
):
    # A refused single sign-on has no username: django-axes would count every one, from any
    # address, against the same "no username" record, and then lock everyone out.
    settings.AXES_CLIENT_IP_CALLABLE = client_address
    for n in range(settings.AXES_FAILURE_LIMIT):
        stranger = person(sub=f"stranger-{n}", groups=[EVERYONE])
        sign_in(live_server, provider, stranger, address=f"10.0.0.{n}")

    _, answer = sign_in(live_server, provider, person(), address="10.0.9.9")

    assert answer.status_code == 200
    assert answer.url == f"{live_server.url}/cases/"


def test_single_sign_on_is_off_without_a_client_id(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""

    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_the_test_provider_refuses_what_a_real_one_would():
    """Else the tests above would pass against a provider that let anything through."""
    redirect_uri = "http://localhost:1/cb/"
    # RFC 7636 appendix B's example.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    with OIDCProvider(CLIENT_ID, CLIENT_SECRET, [redirect_uri]) as provider:
        provider.person = person()
        ask = {
            "response_type": "code",
            "scope": "openid email",
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }

        def authorize(**changes):
            url = f"{provider.issuer}/authorize?{urlencode({**ask, **changes})}"
            return requests.get(url, allow_redirects=False, timeout=5)

        def token(code, **changes):
            form = {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "code_verifier": verifier,
                **changes,
            }
            return requests.post(f"{provider.issuer}/token", data=form, timeout=5)

        def code():
            return parse_qs(urlsplit(authorize().headers["Location"]).query)["code"][0]

        assert authorize(client_id="someone-else").status_code == 400
        assert authorize(redirect_uri="http://evil.example/cb/").status_code == 400
        assert (
            "error=invalid_request" in authorize(code_challenge_method="plain").headers["Location"]
        )
        assert token(code(), client_secret="wrong").status_code == 401
        assert token(code(), code_verifier="w" * 64).json()["error"] == "invalid_grant"
        assert token(code(), redirect_uri="http://localhost:1/other/").status_code == 400
        good = code()
        tokens = token(good).json()
        assert token(good).json()["error"] == "invalid_grant"  # a code works once
        userinfo = f"{provider.issuer}/userinfo"
        assert requests.get(userinfo, timeout=5).status_code == 401
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert requests.get(userinfo, headers=bearer, timeout=5).json()["sub"] == person()["sub"]


def test_someone_taken_out_of_every_group_loses_their_roles_here(live_server, provider):
    sign_in(live_server, provider, person())
    user = User.objects.get(identity_provider_subject=person()["sub"])
    assert user_roles(user)
    sign_in(live_server, provider, person(groups=[EVERYONE]))
    assert user_roles(user) == set()


def test_a_token_for_another_service_or_from_another_issuer_signs_nobody_in(
    live_server, provider, settings
):
    provider.audience = "another-councils-app"
    browser, answer = sign_in(live_server, provider, person())
    assert answer.status_code == 400
    assert b"nobody was signed in" in answer.content
    assert signed_in_user(browser) is None
    assert not User.objects.exists()
    provider.audience = provider.client_id
    settings.OIDC_OP_ISSUER = "https://login.example/somebody-else/v2.0"
    browser, answer = sign_in(live_server, provider, person())
    assert answer.status_code == 400
    assert signed_in_user(browser) is None
    settings.OIDC_OP_ISSUER = provider.issuer
    _, answer = sign_in(live_server, provider, person())
    assert answer.url == f"{live_server.url}/cases/"
