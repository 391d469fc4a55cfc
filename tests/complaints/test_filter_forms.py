"""The list filters' layout is kept, and changes with what it offers and what was chosen."""

import pytest
from django.urls import reverse

from complaints.templatetags import filter_forms
from tests.factories import TeamFactory


@pytest.fixture
def layouts(monkeypatch):
    """Counts the times the filters are laid out afresh."""
    drawn = []
    lay_out = filter_forms.as_crispy_form

    def counted(form):
        drawn.append(form)
        return lay_out(form)

    monkeypatch.setattr(filter_forms, "as_crispy_form", counted)
    return drawn


def _list(client, **params):
    response = client.get(reverse("case-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_same_filters_are_laid_out_once(client, officer, layouts):
    client.force_login(officer)
    first = _list(client, state="in_progress")
    second = _list(client, state="in_progress")
    assert len(layouts) == 1
    assert 'value="in_progress" selected' in first and 'value="in_progress" selected' in second
    _list(client, state="closed")
    assert len(layouts) == 2


def test_a_new_team_is_offered_at_once(client, officer, team, layouts):
    client.force_login(officer)
    assert "Leaving care east" not in _list(client)
    TeamFactory(name="Leaving care east", service=team.service)
    assert "Leaving care east" in _list(client)
    assert len(layouts) == 2


def test_filters_with_an_error_show_it_and_are_never_kept(client, officer, layouts):
    client.force_login(officer)
    page = _list(client, received_after="<script>x</script>")
    assert "govuk-error-message" in page
    assert "<script>x</script>" not in page
    _list(client, received_after="<script>x</script>")
    assert len(layouts) == 2
    assert "govuk-error-message" not in _list(client)
