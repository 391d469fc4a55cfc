"""What makes counted figures out of date: a change to anything they are counted from.

Each change clears the figures cache (statistics.figures_changed) at once and again after the
commit, so a page counting meanwhile cannot keep figures from before it. Bulk writes that send
no save signal send complaints.signals.history_imported instead.
"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from complaints.signals import history_imported
from complaints.workflow import replaying_history
from reporting.statistics import figures_changed

WATCHED = [
    "complaints.Case",
    "complaints.Complainant",
    "complaints.Stage",
    "complaints.Element",
    "complaints.ElementFinding",
    "complaints.Remedy",
    "complaints.Pause",
    "complaints.PanelMember",
    # What an appointment costs, and whether its person is staff or external.
    "complaints.Appointment",
    "complaints.TimeEntry",
    "complaints.Invoice",
    "complaints.PoolMember",
    "complaints.LessonsLearnt",
    "complaints.AgreedAction",
    "complaints.Timescale",
    "complaints.StageDefinition",
    "complaints.NonWorkingDay",
    "complaints.ServiceArea",
    "complaints.Team",
    "compliments.Compliment",
    "ombudsman.OmbudsmanCase",
    "ombudsman.Recommendation",
    "ombudsman.Decision",
]


def _changed(**kwargs) -> None:
    if replaying_history():
        return  # an import says so once, at its end (history_imported)
    figures_changed()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        entry[1] is figures_changed for entry in connection.run_on_commit
    ):
        transaction.on_commit(figures_changed)  # once per transaction, however many rows


def connect() -> None:
    from complaints.models import CATEGORY_MODELS, Case

    models = [apps.get_model(label) for label in WATCHED] + list(CATEGORY_MODELS.values())
    for model in models:
        uid = f"reporting.figures.{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (Case.outcome_sought.through, Case.children.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"reporting.{through}")
    history_imported.connect(_changed, dispatch_uid="reporting.figures.imported")
