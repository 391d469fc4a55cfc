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


def test_a_new_team_is_offered_at_once(
    client, officer, team, layouts, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    assert "Leaving care east" not in _list(client)
    with django_capture_on_commit_callbacks(execute=True):  # offered once it commits
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


def test_renaming_an_officer_is_offered_at_once_without_reading_options_when_kept(
    client, officer, layouts, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    _list(client)
    with django_assert_max_num_queries(20) as kept:
        _list(client)
    option_tables = ('"complaints_team"', '"complaints_nature"', '"complaints_relationship"')
    assert not [
        q for q in kept.captured_queries if q["sql"].split(" FROM ")[-1].startswith(option_tables)
    ]
    officer.last_name = "Renamed-Officer"
    with django_capture_on_commit_callbacks(execute=True):
        officer.save()
    assert "Renamed-Officer" in _list(client)
    assert len(layouts) == 2


def test_signing_in_keeps_the_layout(client, officer, layouts):
    client.force_login(officer)
    _list(client)
    client.force_login(officer)  # saves last_login
    _list(client)
    assert len(layouts) == 1


def test_every_option_a_filter_offers_changes_the_version_when_saved():
    from django.apps import apps

    from complaints.filters import CaseFilter
    from compliments.forms import ComplimentFilter
    from ombudsman.forms import OmbudsmanFilter

    offered = {
        f.queryset.model._meta.label
        for filterset in (CaseFilter, ComplimentFilter, OmbudsmanFilter)
        for f in filterset.base_filters.values()
        if getattr(f, "queryset", None) is not None
    }
    assert offered <= filter_forms.OPTION_MODELS
    for label in filter_forms.OPTION_MODELS:
        apps.get_model(label)  # each names a model
