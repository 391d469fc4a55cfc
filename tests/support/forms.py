"""What a browser would post: a form's one-off token and a GOV.UK date input's three boxes."""

import datetime as dt
import uuid


def token() -> str:
    return str(uuid.uuid4())


def date_fields(name: str, day: dt.date | None) -> dict:
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}
