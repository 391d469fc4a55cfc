"""Every URL the service answers, tried by every role and by an anonymous visitor.

The URLs come from the URL configuration itself, so a new page or API endpoint without a rule
here fails `test_every_url_has_a_rule`. The expected answers are written out by hand from what
each role is for, not derived from the code under test. Each GET is also checked to write
nothing but the session, the access log and django-axes' records: a GET never writes.
"""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import ADMIN_MODELS
from complaints import learning, letters, services
from complaints.actions import ACTIONS
from complaints.models import CaseImport, Child, LetterTemplate, RemedyKind
from ombudsman.models import OmbudsmanDeadline, RecommendationKind
from ombudsman.services import ombudsman_case_create, recommendation_add
from reporting import services as report
from reporting.models import Rendering
from tests.factories import PoolMemberFactory

pytestmark = pytest.mark.django_db

ANON = "anonymous"
OFFICER, MANAGER = "officer", "complaints_manager"
TM, OTHER_TM, HEAD = "team_manager", "other_team_manager", "head_of_service"
SENIOR, INVESTIGATOR, INDEPENDENT = "senior_manager", "investigator", "independent_person"
STAFF = (OFFICER, MANAGER, TM, OTHER_TM, HEAD, SENIOR, INVESTIGATOR, INDEPENDENT)
EVERYONE = (ANON, *STAFF)
TEAM = (OFFICER, MANAGER)
COUNCIL = (OFFICER, MANAGER, TM, OTHER_TM, HEAD, SENIOR)
DASHBOARD = (OFFICER, MANAGER, SENIOR)
# Who can see the Stage 1 case of Safeguarding East the world below is built around.
SEES_CASE = (OFFICER, MANAGER, TM, HEAD, SENIOR)
LOGIN = "login"  # a redirect to the sign-in page


def answers(default, **by_role):
    """The expected answer for each of EVERYONE: `default` unless named. Anonymous visitors
    are sent to sign in unless said otherwise."""
    found = {role: default for role in STAFF}
    found[ANON] = LOGIN
    for role, status in by_role.items():
        found[role] = status
    return found


def only(roles, status=200, others=403, **extra):
    return answers(others, **({r: status for r in roles} | extra))


def case_page(allowed, *, refused=403):
    """A case page's rule: 200 for `allowed`, 403 for others who see the case, 404 for the
    rest, whose access would otherwise disclose that the case exists."""
    return answers(404, **({r: refused for r in SEES_CASE} | {r: 200 for r in allowed}))


