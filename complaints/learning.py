"""Lessons learnt and agreed actions: when a form is owed, submitting it, and completing actions.

A team manager owes a lessons-learnt form when a response from Stage 1 on found fault (an
element upheld or partly upheld), due the stage definition's number of working days after the
response. Forms and actions are chased by ChaseRules like responses are.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from complaints import deadlines
from complaints.errors import DomainError
from complaints.models import AgreedAction, LessonsLearnt, Stage
from complaints.rounding import percent
from complaints.workingdays import add_working_days

FAULT_FOUND = ("upheld", "partially_upheld")


def lessons_owed(stage: Stage) -> LessonsLearnt | None:
    """Create the form a response makes owing, if it does. Called as the response is issued."""
    if stage.level < 1 or stage.responded_on is None:
        return None
    definition = deadlines.stage_definition(stage.case.procedure, stage.level)
    days = definition.lessons_learnt_working_days if definition else None
    if not days:
        return None
    found_fault = stage.element_findings.filter(finding__group__in=FAULT_FOUND).exists()
    if not found_fault:
        return None
    manager = stage.responding_manager or (stage.team.manager if stage.team else None)
    form, _ = LessonsLearnt.objects.get_or_create(
        stage=stage,
        defaults={
            "case": stage.case,
            "team": stage.team,
            "owed_by": manager,
            "due_on": add_working_days(stage.responded_on, days),
        },
    )
    return form


def owed_now(case) -> LessonsLearnt | None:
    """The current stage's lessons-learnt form, if one is owed and not yet in."""
    return next(
        (
            form
            for form in case.lessons_learnt.all()
            if form.stage_id == case.current_stage_id and form.submitted_on is None
        ),
        None,
    )


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: object
    due_on: dt.date


@transaction.atomic
def lessons_submit(
    form: LessonsLearnt,
    *,
    by,
    what_went_wrong: str,
    learning: str,
    applies_beyond_case: bool | None,
    wider_learning: str = "",
    actions: list[ActionInput] = (),
    on: dt.date | None = None,
) -> LessonsLearnt:
    """Record the form as returned, on `on` (today unless a later entry says when it came)."""
    form = LessonsLearnt.objects.select_for_update().select_related("stage").get(pk=form.pk)
    if form.submitted_on:
        raise DomainError("This lessons-learnt form has already been submitted.")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("The date it was returned cannot be in the future.", field="on")
    if form.stage.responded_on and on < form.stage.responded_on:
        raise DomainError(
            "The date it was returned cannot be before the response that made it owed "
            f"({form.stage.responded_on:%-d %B %Y}).",
            field="on",
        )
    if not learning.strip():
        raise DomainError("Say what the service has learnt.", field="learning")
    if applies_beyond_case and not wider_learning.strip():
        raise DomainError("Say where else the learning applies.", field="wider_learning")
    today = timezone.localdate()
    for action in actions:
        if action.due_on < today:
            raise DomainError("An action's due date cannot be in the past.", field="actions")
    form.what_went_wrong, form.learning = what_went_wrong, learning
    form.applies_beyond_case, form.wider_learning = applies_beyond_case, wider_learning
    form.submitted_on, form.submitted_by = on, by
    form.save()
    for action in actions:
        action_add(
            case=form.case,
            stage=form.stage,
            lessons_learnt=form,
            source=AgreedAction.Source.LESSONS_LEARNT,
            description=action.description,
            owner=action.owner,
            due_on=action.due_on,
            by=by,
        )
    return form


def action_add(
    *,
    case,
    source,
    description,
    owner,
    due_on,
    by,
    stage=None,
    lessons_learnt=None,
    published_summary: str = "",
):
    if not description.strip():
        raise DomainError("Describe the action.", field="description")
    if owner is None:
        raise DomainError("Choose who owns the action.", field="owner")
    return AgreedAction.objects.create(
        case=case,
        stage=stage or (case.current_stage if case else None),
        lessons_learnt=lessons_learnt,
        source=source,
        description=description,
        owner=owner,
        due_on=due_on,
        published_summary=published_summary.strip(),
        created_by=by,
    )


def may_complete(user, action: AgreedAction) -> bool:
    """The action's owner, or the complaints team."""
    return action.owner_id == user.pk or words_for_the_public(user)


def words_for_the_public(user) -> bool:
    """What the annual report says of an action is the complaints team's to word, not each
    owner's."""
    return user.has_perm("complaints.manage_actions")


def actions_for(user):
    """The agreed actions a person is shown: every one for the complaints team, else their own."""
    actions = AgreedAction.objects.select_related("case", "owner")
    return actions if words_for_the_public(user) else actions.filter(owner=user)


def forms_for(user):
    """The lessons-learnt forms a person is shown: every one for the complaints team, else those
    they owe."""
    forms = LessonsLearnt.objects.select_related("case", "team", "owed_by", "submitted_by")
    return forms if words_for_the_public(user) else forms.filter(owed_by=user)


def action_complete(
    action: AgreedAction,
    *,
    by,
    evidence: str,
    on: dt.date | None = None,
    published_summary: str | None = None,
):
    if action.status != AgreedAction.Status.OPEN:
        raise DomainError("This action is already closed.")
    if not evidence.strip():
        raise DomainError(
            "Say what was done, as evidence the action is complete.", field="evidence"
        )
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("The date completed cannot be in the future.", field="on")
    action.status, action.completed_on, action.evidence = AgreedAction.Status.DONE, on, evidence
    fields = ["status", "completed_on", "evidence"]
    if published_summary is not None:  # None: not asked (only the complaints team words it)
        action.published_summary = published_summary.strip()
        fields.append("published_summary")
    action.save(update_fields=fields)
    return action


@dataclass(frozen=True)
class ReturnRate:
    owed: int
    returned: int
    returned_on_time: int
    outstanding: int

    @property
    def percent(self):
        return percent(self.returned, self.owed)


# How forms are counted, for this page and reporting.statistics alike: owed by the date of
# the response that made them owed; on time if submitted by the due date.
RETURN_COUNTS = {
    "owed": Count("pk"),
    "returned": Count("pk", filter=Q(submitted_on__isnull=False)),
    "on_time": Count("pk", filter=Q(submitted_on__lte=F("due_on"))),
}


def return_rate(*, start: dt.date, end: dt.date) -> ReturnRate:
    """Forms owed for responses in the period, and how many came back (on time)."""
    counts = LessonsLearnt.objects.filter(
        stage__responded_on__gte=start, stage__responded_on__lte=end
    ).aggregate(**RETURN_COUNTS)
    return ReturnRate(
        owed=counts["owed"],
        returned=counts["returned"],
        returned_on_time=counts["on_time"],
        outstanding=counts["owed"] - counts["returned"],
    )
