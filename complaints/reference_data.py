"""Load complaints/data/reference_data.yaml: stage definitions, timescales and category lists.

Rows are matched by their natural key and only created when missing, so running it again (every
`make run` does) never undoes what a complaints manager changed in the admin.
"""

from pathlib import Path

import yaml
from django.db import transaction

from complaints.models import (
    CATEGORY_MODELS,
    ChaseRule,
    LetterParagraph,
    LetterTemplate,
    StageDefinition,
    Timescale,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "reference_data.yaml"
LETTERS_FILE = DATA_FILE.with_name("letter_templates.yaml")
CHASE_RULES_FILE = DATA_FILE.with_name("chase_rules.yaml")
_DOCUMENTATION_ONLY = {"source"}


@transaction.atomic
def load_reference_data(path: Path = DATA_FILE) -> dict[str, int]:
    data = yaml.safe_load(path.read_text())
    created: dict[str, int] = {}

    for procedure, stages in data["stages"].items():
        for spec in stages:
            spec = dict(spec)
            timescales = spec.pop("timescales")
            level = spec.pop("level")
            definition, new = StageDefinition.objects.get_or_create(
                procedure=procedure, level=level, defaults=spec
            )
            created["stage definitions"] = created.get("stage definitions", 0) + new
            for ts in timescales:
                ts = dict(ts)
                step = ts.pop("step")
                row = Timescale(stage=definition, step=step, **ts)
                if not Timescale.objects.filter(stage=definition, step=step).exists():
                    row.full_clean()
                    row.save()
                    created["timescales"] = created.get("timescales", 0) + 1

    for key, rows in data["categories"].items():
        model = CATEGORY_MODELS[key]
        for order, row in enumerate(rows, start=1):
            fields = {k: v for k, v in row.items() if k not in _DOCUMENTATION_ONLY}
            code = fields.pop("code")
            _, new = model.objects.get_or_create(
                code=code, defaults={**fields, "order": order * 10}
            )
            created[key] = created.get(key, 0) + new

    letters = yaml.safe_load(LETTERS_FILE.read_text())
    for row in letters["paragraphs"]:
        _, new = LetterParagraph.objects.get_or_create(code=row["code"], defaults=row)
        created["letter paragraphs"] = created.get("letter paragraphs", 0) + new
    for row in letters["templates"]:
        row = {"procedure": "", **row}
        if not LetterTemplate.objects.filter(name=row["name"]).exists():
            template = LetterTemplate(**row)
            template.full_clean()
            template.save()
            created["letter templates"] = created.get("letter templates", 0) + 1

    for row in yaml.safe_load(CHASE_RULES_FILE.read_text())["rules"]:
        _, new = ChaseRule.objects.get_or_create(code=row["code"], defaults=row)
        created["chase rules"] = created.get("chase rules", 0) + new
    ensure_schedule()
    return created


def ensure_schedule() -> None:
    """The periodic tasks, as rows an administrator can retime in the admin
    (django-celery-beat). Created when missing, never reset."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    weekday_mornings, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="7",
        day_of_week="1-5",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(
        every=5, period=IntervalSchedule.MINUTES
    )
    PeriodicTask.objects.get_or_create(
        name="Chase cases (working days, 7am)",
        defaults={"task": "complaints.tasks.chase", "crontab": weekday_mornings},
    )
    PeriodicTask.objects.get_or_create(
        name="Send the outbox",
        defaults={
            "task": "complaints.tasks.deliver_notifications",
            "interval": every_five_minutes,
        },
    )
    # Within REPORTING_FIGURES_MAX_AGE, so the pages most often opened never wait.
    PeriodicTask.objects.get_or_create(
        name="Recount the dashboard",
        defaults={"task": "reporting.tasks.recount_dashboard", "interval": every_five_minutes},
    )
    # Annual report PDFs queued while the broker was down.
    PeriodicTask.objects.get_or_create(
        name="Make waiting annual report PDFs",
        defaults={"task": "reporting.tasks.render_waiting", "interval": every_five_minutes},
    )
    # History imports queued while the broker was down.
    PeriodicTask.objects.get_or_create(
        name="Run waiting history imports",
        defaults={"task": "complaints.tasks.run_waiting_imports", "interval": every_five_minutes},
    )