# URL name: (its arguments, taken from the world below; the expected GET answers)
RULES = {
    "login": ({}, answers(302, anonymous=200)),
    "logout": ({}, answers(405, anonymous=405)),
    "oidc_authentication_init": ({}, answers(404, anonymous=404)),  # single sign-on is off
    "oidc_authentication_callback": ({}, answers(404, anonymous=404)),
    "two-factor": ({}, answers(200)),
    "two-factor-setup": ({}, answers(200)),
    "two-factor-verify": ({}, answers(200)),
    "two-factor-backup-codes": ({}, answers(302)),  # nothing new to show
    "two-factor-remove": ({}, answers(405)),
    "password_change": ({}, answers(200)),
    "password_change_done": ({}, answers(200)),
    "password_reset": ({}, answers(200, anonymous=200)),
    "password_reset_done": ({}, answers(200, anonymous=200)),
    "password_reset_confirm": (
        {"uidb64": "MQ", "token": "not-a-token"},
        answers(200, anonymous=200),
    ),
    "password_reset_complete": ({}, answers(200, anonymous=200)),
    "api-working-days": ({}, answers(200, anonymous=200)),
    "api-cases": ({}, answers(200, anonymous=403)),
    "api-case": (
        {"reference": "case"},
        answers(404, anonymous=403, **dict.fromkeys(SEES_CASE, 200)),
    ),
    "api-case-document-file": (
        {"reference": "case", "pk": "document"},
        answers(404, anonymous=403, **dict.fromkeys(SEES_CASE, 200)),
    ),
    "api-letter": (
        {"reference": "case", "pk": "letter"},
        answers(404, anonymous=403, **dict.fromkeys(SEES_CASE, 200)),
    ),
    "api-letter-redraft": (
        {"reference": "case", "pk": "letter"},
        answers(405, anonymous=403),
    ),
    "api-letter-send": ({"reference": "case", "pk": "letter"}, answers(405, anonymous=403)),
    "api-ombudsman": ({}, only((*TEAM, SENIOR), anonymous=403)),
    "api-ombudsman-case": ({"pk": "ombudsman"}, only((*TEAM, SENIOR), anonymous=403)),
    "api-ombudsman-decision": ({"pk": "ombudsman"}, answers(405, anonymous=403)),
    "api-ombudsman-recommendation": ({"pk": "ombudsman"}, answers(405, anonymous=403)),
    "api-compliments": ({}, only(COUNCIL, anonymous=403)),
    "api-lessons-learnt": ({}, answers(200, anonymous=403)),  # each person's own
    "api-agreed-actions": ({}, answers(200, anonymous=403)),
    "api-agreed-action-done": ({"pk": "action"}, answers(405, anonymous=403)),
    "api-reference-data": ({}, answers(200, anonymous=403)),
    "api-statistics": ({}, only(DASHBOARD, anonymous=403)),
    "api-schema": ({}, answers(200, anonymous=403)),
    "api-docs": ({}, answers(200, anonymous=403)),
    # Each action's endpoint takes a POST only (tests/complaints/test_api_whole_case.py).
    **{
        f"api-case-{slug}": ({"reference": "case"}, answers(405, anonymous=403))
        for slug, action in ACTIONS.items()
        if action.form is not None
    },
    "compliment-list": ({}, only(COUNCIL)),
    "compliment-new": ({}, only(COUNCIL)),
    "ombudsman-list": ({}, only((*TEAM, SENIOR))),
    "ombudsman-new": ({}, only(TEAM)),
    "ombudsman-detail": ({"pk": "ombudsman"}, only((*TEAM, SENIOR))),
    "ombudsman-decision": ({"pk": "ombudsman"}, only(TEAM)),
    "ombudsman-recommendation": ({"pk": "ombudsman"}, only(TEAM)),
    "ombudsman-complied": ({"pk": "ombudsman", "rec": "recommendation"}, only(TEAM)),
    "ombudsman-deadline": ({"pk": "ombudsman"}, only(TEAM)),
    "ombudsman-met": ({"pk": "ombudsman", "deadline": "deadline"}, only(TEAM, 302)),
    "ombudsman-premature": ({"pk": "ombudsman"}, only(TEAM)),
    "subject-access": ({}, only(TEAM)),
    "subject-access-person": ({"kind": "complainant", "pk": "complainant_id"}, only(TEAM)),
    "retention": ({}, only([MANAGER])),
    "retention-hold": ({}, only([MANAGER])),
    "retention-release": ({"reference": "case"}, only([MANAGER], 405)),
    "dashboard": ({}, only(DASHBOARD)),
    "dashboard-recount": ({}, only(DASHBOARD, 405)),
    "dashboard-table": ({"key": "teams", "fmt": "csv"}, only(DASHBOARD)),
    "edition-list": ({}, only(DASHBOARD)),
    "edition-start": ({}, only([MANAGER], 405)),
    "edition-detail": ({"pk": "edition"}, only(DASHBOARD)),
    "edition-code-assessment": ({"pk": "edition"}, only([MANAGER])),
    "edition-preview": ({"pk": "edition"}, only(DASHBOARD)),
    "edition-render": ({"pk": "edition"}, only([MANAGER], 405)),
    "edition-publish": ({"pk": "edition"}, only([MANAGER], 405)),
    "edition-new-version": ({"pk": "edition"}, only([MANAGER], 405)),
    "edition-pdf": ({"pk": "edition"}, only(DASHBOARD, 404)),  # not yet published
    "edition-html": ({"pk": "edition"}, only(DASHBOARD)),
    "import-start": ({}, only([MANAGER])),
    "import-template": ({}, only([MANAGER])),
    "import-detail": ({"pk": "case_import"}, only([MANAGER])),
    "import-problems": ({"pk": "case_import"}, only([MANAGER])),
    "compliment-import": ({}, only([MANAGER])),
    "compliment-import-template": ({}, only([MANAGER])),
    "published-figures": ({}, only([MANAGER])),
    "edition-tables": ({"pk": "edition", "fmt": "xlsx"}, only(DASHBOARD)),
    "edition-table": ({"pk": "edition", "key": "teams", "fmt": "csv"}, only(DASHBOARD)),
    "case-study-remove": ({"pk": "case_study"}, only([MANAGER], 405)),
    "rendering-detail": ({"pk": "rendering"}, only(DASHBOARD)),
    "rendering-pdf": ({"pk": "rendering"}, only(DASHBOARD, 404)),  # still rendering
    # The public e-forms: open to everyone. A question page before its earlier ones, and the
    # check and confirmation pages with nothing in the session, lead back to the start.
    **{
        f"public-{flow}-{page}": (kwargs, answers(status, anonymous=status))
        for flow, first in (
            ("complaint", "who"),
            ("young-person", "what-happened"),
            ("call-back", "details"),
            ("compliment", "service"),
        )
        for page, kwargs, status in (
            ("start", {}, 200),
            ("step", {"step": first}, 200),
            ("check", {}, 302),
            ("done", {}, 302),
        )
    },
    "public-escalation": ({"token": "not-a-token"}, answers(404, anonymous=404)),
    "public-escalation-done": ({}, answers(404, anonymous=404)),
    "home": ({}, answers(200)),
    "case-list": ({}, answers(200)),
    "learning": ({}, only(TEAM)),
    "action-complete": ({"pk": "action"}, case_page((*TEAM, TM))),
    "case-export": ({}, answers(200)),
    "case-log": ({}, only((*TEAM, TM, OTHER_TM))),
    "person-activity": ({"pk": "officer"}, only([MANAGER])),
    "case-detail": ({"reference": "case"}, case_page(SEES_CASE)),
    "case-access-log": ({"reference": "case"}, only([MANAGER])),
    "case-timeline": ({"reference": "case"}, case_page(SEES_CASE)),
    "element-add": ({"reference": "case"}, case_page(TEAM)),
    "element-edit": ({"reference": "case", "number": 1}, case_page(TEAM)),
    "remedy-remove": ({"reference": "case", "pk": "remedy"}, case_page((*TEAM, TM, HEAD))),
    "response-letter": ({"reference": "case"}, case_page((*TEAM, TM, HEAD))),
    "letter-start": ({"reference": "case"}, case_page(TEAM)),
    # Anyone who sees the case reads a draft; those who may change it get the form.
    "letter-edit": ({"reference": "case", "pk": "letter"}, case_page(SEES_CASE)),
    "letter-redraft": ({"reference": "case", "pk": "letter"}, case_page(TEAM)),
    "document-download": ({"reference": "case", "pk": "document"}, case_page(SEES_CASE)),
    "case-action": ({"reference": "case", "slug": "contact"}, case_page((*TEAM, TM, HEAD))),
}
# The Stage 2 and 3 pool: the complaints team reads it, the complaints manager changes it.
RULES.update(
    {
        "pool-list": ({}, only(TEAM)),
        "pool-member": ({"pk": "pool_member"}, only(TEAM)),
        "pool-add": ({}, only([MANAGER])),
        "pool-capacity": ({}, only([MANAGER])),
        "pool-member-change": ({"pk": "pool_member"}, only([MANAGER])),
        "pool-check-add": ({"pk": "pool_member"}, only([MANAGER])),
        "pool-member-remove": ({"pk": "pool_member"}, only([MANAGER])),
    }
)
# A GET may write these: the session, the access log, django-axes' records.
MAY_WRITE = re.compile(r"django_session|complaints_accessrecord|axes_\w+")
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


