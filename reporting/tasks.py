"""Celery tasks for reporting: they take ids and call reporting.services."""

from celery import shared_task

from reporting import services
from reporting.models import Rendering


@shared_task
def render_edition(rendering_id: int) -> str:
    rendering = Rendering.objects.select_related("edition").get(pk=rendering_id)
    return services.rendering_run(rendering).pdf.name
