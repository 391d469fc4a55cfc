"""What makes counted figures out of date: a change to anything they are counted from.

Each change clears the figures cache (statistics.figures_changed) at once and again after the
commit, so a page counting meanwhile cannot keep figures from before it, and forgets the months
kept that it touches (statistics.months_changed): a change to a case, or to anything of its own,
the months of the case's dates, and, where a stage's time open changed, every month since; a
category, a timescale or the calendar, every month. Bulk writes that send no save signal send
complaints.signals.history_imported instead.
"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from complaints.signals import history_imported
from complaints.workflow import replaying_history
from reporting.statistics import figures_changed, months_changed

WATCHED = [
    "complaints.Case",
    "complaints.Complainant",
    "complaints.Stage",
    "complaints.Element",
    "complaints.ElementFinding",
    "complaints.Remedy",
    "complaints.Pause",
    "complaints.PanelMember",
    "complaints.LessonsLearnt",
    "complaints.AgreedAction",
    "complaints.Timescale",
    "complaints.StageDefinition",
    "complaints.NonWorkingDay",
    "complaints.ServiceArea",
    "complaints.Team",
    "compliments.Compliment",
    "compliments.ComplimentSource",
    "ombudsman.OmbudsmanCase",
    "ombudsman.Recommendation",
    "ombudsman.Decision",
]


# What a change to each is a change of, for the months kept; the rest are counted for each
# period as a whole (agreed actions, the Ombudsman's figures) or change every month.
_OF_CASE = {
    "complaints.Case": "pk",
    "complaints.Element": "case_id",
    "complaints.LessonsLearnt": "case_id",
}
_OF_STAGE = {
    "complaints.ElementFinding",
    "complaints.Remedy",
    "complaints.Pause",
    "complaints.PanelMember",
}
_NOT_MONTHLY = {
    "complaints.AgreedAction",
    "ombudsman.OmbudsmanCase",
    "ombudsman.Recommendation",
    "ombudsman.Decision",
}
# What a row was before it was saved, where months kept depend on it.
_BEFORE = {
    "complaints.Case": ["received_on", "procedure", "service_area_id"],
    "complaints.Stage": ["level", "requested_on", "responded_on", "withdrawn_on"],
    "compliments.Compliment": ["received_on"],
}
_STAGE_DATES = ["requested_on", "responded_on", "withdrawn_on"]


def _before(sender, instance, raw=False, **kwargs) -> None:
    if raw or replaying_history() or instance.pk is None:
        return
    names = _BEFORE[sender._meta.label]
    instance._counted_before = sender.objects.filter(pk=instance.pk).values(*names).first()


def _changed(sender=None, instance=None, **kwargs) -> None:
    if replaying_history():
        return  # an import says so once, at its end (history_imported)
    months_changed(**_months_of(sender, instance, kwargs))
    figures_changed()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        entry[1] is figures_changed for entry in connection.run_on_commit
    ):
        transaction.on_commit(figures_changed)  # once per transaction, however many rows


def _months_of(sender, instance, kwargs) -> dict:
    """What statistics.months_changed is told of a change to `instance`."""
    from complaints.models import Case

    if instance is None:  # history_imported
        return {"everything": True}
    if "action" in kwargs:  # m2m_changed
        if isinstance(instance, Case):
            return {"cases": [instance.pk]}
        return {"cases": kwargs["pk_set"]} if kwargs.get("pk_set") else {"everything": True}
    label = sender._meta.label
    deleted = kwargs.get("signal") is post_delete
    before = None if deleted else getattr(instance, "_counted_before", None)
    if label == "complaints.Stage":
        return _stage_changed(instance, before)
    if label in _OF_CASE:
        changed = {"cases": [getattr(instance, _OF_CASE[label])]}
        if label == "complaints.Case":
            changed["days"] = [instance.received_on, before and before["received_on"]]
            if before and (before["procedure"], before["service_area_id"]) != (
                instance.procedure,
                instance.service_area_id,
            ):
                changed["open_from_cases"] = [instance.pk]
        return changed
    if label in _OF_STAGE:
        return {"stages": [instance.stage_id]}
    if label == "complaints.Complainant":
        return {"complainants": [instance.pk]}
    if label == "compliments.Compliment":
        return {"days": [instance.received_on, before and before["received_on"]]}
    if label in _NOT_MONTHLY:
        return {}
    return {"everything": True}


def _stage_changed(stage, before: dict | None) -> dict:
    """A stage's months, and from when it was open if that changed: its whole time open if it
    is new or gone, else from the earliest date that moved (its request, if its stage did)."""
    now = {name: getattr(stage, name) for name in _STAGE_DATES}
    changed = {"cases": [stage.case_id], "days": list(now.values())}
    if before is None:  # new, or deleted
        changed["open_from"] = [stage.requested_on]
        return changed
    changed["days"] += [before[name] for name in _STAGE_DATES]
    moved = [name for name in _STAGE_DATES if before[name] != now[name]]
    if before["level"] != stage.level:
        moved.append("requested_on")
    changed["open_from"] = [day for name in moved for day in (before[name], now[name])]
    return changed


def connect() -> None:
    from complaints.models import CATEGORY_MODELS, Case

    models = [apps.get_model(label) for label in WATCHED] + list(CATEGORY_MODELS.values())
    for model in models:
        uid = f"reporting.figures.{model._meta.label}"
        if model._meta.label in _BEFORE:
            pre_save.connect(_before, sender=model, dispatch_uid=f"{uid}.before")
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (
        Case.outcome_sought.through,
        Case.children.through,
        Case.joint_service_areas.through,
    ):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"reporting.{through}")
    history_imported.connect(_changed, dispatch_uid="reporting.figures.imported")