def _routes(patterns=None, namespace=""):
    """Every named route outside the admin, which has its own rule below."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _routes(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_rule():
    missing = sorted(set(_routes()) - set(RULES))
    assert missing == [], "each new URL needs a rule in RULES"
    assert sorted(set(RULES) - set(_routes())) == []


@pytest.fixture
def world(build, officer, team, team_manager, head_of_service, complaints_manager):
    today = timezone.localdate()
    case = build.case("in_progress", service_area=team.service)
    element = case.elements.get(number=1)
    remedy = services.remedy_add(
        stage=case.current_stage, kind=RemedyKind.objects.filter(requires_amount=False).first()
    )
    template = LetterTemplate.objects.filter(kind="acknowledgement").first()
    letter = letters.letter_draft(case=case, template=template, by=officer)
    document = build.attach(case)
    action = learning.action_add(
        case=case,
        source="complaint",
        description="Train the team",
        owner=team_manager,
        due_on=today + dt.timedelta(days=30),
        by=officer,
    )
    ombudsman = ombudsman_case_create(reference="25 000 321", received_on=today, by=officer)
    recommendation = recommendation_add(
        ombudsman,
        by=officer,
        kind=RecommendationKind.objects.filter(requires_amount=False).first(),
        due_on=today + dt.timedelta(days=20),
        owner=complaints_manager,
    )
    deadline = OmbudsmanDeadline.objects.create(
        ombudsman_case=ombudsman, kind=OmbudsmanDeadline.Kind.choices[0][0], due_on=today
    )
    edition = report.edition_start(year=2025, by=complaints_manager)
    study = report.case_study_add(edition, title="A family", text="What we learnt.")
    rendering = Rendering.objects.create(edition=edition, requested_by=complaints_manager)
    case_import = CaseImport.objects.create(name="history.csv", requested_by=complaints_manager)
    assert element and Child.objects.exists()
    return {
        "case": case.reference,
        "remedy": remedy.pk,
        "letter": letter.pk,
        "document": document.pk,
        "action": action.pk,
        "ombudsman": ombudsman.pk,
        "recommendation": recommendation.pk,
        "deadline": deadline.pk,
        "edition": edition.pk,
        "case_study": study.pk,
        "rendering": rendering.pk,
        "case_import": case_import.pk,
        "complainant_id": case.complainant_id,
        "officer": officer.pk,
        "pool_member": PoolMemberFactory(parts=["investigates"]).pk,
    }


def _url(name, kwargs, world) -> str:
    url = reverse(name, kwargs={k: world.get(v, v) for k, v in kwargs.items()})
    extra = {
        "api-working-days": "?start=2025-06-02&days=10",
        "api-statistics": "?year=2025",
        "dashboard-table": "?year=2025",
    }
    return url + extra.get(name, "")


def _writes(queries) -> list[str]:
    """The tables a request wrote to, beyond those a GET may write."""
    tables = [WRITE.match(q["sql"]) for q in queries]
    return sorted({m[1] for m in tables if m and not MAY_WRITE.fullmatch(m[1])})


@pytest.mark.parametrize("role", EVERYONE)
def test_every_url_for_every_role(role, request, client, world):
    if role != ANON:
        client.force_login(request.getfixturevalue(role))
    wrong, wrote = [], []
    for name, (kwargs, expected) in RULES.items():
        url = _url(name, kwargs, world)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        got = response.status_code
        want = expected[role]
        if want == LOGIN:
            ok = got == 302 and response["Location"].startswith(reverse("login"))
        else:
            ok = got == want
        if not ok:
            wrong.append(f"{name}: got {got}, expected {want}")
        wrote += [f"{name}: {table}" for table in _writes(queries.captured_queries)]
    assert wrong == []
    assert wrote == [], "a GET wrote"


@pytest.mark.parametrize("role", EVERYONE)
def test_the_admin_for_every_role(role, request, client):
    """The admin is the complaints manager's: each model they keep opens for them, the rest
    is refused; everyone else is sent to sign in to it."""
    user = None
    if role != ANON:
        user = request.getfixturevalue(role)
        if role == MANAGER:
            user.is_staff = True
            user.save()
        client.force_login(user)
    kept = {(app, model) for app, model, actions in ADMIN_MODELS if "view" in actions}
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        if role != MANAGER:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
        else:
            want = 200 if (opts.app_label, opts.model_name) in kept else 403
            assert response.status_code == want, url
