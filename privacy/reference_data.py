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
    for name, task, (minute, hour, days) in (
        (
            "Anonymise records past their retention period (Sundays, 2am)",
            "privacy.tasks.anonymise_due",
            ("0", "2", "0"),
        ),
        ("Clear expired sessions (nightly)", "privacy.tasks.clear_sessions", ("30", "1", "*")),
    ):
        when, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=days,
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/London",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": when})
    return {"retention rules": created}
