"""Load reporting/data/reference_data.yaml: created when missing, never overwritten."""

from pathlib import Path

import yaml
from django.db import transaction

from reporting.models import CodeProvision

DATA_FILE = Path(__file__).resolve().parent / "data" / "reference_data.yaml"


@transaction.atomic
def load_reference_data(path: Path = DATA_FILE) -> dict[str, int]:
    data = yaml.safe_load(path.read_text())
    created = 0
    for order, row in enumerate(data["code_provisions"], start=1):
        row = dict(row)
        _, new = CodeProvision.objects.get_or_create(
            code=row.pop("code"), defaults={**row, "order": order * 10}
        )
        created += new
    return {"Complaint Handling Code requirements": created}
