import datetime as dt

import pytest

from complaints.errors import DomainError
from complaints.models import Channel
from complaints.periods import quarter_of
from compliments import services
from compliments.models import ComplimentSource, ComplimentTheme
from compliments.selectors import compliment_counts

pytestmark = pytest.mark.django_db
D = dt.date


def record(team, day, **fields):
    return services.compliment_record(
        by=team.manager,
        received_on=day,
        team=team,
        service_area=None,
        source=ComplimentSource.objects.get(code="parent"),
        channel=Channel.objects.get(code="email"),
        summary="Thanks to the social worker",
        **fields,
    )


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (D(2024, 4, 1), 1),
        (D(2024, 6, 30), 1),
        (D(2024, 7, 1), 2),
        (D(2024, 12, 31), 3),
        (D(2025, 1, 1), 4),
        (D(2025, 3, 31), 4),
    ],
)
def test_quarters_follow_the_financial_year(day, quarter):
    assert quarter_of(day) == quarter


def test_counts_by_quarter_and_service_area(team, other_team_manager):
    other = other_team_manager.teams_managed.get()
    for day in (D(2024, 4, 10), D(2024, 5, 1), D(2024, 8, 1), D(2025, 2, 1), D(2025, 4, 1)):
        record(team, day)
    record(other, D(2024, 9, 9))
    counts = compliment_counts(start=D(2024, 4, 1), end=D(2025, 3, 31))
    assert counts.total == 5
    assert counts.by_quarter == {1: 2, 2: 2, 3: 0, 4: 1}
    assert counts.by_service_area == {team.service.name: 4, other.service.name: 1}
    narrowed = compliment_counts(
        start=D(2024, 4, 1), end=D(2025, 3, 31), service_area=other.service
    )
    assert narrowed.total == 1


def test_a_compliment_takes_its_service_area_from_the_team_and_keeps_its_themes(team):
    themes = list(ComplimentTheme.objects.filter(code__in=["extra_mile", "timely"]))
    compliment = record(team, D(2024, 5, 1), themes=themes)
    assert compliment.service_area == team.service
    assert set(compliment.themes.values_list("code", flat=True)) == {"extra_mile", "timely"}


def test_consent_to_publish_needs_an_extract(team):
    with pytest.raises(DomainError) as error:
        record(team, D(2024, 5, 1), consent_to_publish=True, extract="")
    assert error.value.field == "extract"


def test_a_date_in_the_future_is_refused(team):
    with pytest.raises(DomainError, match="future"):
        record(team, dt.date.today() + dt.timedelta(days=2))
