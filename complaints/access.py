"""Who may do what to which case: the one place every view and API call asks.

Three checks, in order:
1. Seeing the case: `cases_visible_to` (complaints.selectors). A case you may not see is a 404,
   so its existence is not disclosed.
2. The role's permission for the action (accounts.roles). Refused: 403.
3. Being on the case: people outside the complaints team act only on the cases they hold now
   (their team's stage, the service they head, the investigation they were appointed to).
Then the case's state must allow the action: workflow.TRANSITIONS for moves, DRAFTING_STATES
and friends below for the rest. The workflow checks the state again under a row lock.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from complaints import audit, selectors, workflow
from complaints.errors import CaseMoved
from complaints.models import Case, Level
from complaints.workflow import Move

State = Case.State


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    permission: str
    states: frozenset[str]
    levels: frozenset[int] | None = None  # None: any stage, or none
    is_move: bool = False  # a workflow move, shown among the case's main actions
    # A further condition of the workflow's, so a move it would refuse is not offered.
    guard: Callable[[Case], bool] | None = None

    def state_allows(self, case: Case) -> bool:
        if case.state not in self.states:
            return False
        if self.guard is not None and not self.guard(case):
            return False
        if self.levels is None:
            return True
        stage = case.current_stage
        return stage is not None and stage.level in self.levels


_ALL = frozenset(State.values)
_OPEN = frozenset({State.RECEIVED, State.IN_PROGRESS, State.PAUSED})
# A draft response is edited while the stage is open and before it goes for its quality check.
DRAFTING_STATES = frozenset({State.IN_PROGRESS, State.PAUSED})
_STAGE_2 = frozenset({Level.INVESTIGATION})
_STAGE_3 = frozenset({Level.REVIEW_PANEL})


def _move(move: Move, permission: str, levels=None, label: str | None = None) -> Action:
    return Action(
        slug=move.value.replace("_", "-"),
        label=label or move.label,
        permission=permission,
        states=workflow.TRANSITIONS[move].sources,
        levels=frozenset(levels) if levels else None,
        is_move=True,
        guard=workflow.MOVE_CONDITIONS.get(move),
    )


# Every action a person can take on a case page, by the URL slug of its form.
ACTIONS: dict[str, Action] = {
    a.slug: a
    for a in [
        _move(Move.ACCEPT, "screen_case", label="Accept"),
        _move(Move.REFUSE, "screen_case", label="Refuse"),
        _move(Move.ACKNOWLEDGE, "screen_case", label="Record acknowledgement"),
        _move(Move.ALLOCATE, "allocate_case"),
        _move(Move.APPOINT_INVESTIGATORS, "run_investigation", _STAGE_2),
        _move(Move.RECORD_STATEMENT_AGREED, "run_investigation", _STAGE_2),
        _move(Move.RECORD_REPORT_RECEIVED, "run_investigation", _STAGE_2),
        _move(Move.SCHEDULE_PANEL, "run_review_panel", _STAGE_3),
        _move(Move.RECORD_PANEL_HELD, "run_review_panel", _STAGE_3),
        _move(Move.RECORD_PANEL_REPORT, "run_review_panel", _STAGE_3),
        _move(Move.EXTEND, "extend_deadline", label="Extend the deadline"),
        _move(Move.PAUSE, "pause_case"),
        _move(Move.RESUME, "pause_case"),
        _move(Move.SUBMIT_FOR_QA, "draft_response"),
        _move(Move.RETURN_DRAFT, "quality_assure_response"),
        _move(Move.APPROVE_DRAFT, "quality_assure_response"),
        _move(Move.ISSUE_RESPONSE, "issue_response"),
        _move(Move.ESCALATE, "record_escalation", label="Record escalation request"),
        _move(Move.WITHDRAW, "withdraw_case"),
        _move(Move.CLOSE, "close_case"),
        _move(Move.REOPEN, "reopen_case"),
        _move(Move.ARRANGE_CALL_BACK, "screen_case"),
        _move(Move.RESOLVE_CALL_BACK, "screen_case", label="Record the call-back as resolved"),
        _move(Move.CONVERT_CALL_BACK, "screen_case", label="Record that it became a complaint"),
        Action("statement", "Edit the statement of complaint", "edit_statement", _OPEN),
        Action("findings", "Record findings", "draft_response", DRAFTING_STATES),
        Action("remedies", "Add a remedy", "draft_response", DRAFTING_STATES),
        Action("draft-response", "Draft the response letter", "draft_response", DRAFTING_STATES),
        Action("letter", "Prepare a letter", "prepare_letter", _ALL),
        Action("contact", "Record contact", "record_contact", _ALL),
        Action("document", "Attach a document", "upload_document", _ALL),
        Action("officer", "Change case officer", "allocate_case", _ALL),
        Action("advocacy", "Record advocacy", "screen_case", _ALL),
        Action(
            "lessons-learnt",
            "Complete the lessons-learnt form",
            "draft_response",
            _ALL,
            guard=lambda case: owed_lessons(case) is not None,
        ),
        Action("agreed-action", "Record an agreed action", "manage_actions", _ALL),
    ]
}

# The complaints team (who see every case) may act on any case; others only on those they hold.
_COMPLAINTS_TEAM_PERMISSION = "complaints.view_all_cases"


def owed_lessons(case: Case):
    """The current stage's lessons-learnt form, if one is owed and not yet in."""
    return next(
        (
            form
            for form in case.lessons_learnt.all()
            if form.stage_id == case.current_stage_id and form.submitted_on is None
        ),
        None,
    )


def case_or_404(user, reference: str, queryset=None) -> Case:
    """The case, if this person may see it; otherwise 404 whether or not it exists."""
    cases = selectors.cases_visible_to(user)
    if queryset is not None:
        cases = queryset.filter(pk__in=cases.values("pk"))
    case = cases.filter(reference=reference).first()
    if case is None:
        raise Http404("No such case.")
    return case


def case_shown(request, reference: str, queryset=None) -> Case:
    """`case_or_404` for a page that shows the case: opening it (a GET) goes in the access log,
    whichever page of the case it is."""
    case = case_or_404(request.user, reference, queryset)
    if request.method == "GET":
        audit.record(request, audit.Action.VIEWED_CASE, case=case, detail=request.path)
    return case


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


def permitted_actions(user, case: Case) -> list[Action]:
    return [a for a in ACTIONS.values() if may(user, case, a.slug)]
