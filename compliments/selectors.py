"""Compliment counts for any period: by quarter of the financial year and by service area.
The dashboard and the annual report use these."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from complaints.periods import quarter_of
from compliments.models import Compliment


@dataclass(frozen=True)
class ComplimentCounts:
    total: int
    by_quarter: dict[int, int]
    by_service_area: dict[str, int]


def compliment_counts(*, start: dt.date, end: dt.date, service_area=None) -> ComplimentCounts:
    compliments = Compliment.objects.filter(received_on__range=(start, end))
    if service_area is not None:
        compliments = compliments.filter(service_area=service_area)
    by_quarter = {q: 0 for q in (1, 2, 3, 4)}
    for day in compliments.values_list("received_on", flat=True):
        by_quarter[quarter_of(day)] += 1
    by_area = dict(
        compliments.values_list("service_area__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "service_area__name")
    )
    return ComplimentCounts(
        total=sum(by_quarter.values()), by_quarter=by_quarter, by_service_area=by_area
    )
