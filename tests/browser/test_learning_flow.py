"""A team manager returns a lessons-learnt form with two actions; the complaints team sees the
return rate and the open actions. Every page is checked by axe-core."""

import datetime as dt
import re

import pytest

from complaints import learning
from complaints.models import AgreedAction, Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lessons_learnt_form_with_two_actions_reaches_the_complaints_team(
    sign_in, build, officer, team_manager, senior_manager
):
    case = build.case(Case.State.RESPONDED)
    form = learning.lessons_owed(case.current_stage)
    due = dt.date.today() + dt.timedelta(days=30)

    tariq = sign_in(team_manager)
    tariq.goto(f"/cases/{case.reference}/")
    assert "A lessons-learnt form is owed" in tariq.text()
    tariq.follow("Complete the lessons-learnt form")
    page = tariq.page
    tariq.press("Submit the form")  # empty: the errors say what to do
    assert "Say what the service has learnt" in tariq.text()
    page.fill("#id_what_went_wrong", "The review meeting moved without notice to the family.")
    page.fill("#id_learning", "Changes to meetings go to families in writing the same day.")
    page.check("input[name=applies_beyond_case][value=yes]")
    page.fill("#id_wider_learning", "Every safeguarding team.")
    for n, (text, owner) in enumerate(
        [("Update the meetings procedure", senior_manager), ("Brief the team", team_manager)],
        start=1,
    ):
        page.fill(f"#id_action_{n}_description", text)
        page.select_option(f"#id_action_{n}_owner", value=str(owner.pk))
        page.fill(f"#id_action_{n}_due_on_0", str(due.day))
        page.fill(f"#id_action_{n}_due_on_1", str(due.month))
        page.fill(f"#id_action_{n}_due_on_2", str(due.year))
    tariq.press("Submit the form")
    assert "Lessons-learnt form submitted" in tariq.text()
    form.refresh_from_db()
    assert form.submitted_by == team_manager
    assert AgreedAction.objects.filter(lessons_learnt=form).count() == 2

    olivia = sign_in(officer)
    olivia.follow("Learning")
    assert olivia.page.inner_text("#return-rate") == "100%: 1 of 1 forms returned"
    actions = olivia.page.inner_text("#open-actions")
    assert "Update the meetings procedure" in actions
    assert "Brief the team" in actions
    olivia.page.get_by_role("link", name=re.compile("Record as done.*Brief the team")).click()
    olivia.page.wait_for_load_state()
    olivia.audit()
    olivia.page.fill("#id_evidence", "Team briefed at the weekly meeting.")
    olivia.press("Mark as done")
    assert "Brief the team" not in olivia.page.inner_text("#open-actions")
