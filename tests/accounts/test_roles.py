import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, Role, ensure_role_groups, user_roles

pytestmark = pytest.mark.django_db


def test_groups_are_idempotent_and_hold_exactly_the_role_permissions(officer, senior_manager):
    ensure_role_groups()
    ensure_role_groups()
    assert user_roles(officer) == {Role.COMPLAINTS_OFFICER}
    assert officer.has_perm("complaints.allocate_case")
    assert not officer.has_perm("complaints.manage_reference_data")
    assert senior_manager.has_perm("complaints.view_all_cases")
    assert not any(
        senior_manager.has_perm(f"complaints.{c}")
        for c in ROLE_PERMISSIONS[Role.COMPLAINTS_OFFICER]
        if c not in {"view_all_cases", "view_dashboard"}  # what a senior manager reads too
    )


@pytest.fixture
def manager_client(client, complaints_manager):
    complaints_manager.is_staff = True
    complaints_manager.save()
    client.force_login(complaints_manager)
    return client


def test_the_complaints_manager_can_open_every_admin_list(manager_client):
    """Categories, timescales, closure days, service areas and users need no developer."""
    managed = [m for m in admin.site._registry if m._meta.app_label in {"complaints", "accounts"}]
    assert len(managed) > 25
    for model in managed:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert manager_client.get(url).status_code == 200, url
    # What a role may do is IT's to change, not the complaints team's.
    assert manager_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_the_complaints_manager_can_change_a_timescale(manager_client):
    from complaints.models import StageDefinition, Timescale

    stage = StageDefinition.objects.get(procedure="statutory", level=1)
    url = reverse("admin:complaints_stagedefinition_change", args=[stage.pk])
    page = manager_client.get(url)
    assert page.status_code == 200
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    formset = page.context["inline_admin_formsets"][0].formset
    data.update(
        {
            f"{formset.prefix}-TOTAL_FORMS": formset.total_form_count(),
            f"{formset.prefix}-INITIAL_FORMS": formset.initial_form_count(),
        }
    )
    for i, form in enumerate(formset.forms):
        for name, value in form.initial.items():
            if value is not None:
                data[f"{formset.prefix}-{i}-{name}"] = value
        data[f"{formset.prefix}-{i}-stage"] = stage.pk
        data[f"{formset.prefix}-{i}-id"] = form.instance.pk
        if form.instance.step == "respond":
            data[f"{formset.prefix}-{i}-target_days"] = 12
    response = manager_client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms],
        response.context["inline_admin_formsets"][0].formset.non_form_errors(),
    )
    assert Timescale.objects.get(stage=stage, step="respond").target_days == 12


def test_a_team_manager_cannot_use_the_admin(client, team_manager):
    client.force_login(team_manager)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
