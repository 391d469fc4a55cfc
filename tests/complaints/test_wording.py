"""What pages say: the words a complaints team and managers read on the way."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from complaints.forms import AllocateForm, CaseLogForm, FindingsForm
from complaints.models import Case, RemedyKind
from tests.support.forms import token

pytestmark = pytest.mark.django_db


def test_a_refused_page_that_is_not_a_case_does_not_speak_of_a_case(client, team_manager):
    client.force_login(team_manager)
    response = client.get(reverse("learning"))
    assert response.status_code == 403
    assert "on this case" not in response.content.decode()


def test_a_refused_case_action_names_the_action(client, senior_manager, build):
    case = build.case(Case.State.IN_PROGRESS)
    client.force_login(senior_manager)
    response = client.get(reverse("case-action", args=[case.reference, "allocate"]))
    assert response.status_code == 403
    assert "You cannot allocate on this case now." in response.content.decode()


def test_finding_lists_say_choose(build):
    case = build.case(Case.State.IN_PROGRESS)
    form = FindingsForm(element_findings=case.current_stage.element_findings.all())
    html = str(form["finding_1"])
    assert ">Choose<" in html and "---------" not in html


def test_a_manager_is_listed_with_their_team(team, team_manager):
    labels = [label for _, label in AllocateForm().fields["manager"].choices]
    assert any(team_manager.get_full_name() in x and team.name in x for x in labels), labels


def test_outcomes_sought_come_in_groups(client, officer):
    form = CaseLogForm()
    groups = form.outcome_groups
    assert 3 <= len(groups) <= 6
    sizes = [len(form.fields[name].queryset) for name in groups]
    assert sum(sizes) == RemedyKind.objects.filter(active=True).count()
    assert max(sizes) <= 16
    client.force_login(officer)
    page = client.get(reverse("case-log")).content.decode()
    for name in groups:
        assert escape(form.fields[name].label) in page


def test_outcomes_sought_from_several_groups_are_all_kept(client, officer):
    from tests.complaints.test_views import log_form

    apology = RemedyKind.objects.get(code="apology")
    payment = RemedyKind.objects.get(code="financial_payment")
    client.force_login(officer)
    data = log_form(submission=token())
    data[f"outcome_sought_{apology.group}"] = [apology.pk]
    data[f"outcome_sought_{payment.group}"] = [payment.pk]
    assert client.post(reverse("case-log"), data).status_code == 302
    case = Case.objects.get()
    assert set(case.outcome_sought.all()) == {apology, payment}
