"""What a complaints manager may do to accounts in the admin: create, deactivate and give the
product's roles; never superuser, raw permissions, passwords, or their own roles."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role, user_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    person = UserFactory(username="mgr", role=Role.COMPLAINTS_MANAGER, is_staff=True)
    client.force_login(person)
    return person


def _change(client, user, **data):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client.get(url)
    form = page.context["adminform"].form if page.status_code == 200 else None
    posted = {name: form.initial.get(name) or "" for name in form.fields} if form else {}
    posted.update(data)
    return client.post(url, {k: v for k, v in posted.items() if v is not None})


def test_posting_superuser_staff_groups_or_permissions_changes_nothing(client, manager, officer):
    everything = Permission.objects.all()[:5]
    response = _change(
        client,
        officer,
        is_superuser="on",
        is_staff="on",
        groups=[Group.objects.get(name="Complaints manager").pk],
        user_permissions=[p.pk for p in everything],
        roles=[Role.COMPLAINTS_OFFICER],
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_superuser
    assert not officer.is_staff
    assert officer.user_permissions.count() == 0
    assert user_roles(officer) == {Role.COMPLAINTS_OFFICER}


def test_the_form_offers_only_people_details_activity_and_roles(client, manager, officer):
    form = (
        client.get(reverse("admin:accounts_user_change", args=[officer.pk]))
        .context["adminform"]
        .form
    )
    assert set(form.fields) == {
        "username",
        "first_name",
        "last_name",
        "job_title",
        "organisation",
        "is_active",
        "roles",
    }  # the e-mail is shown, not editable: the reset link goes to it


def test_a_manager_gives_roles_and_deactivates(client, manager, officer):
    _change(client, officer, roles=[Role.COMPLAINTS_MANAGER])
    officer.refresh_from_db()
    assert user_roles(officer) == {Role.COMPLAINTS_MANAGER}
    assert officer.is_staff  # the admin comes with the complaints manager's role
    _change(client, officer, roles=[Role.COMPLAINTS_OFFICER], is_active="")
    officer.refresh_from_db()
    assert not officer.is_active
    assert not officer.is_staff


def test_a_manager_creates_an_account_without_a_password(client, manager):
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newstarter",
            "first_name": "New",
            "last_name": "Starter",
            "email": "new@council.example",
            "roles": [Role.TEAM_MANAGER],
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newstarter")
    assert not user.has_usable_password()
    assert not user.is_superuser
    assert user_roles(user) == {Role.TEAM_MANAGER}


def test_nobody_changes_their_own_roles(client, manager):
    _change(client, manager, roles=[Role.SENIOR_MANAGER, Role.COMPLAINTS_MANAGER], is_active="")
    manager.refresh_from_db()
    assert user_roles(manager) == {Role.COMPLAINTS_MANAGER}
    assert manager.is_active


def test_a_manager_cannot_touch_a_superuser_or_set_passwords(client, manager, officer):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    page = client.get(reverse("admin:accounts_user_change", args=[root.pk]))
    assert page.context["has_change_permission"] is False  # shown read-only
    response = client.post(
        reverse("admin:accounts_user_change", args=[root.pk]),
        {"username": "root", "email": "mine@evil.example", "roles": []},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.email != "mine@evil.example"
    password = reverse("admin:auth_user_password_change", args=[officer.pk])
    assert client.get(password).status_code == 403
    assert client.post(password, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 403


def test_only_a_superuser_grants_superuser(client, officer):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    form = (
        client.get(reverse("admin:accounts_user_change", args=[officer.pk]))
        .context["adminform"]
        .form
    )
    assert "is_superuser" in form.fields


def test_a_manager_cannot_redirect_someones_reset_link(client, manager, officer):
    _change(client, officer, email="attacker@evil.example", roles=[Role.COMPLAINTS_OFFICER])
    officer.refresh_from_db()
    assert officer.email != "attacker@evil.example"


def test_a_new_account_sets_its_password_through_the_reset_link(client, manager):
    from django.core import mail

    client.post(
        reverse("admin:accounts_user_add"),
        {"username": "starter", "email": "starter@council.example", "roles": ["team_manager"]},
    )
    client.logout()
    client.post(reverse("password_reset"), {"email": "starter@council.example"})
    assert [m.to for m in mail.outbox] == [["starter@council.example"]]


def test_a_manager_retimes_periodic_jobs_but_cannot_change_or_run_what_they_do(client, manager):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="complaints.tasks.chase")
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    form = client.get(url).context["adminform"].form
    assert set(form.fields) == {"enabled", "interval", "crontab", "start_time"}
    client.post(
        url,
        {
            "enabled": "",
            "crontab": task.crontab_id,
            "task": "privacy.tasks.anonymise_due",
            "kwargs": '{"for_date": "2099-01-01"}',
        },
    )
    task.refresh_from_db()
    assert task.task == "complaints.tasks.chase" and task.kwargs == "{}"
    assert not task.enabled
    listing = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert "run_tasks" not in listing.content.decode()


def test_the_chase_task_refuses_a_day_still_to_come():
    import datetime as dt

    from complaints.tasks import chase

    with pytest.raises(ValueError, match="still to come"):
        chase.run(for_date=(dt.date.today() + dt.timedelta(days=10)).isoformat())


def test_only_council_managers_can_head_a_service_or_manage_a_team(client, manager, team):
    from tests.factories import UserFactory

    outsider = UserFactory(username="outsider", role=Role.INDEPENDENT_PERSON)
    head = UserFactory(username="head2", role=Role.HEAD_OF_SERVICE)
    url = reverse("admin:complaints_servicearea_change", args=[team.service.pk])
    form = client.get(url).context["adminform"].form
    offered = set(form.fields["head_of_service"].queryset)
    assert head in offered and outsider not in offered
    team_form = (
        client.get(reverse("admin:complaints_team_change", args=[team.pk]))
        .context["adminform"]
        .form
    )
    assert outsider not in set(team_form.fields["manager"].queryset)
