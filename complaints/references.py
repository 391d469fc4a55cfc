"""Case references, e.g. CSC-2024-00042: one counter per year received, so that
concurrent intakes and imports never share a number."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from complaints.models import ReferenceCounter


def _counter_key(received_on: dt.date) -> str:
    return f"{settings.CASE_REFERENCE_PREFIX}-{received_on.year}"


def next_reference(received_on: dt.date) -> str:
    """The next case reference for the year received, e.g. CSC-2024-00042.

    The counter row is incremented in the database (a row lock), so concurrent intakes never
    share a number; must run inside the caller's transaction.
    """
    return reserve_references(received_on, 1)[0]


def reserve_references(received_on: dt.date, count: int) -> list[str]:
    key = _counter_key(received_on)
    if not ReferenceCounter.objects.filter(key=key).exists():
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(key=key, last=0)
        except IntegrityError:
            pass  # another intake created it first
    ReferenceCounter.objects.filter(key=key).update(last=F("last") + count)
    last = ReferenceCounter.objects.get(key=key).last
    return [f"{key}-{n:05d}" for n in range(last - count + 1, last + 1)]
