import datetime as dt

import pytest
from django.urls import reverse

from complaints.models import Channel
from compliments import services
from compliments.models import ComplimentSource

pytestmark = pytest.mark.django_db


def _add(team, n):
    for _ in range(n):
        services.compliment_record(
            by=team.manager,
            received_on=dt.date.today(),
            team=team,
            service_area=None,
            source=ComplimentSource.objects.get(code="parent"),
            channel=Channel.objects.get(code="email"),
            summary="Thank you",
        )


def test_the_compliments_list_costs_fixed_queries(
    client, team, senior_manager, django_assert_max_num_queries
):
    client.force_login(senior_manager)
    url = reverse("compliment-list")
    counts = []
    for n in (2, 10):
        _add(team, n)
        client.get(url)
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_only_council_staff_are_offered_compliments(client, team_manager, investigator):
    client.force_login(team_manager)
    assert b'href="/compliments/"' in client.get(reverse("home")).content
    client.force_login(investigator)
    assert b'href="/compliments/"' not in client.get(reverse("home")).content
