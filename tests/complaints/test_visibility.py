"""Who sees which case beyond their team's work: what they logged, and appointments that end."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from complaints import access
from complaints.models import Case, Level, PanelMember, Stage
from complaints.selectors import cases_visible_to
from tests.complaints.test_views import log_form

pytestmark = pytest.mark.django_db


def test_a_team_manager_sees_the_case_they_logged(client, other_team_manager):
    client.force_login(other_team_manager)
    response = client.post(reverse("case-log"), log_form())
    assert response.status_code == 302
    case = Case.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    # Seeing is not acting: screening is the complaints team's.
    assert client.get(reverse("case-action", args=[case.reference, "accept"])).status_code == 403


def _stage_2_over(case, days_ago: int) -> None:
    stage2 = case.stages.get(level=Level.INVESTIGATION)
    Stage.objects.filter(pk=stage2.pk).update(
        responded_on=timezone.localdate() - dt.timedelta(days=days_ago)
    )


@pytest.mark.parametrize("person", ["investigator", "independent_person"])
def test_an_appointment_ends_after_the_grace_period(request, client, build, person, settings):
    settings.APPOINTMENT_ACCESS_GRACE_DAYS = 28
    user = request.getfixturevalue(person)
    case = build.case("in_progress", level=Level.REVIEW_PANEL)  # Stage 2 done, Stage 3 running
    client.force_login(user)
    url = reverse("case-detail", args=[case.reference])
    _stage_2_over(case, days_ago=28)
    assert client.get(url).status_code == 200
    _stage_2_over(case, days_ago=29)
    assert client.get(url).status_code == 404  # the Stage 3 panel's papers included
    assert case not in cases_visible_to(user)
    settings.APPOINTMENT_ACCESS_GRACE_DAYS = 60
    assert client.get(url).status_code == 200


def test_a_panel_member_sees_the_case_until_their_stage_is_over(client, build, investigator):
    case = build.case("in_progress", level=Level.REVIEW_PANEL)
    PanelMember.objects.filter(stage=case.current_stage).update(user=investigator)
    _stage_2_over(case, days_ago=365)
    client.force_login(investigator)
    url = reverse("case-detail", args=[case.reference])
    assert client.get(url).status_code == 200
    Stage.objects.filter(pk=case.current_stage_id).update(
        responded_on=timezone.localdate() - dt.timedelta(days=365)
    )
    assert client.get(url).status_code == 404


def test_logging_a_case_does_not_reveal_another_cases_people(
    client, build, other_team_manager, officer
):
    """Matching a typed e-mail or case-system ID to the people on record is the complaints
    team's: for anyone else it would show another case's complainant and child."""
    from complaints.models import Child
    from tests.factories import ComplainantFactory

    secret = build.case(
        "in_progress",
        complainant=ComplainantFactory(name="Ella Kettle", email="ella@example.org"),
        children=[Child(name="Umar Kettle", case_system_reference="MOS100207")],
    )
    client.force_login(other_team_manager)
    response = client.post(
        reverse("case-log"),
        log_form(
            name="E",
            email="ella@example.org",
            child_name="x",
            child_case_system_reference="MOS100207",
        ),
    )
    page = client.get(response["Location"]).content.decode()
    assert "Ella Kettle" not in page and "Umar Kettle" not in page
    assert secret.reference not in page
    mine = Case.objects.exclude(pk=secret.pk).get()
    assert mine.complainant_id != secret.complainant_id
    assert mine.repeat_of is None
    # The complaints team still finds the same person on record.
    client.force_login(officer)
    response = client.post(
        reverse("case-log"),
        log_form(name="Ella Kettle", email="ella@example.org", not_a_repeat="on"),
    )
    assert Case.objects.order_by("-pk").first().complainant_id == secret.complainant_id


@pytest.mark.parametrize(
    "persona",
    [
        "officer",
        "team_manager",
        "other_team_manager",
        "head_of_service",
        "investigator",
        "independent_person",
    ],
)
def test_asking_of_one_case_agrees_with_the_list(request, build, persona):
    """`case_or_404` asks of one case (each condition probes that case's rows); the list asks
    of all at once. They must allow the same cases."""
    user = request.getfixturevalue(persona)
    cases = [
        build.case("received"),
        build.case("in_progress"),
        build.case("in_progress", level=Level.INVESTIGATION),
        build.case("in_progress", level=Level.REVIEW_PANEL),
    ]
    over = build.case("in_progress", level=Level.REVIEW_PANEL)
    Stage.objects.filter(case=over).update(
        responded_on=timezone.localdate() - dt.timedelta(days=365)
    )
    PanelMember.objects.filter(stage__case=cases[3]).update(user=user)
    listed = set(cases_visible_to(user))
    for case in [*cases, over]:
        try:
            access.case_or_404(user, case.reference)
        except Http404:
            seen = False
        else:
            seen = True
        assert seen == (case in listed), (persona, case.state, case.current_stage)
    assert listed or persona == "other_team_manager"
