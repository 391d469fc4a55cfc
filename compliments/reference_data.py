"""Load compliments/data/reference_data.yaml: created when missing, never overwritten."""

from pathlib import Path

import yaml
from django.db import transaction

from compliments.models import ComplimentSource, ComplimentTheme

DATA_FILE = Path(__file__).resolve().parent / "data" / "reference_data.yaml"


@transaction.atomic
def load_reference_data(path: Path = DATA_FILE) -> dict[str, int]:
    data = yaml.safe_load(path.read_text())
    created = {}
    for key, model in (("sources", ComplimentSource), ("themes", ComplimentTheme)):
        for order, row in enumerate(data[key], start=1):
            row = dict(row)
            _, new = model.objects.get_or_create(
                code=row.pop("code"), defaults={**row, "order": order * 10}
            )
            created[f"compliment {key}"] = created.get(f"compliment {key}", 0) + new
    return created
