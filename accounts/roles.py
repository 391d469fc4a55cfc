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
    "edit_statement",
    "record_contact",
    "upload_document",
    "prepare_letter",
    "manage_actions",
    "record_ombudsman",
    "view_dashboard",
    "make_subject_access_bundle",
    "record_time",
    "record_invoice",
]
_ON_THE_CASE = ["record_contact", "upload_document"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COMPLAINTS_MANAGER: [
        *_COMPLAINTS_TEAM,
        "manage_reference_data",
        "prepare_annual_report",
        "view_access_log",
        "manage_retention",
        "import_history",
        "manage_pool",
        "approve_invoice",
    ],
    Role.COMPLAINTS_OFFICER: _COMPLAINTS_TEAM,
    Role.TEAM_MANAGER: ["draft_response", "log_case", *_ON_THE_CASE],
    Role.HEAD_OF_SERVICE: ["draft_response", *_ON_THE_CASE],
    Role.SENIOR_MANAGER: ["view_all_cases", "view_dashboard"],
    # Their own time on their own appointment (complaints.costs).
    Role.INVESTIGATING_OFFICER: ["edit_statement", "record_time", *_ON_THE_CASE],
    Role.INDEPENDENT_PERSON: [*_ON_THE_CASE, "record_time"],
}


# What the complaints manager edits in the admin, without a developer: (app, model, actions).
ADMIN_MODELS: list[tuple[str, str, tuple[str, ...]]] = [
    *[
        ("complaints", model, ("view", "add", "change"))
        for model in (
            "channel",
            "relationship",
            "nature",
            "refusalreason",
            "finding",
            "remedykind",
            "escalationreason",
            "responsemethod",
            "extensionreason",
            "withdrawalreason",
            "eligibilityground",
            "sufficientinteresttest",
            "advocacyprovider",
            "gender",
            "ethnicity",
            "disability",
            "sexualorientation",
            "ageband",
            "stagedefinition",
            "timescale",
            "directorate",
            "servicearea",
            "team",
        )
    ],
    ("complaints", "lettertemplate", ("view", "add", "change")),
    ("complaints", "letterparagraph", ("view", "add", "change")),
    ("complaints", "chaserule", ("view", "add", "change")),
    ("complaints", "notification", ("view",)),
    ("complaints", "chaserun", ("view",)),
    ("complaints", "lessonslearnt", ("view",)),
    ("complaints", "agreedaction", ("view", "change")),
    ("django_celery_beat", "periodictask", ("view", "change")),
    ("django_celery_beat", "crontabschedule", ("view", "add", "change")),
    ("ombudsman", "decision", ("view", "add", "change")),
    ("ombudsman", "recommendationkind", ("view", "add", "change")),
    ("ombudsman", "ombudsmancase", ("view", "add", "change")),
    ("reporting", "codeprovision", ("view", "add", "change")),
    ("reporting", "reportgrouping", ("view", "add", "change", "delete")),
    ("reporting", "publishedfigure", ("view", "add", "change", "delete")),
    ("complaints", "nonworkingday", ("view", "add", "change", "delete")),
    ("complaints", "case", ("view",)),
    ("complaints", "stage", ("view",)),
    ("accounts", "user", ("view", "add", "change")),
    # Unlocking someone locked out after wrong passwords is deleting their failed attempts.
    ("axes", "accessattempt", ("view", "delete")),
    ("axes", "accesslog", ("view",)),
    ("complaints", "accessrecord", ("view",)),
    ("privacy", "retentionrule", ("view", "change")),
]


def _role_permissions(role: str) -> list[Permission]:
    wanted = {("complaints", codename) for codename in ROLE_PERMISSIONS[role]}
    if role == Role.COMPLAINTS_MANAGER:
        wanted |= {
            (app, f"{action}_{model}")
            for app, model, actions in ADMIN_MODELS
            for action in actions
        }
    perms = [
        p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted}
        )
        if (p.content_type.app_label, p.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in perms}
    if missing:
        raise LookupError(f"Unknown permissions for {role}: {sorted(missing)}")
    return perms


def ensure_role_groups() -> None:
    """Create or update one group per role with exactly its permissions. Idempotent."""
    for role in ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        group.permissions.set(_role_permissions(role))


def holders(*roles: str):
    """Active users holding any of the roles: those who may be chosen for a part a role
    plays (investigating officer, independent person…), in a form or an import alike."""
    from django.contrib.auth import get_user_model

    labels = [Role(r).label for r in roles]
    return get_user_model().objects.filter(is_active=True, groups__name__in=labels).distinct()


def user_roles(user) -> set[str]:
    labels = {label: value for value, label in Role.choices}
    return {labels[g.name] for g in user.groups.all() if g.name in labels}


def is_council_staff(user) -> bool:
    """The council's own staff, as against the external investigators and independent persons
    appointed to Stage 2: they record and read compliments, for one."""
    return user.is_authenticated and any(
        user.has_perm(f"complaints.{p}") for p in ("view_all_cases", "log_case", "draft_response")
    )


def roles_set(user, roles: set[str]) -> None:
    """Give the person exactly these roles. The admin site is for complaints managers only,
    so `is_staff` follows the role; superuser is never given here."""
    wanted = {Role(r).label for r in roles}
    role_labels = {label for _, label in Role.choices}
    keep = [g for g in user.groups.all() if g.name not in role_labels]
    user.groups.set([*keep, *Group.objects.filter(name__in=wanted)])
    staff = Role.COMPLAINTS_MANAGER in roles or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
