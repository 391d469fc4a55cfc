"""Permissions are read once and kept, and any change to roles applies from the next request."""

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import permissions
from accounts.roles import Role, roles_set


def _log_page(client):
    with CaptureQueriesContext(connection) as queries:
        status = client.get(reverse("case-log")).status_code
    return status, sum("auth_permission" in q["sql"] for q in queries)


def test_a_persons_permissions_are_read_once(client, officer):
    client.force_login(officer)
    assert _log_page(client) == (200, 2)
    assert _log_page(client) == (200, 0)


def test_a_role_taken_away_applies_from_the_next_request(client, officer):
    client.force_login(officer)
    assert _log_page(client)[0] == 200
    roles_set(officer, set())
    assert _log_page(client)[0] == 403


def test_a_permission_taken_from_a_role_applies_from_the_next_request(client, officer):
    client.force_login(officer)
    assert _log_page(client)[0] == 200
    group = Group.objects.get(name=Role.COMPLAINTS_OFFICER.label)
    group.permissions.remove(*group.permissions.filter(codename="log_case"))
    assert _log_page(client)[0] == 403


def test_a_lost_generation_never_revives_what_was_kept_under_it(client, officer):
    client.force_login(officer)
    assert _log_page(client)[0] == 200
    cache.delete(permissions._GENERATION_KEY)
    # A change that no signal reports, made while the token was gone.
    officer.groups.through.objects.filter(user=officer).delete()
    assert _log_page(client)[0] == 403
