"""Celery tasks for reporting: they take ids and call reporting.services."""

from celery import shared_task
from django.utils import timezone

from reporting import dashboard, services
from reporting.models import Rendering


@shared_task
def render_edition(rendering_id: int) -> str:
    rendering = Rendering.objects.select_related("edition").get(pk=rendering_id)
    return services.rendering_run(rendering).pdf.name


@shared_task
def recount_dashboard() -> None:
    dashboard.recount(timezone.localdate())
