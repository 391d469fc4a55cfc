"""Repeated wrong passwords lock sign-in (django-axes), by account and by address."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _try(client, url, username, password, address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_the_right_password_fails_once_the_account_is_locked(client, officer, url, settings):
    officer.is_staff = True
    officer.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, url, officer.username, "wrong").status_code == 200
    locked = _try(client, url, officer.username, "wrong")
    assert locked.status_code == 429
    assert b"Sign-in is locked for now" in locked.content
    assert b"30 minutes" in locked.content
    again = _try(client, url, officer.username, "password")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_stays_locked_from_another_address(client, officer, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try(client, LOGIN, officer.username, "wrong", address=f"10.0.1.{n}")
    assert _try(client, LOGIN, officer.username, "password", "10.9.9.9").status_code == 429


def test_an_address_trying_many_accounts_is_locked(client, officer, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try(client, LOGIN, f"guess{n}", "wrong", address="10.0.2.1")
    assert _try(client, LOGIN, officer.username, "password", "10.0.2.1").status_code == 429
    # The same account from elsewhere is unaffected.
    ok = _try(client, LOGIN, officer.username, "password", "10.0.3.1")
    assert ok.status_code == 302


def test_a_complaints_manager_unlocks_someone_in_the_admin(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, LOGIN, officer.username, "wrong")
    manager = UserFactory(username="unlocker", role="complaints_manager", is_staff=True)
    client.force_login(manager)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert officer.username.encode() in listing.content
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    client.logout()
    assert _try(client, LOGIN, officer.username, "password").status_code == 302


def test_someone_elses_success_does_not_wipe_an_accounts_failures(client, officer, settings):
    """Else anyone with an account could guess another's password without end."""
    other = UserFactory(username="insider", role="independent_person")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, LOGIN, officer.username, "wrong", address="10.0.0.1")
    assert _try(client, LOGIN, other.username, "password", "10.0.0.1").status_code == 302
    client.logout()
    _try(client, LOGIN, officer.username, "wrong", address="10.0.0.2")
    assert _try(client, LOGIN, officer.username, "password", "10.0.0.3").status_code == 429


def test_behind_a_proxy_the_visitors_own_address_is_counted(client, officer, settings):
    from accounts.network import client_address

    settings.PROXY_COUNT = 1
    # The proxy appends the address it was reached from; what the visitor sent is ignored.
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9",
        )
    elsewhere = client.post(
        LOGIN,
        {"username": officer.username, "password": "password"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert elsewhere.status_code == 302  # another visitor through the same proxy
    client.logout()
    locked = client.post(
        LOGIN,
        {"username": officer.username, "password": "password"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9",
    )
    assert locked.status_code == 429
    settings.PROXY_COUNT = 0

    class Request:
        META = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}

    assert client_address(Request) == "10.0.0.1"  # no proxy: the header is the visitor's
