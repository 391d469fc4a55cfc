"""Load privacy/data/reference_data.yaml and the weekly retention run: created when missing,
never overwritten."""

from pathlib import Path

import yaml
from django.db import transaction

from privacy.models import RetentionRule

DATA_FILE = Path(__file__).resolve().parent / "data" / "reference_data.yaml"


@transaction.atomic
def load_reference_data(path: Path = DATA_FILE) -> dict[str, int]:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for row in yaml.safe_load(path.read_text())["rules"]:
        _, new = RetentionRule.objects.get_or_create(record=row["record"], defaults=row)
        created += new
    sundays, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="2",
        day_of_week="0",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.get_or_create(
        name="Anonymise records past their retention period (Sundays, 2am)",
        defaults={"task": "privacy.tasks.anonymise_due", "crontab": sundays},
    )
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="1",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.get_or_create(
        name="Clear expired sessions (nightly)",
        defaults={"task": "privacy.tasks.clear_sessions", "crontab": nightly},
    )
    return {"retention rules": created}
