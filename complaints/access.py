"""Who may do what to which case: the one place every view and API call asks.

Three checks, in order:
1. Seeing the case: `cases_visible_to` (complaints.selectors). A case you may not see is a 404,
   so its existence is not disclosed.
2. The role's permission for the action (accounts.roles). Refused: 403.
3. Being on the case: people outside the complaints team act only on the cases they hold now
   (their team's stage, the service they head, the investigation they were appointed to).
Then the case's state must allow the action, as its entry in complaints.actions says (the
workflow's own states for moves). The workflow checks the state again under a row lock.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from complaints import audit, selectors
from complaints.actions import ACTIONS, Action
from complaints.errors import CaseMoved
from complaints.models import Case, Document, PanelMember

# The complaints team (who see every case) may act on any case; others only on those they hold.
_COMPLAINTS_TEAM_PERMISSION = "complaints.view_all_cases"


def case_or_404(user, reference: str, queryset=None) -> Case:
    """The case, if this person may see it; otherwise 404 whether or not it exists."""
    cases = selectors.cases_visible_to(user, queryset, one_case=True)
    try:
        return cases.get(reference=reference)  # unique: no sort and limit, as first() adds
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def case_shown(request, reference: str, queryset=None) -> Case:
    """`case_or_404` for a page that shows the case: opening it (a GET) goes in the access log,
    whichever page of the case it is."""
    case = case_or_404(request.user, reference, queryset)
    if request.method == "GET":
        audit.record(request, audit.Action.VIEWED_CASE, case=case, detail=request.path)
    return case


def sees_contact_details(user) -> bool:
    """A family's e-mail, telephone, address and a child's date of birth are for the complaints
    team, who write to families (and an integration acting as them): the case page shows them
    to nobody, and the API only to those who may prepare letters."""
    return user.has_perm("complaints.prepare_letter")


def holds_case(user, case: Case) -> bool:
    """Whether someone outside the complaints team holds the case at its current stage."""
    stage = case.current_stage
    if case.service_area_id and case.service_area.head_of_service_id == user.pk:
        return True
    if stage is None:
        return False
    if stage.team_id and stage.team.manager_id == user.pk:
        return True
    return user.pk in {
        stage.responding_manager_id,
        stage.investigating_officer_id,
        stage.independent_person_id,
        stage.adjudicating_officer_id,
    }


def may(user, case: Case, slug: str) -> bool:
    """Whether the person may take this action on this case now."""
    action = ACTIONS[slug]
    return action.state_allows(case) and _may_ignoring_state(user, case, action)


def require(user, case: Case, slug: str, *, check_state: bool = True) -> Action:
    """403 unless `may`; views call this after `case_or_404`.

    A form being posted skips the state check here and calls `require_state` in its
    transaction instead, so a case moved meanwhile gets an explanation on the form, not a 403.
    """
    if slug not in ACTIONS:
        raise Http404("No such action.")
    action = ACTIONS[slug]
    allowed = may(user, case, slug) if check_state else _may_ignoring_state(user, case, action)
    if not allowed:
        raise PermissionDenied(f"You cannot {action.label.lower()} on this case now.")
    return action


def require_state(case: Case, slug: str) -> None:
    if not ACTIONS[slug].state_allows(case):
        raise CaseMoved(case)


def _may_ignoring_state(user, case: Case, action: Action) -> bool:
    if not user.has_perm(f"complaints.{action.permission}"):
        return False
    return user.has_perm(_COMPLAINTS_TEAM_PERMISSION) or holds_case(user, case)


def may_download(user, document) -> bool:
    """Whether a person who may see the case may open this document. The panel's papers are
    for the panel: the complaints team (who see every case and run panels) and the members of
    that stage's panel, not the Stage 2 investigators nor a manager who sees the case."""
    if document.kind != Document.Kind.PANEL_PAPERS:
        return True
    if user.has_perm(_COMPLAINTS_TEAM_PERMISSION) and user.has_perm("complaints.run_review_panel"):
        return True
    return PanelMember.objects.filter(stage_id=document.stage_id, user=user).exists()


def permitted_actions(user, case: Case) -> list[Action]:
    return [a for a in ACTIONS.values() if may(user, case, a.slug)]
