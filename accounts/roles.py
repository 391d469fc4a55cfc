"""The roles people hold, as Django groups with the domain permissions each role needs.

Permissions say what a role may *do*; which cases a person may *see* is decided in one place,
complaints.selectors.cases_visible_to.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models


class Role(models.TextChoices):
    COMPLAINTS_MANAGER = "complaints_manager", "Complaints manager"
    COMPLAINTS_OFFICER = "complaints_officer", "Complaints officer"
    TEAM_MANAGER = "team_manager", "Team manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    INVESTIGATING_OFFICER = "investigating_officer", "Investigating officer"
    INDEPENDENT_PERSON = "independent_person", "Independent person"


# Codenames of complaints.Case Meta.permissions, granted per role.
_COMPLAINTS_TEAM = [
    "view_all_cases",
    "log_case",
    "screen_case",
    "allocate_case",
    "extend_deadline",
    "pause_case",
    "draft_response",
    "quality_assure_response",
    "issue_response",
    "record_escalation",
    "run_investigation",
    "run_review_panel",
    "withdraw_case",
    "close_case",
    "reopen_case",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COMPLAINTS_MANAGER: [*_COMPLAINTS_TEAM, "manage_reference_data"],
    Role.COMPLAINTS_OFFICER: _COMPLAINTS_TEAM,
    Role.TEAM_MANAGER: ["draft_response", "log_case"],
    Role.HEAD_OF_SERVICE: ["draft_response"],
    Role.SENIOR_MANAGER: ["view_all_cases"],
    Role.INVESTIGATING_OFFICER: ["draft_response"],
    Role.INDEPENDENT_PERSON: [],
}


def ensure_role_groups() -> None:
    """Create or update one group per role with exactly its permissions. Idempotent."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        perms = Permission.objects.filter(
            content_type__app_label="complaints", codename__in=codenames
        )
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"Unknown permissions for {role}: {sorted(missing)}")
        group.permissions.set(perms)


def user_roles(user) -> set[str]:
    labels = {label: value for value, label in Role.choices}
    return {labels[g.name] for g in user.groups.all() if g.name in labels}
