"""Celery tasks for reporting: they take ids and call reporting.services."""

import logging

from celery import shared_task
from django.utils import timezone

from reporting import dashboard, services
from reporting.models import Rendering

log = logging.getLogger(__name__)


@shared_task
def render_edition(rendering_id: int) -> str:
    rendering = Rendering.objects.select_related("edition").get(pk=rendering_id)
    made = services.rendering_run(rendering)
    return made.pdf.name if made else "made by another worker"


@shared_task
def recount_dashboard() -> None:
    dashboard.recount(timezone.localdate())


@shared_task
def render_waiting() -> int:
    """Make the PDFs still waiting, e.g. queued while the broker was down."""
    made = 0
    for rendering in Rendering.objects.filter(pk__in=services.renderings_waiting()).select_related(
        "edition"
    ):
        try:
            made += services.rendering_run(rendering) is not None
        except Exception:  # noqa: BLE001 - recorded on the rendering; the rest still run
            log.exception("Annual report PDF %s failed", rendering.pk)
    return made
