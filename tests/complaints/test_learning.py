import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from complaints import chasing, learning, workflow
from complaints.errors import DomainError
from complaints.models import AgreedAction, Case, LessonsLearnt, Notification
from complaints.workingdays import add_working_days
from tests.support.forms import date_fields, token

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def responded(build):
    with freeze_time(D(2025, 6, 2)):
        return build.case(Case.State.RESPONDED, received_on=D(2025, 5, 20))


def test_a_response_that_found_fault_makes_a_form_owing(responded, team_manager):
    form = learning.lessons_owed(responded.current_stage)
    assert form.owed_by == team_manager
    assert form.due_on == add_working_days(D(2025, 6, 2), 20)
    assert learning.lessons_owed(responded.current_stage) == form  # once only


def test_no_form_when_nothing_was_upheld(build):
    with freeze_time(D(2025, 6, 2)):
        case = build.log(received_on=D(2025, 5, 20))
        build.accept(case)
        from complaints import workflow

        workflow.allocate(case, by=build.officer, team=build.team)
        build.add_element(case)
        case.refresh_from_db()
        case = build.respond(case, finding="not_upheld")
    assert learning.lessons_owed(case.current_stage) is None


def test_submitting_the_form_creates_its_actions(responded, team_manager, senior_manager):
    form = learning.lessons_owed(responded.current_stage)
    with freeze_time(D(2025, 6, 10)):
        learning.lessons_submit(
            form,
            by=team_manager,
            what_went_wrong="The meeting moved without notice.",
            learning="Send changes in writing the same day.",
            applies_beyond_case=True,
            wider_learning="All safeguarding teams.",
            actions=[
                learning.ActionInput(
                    "Update the meetings procedure", senior_manager, D(2025, 7, 1)
                ),
                learning.ActionInput("Brief the team", team_manager, D(2025, 6, 20)),
            ],
        )
    form.refresh_from_db()
    assert form.submitted_on == D(2025, 6, 10)
    assert [a.description for a in form.actions.order_by("due_on")] == [
        "Brief the team",
        "Update the meetings procedure",
    ]
    assert all(a.source == AgreedAction.Source.LESSONS_LEARNT for a in form.actions.all())
    with pytest.raises(DomainError, match="already been submitted"):
        learning.lessons_submit(
            form, by=team_manager, what_went_wrong="", learning="x", applies_beyond_case=False
        )


def test_wider_learning_must_say_where(responded, team_manager):
    form = learning.lessons_owed(responded.current_stage)
    with pytest.raises(DomainError) as error:
        learning.lessons_submit(
            form, by=team_manager, what_went_wrong="", learning="x", applies_beyond_case=True
        )
    assert error.value.field == "wider_learning"
    form.refresh_from_db()
    assert form.submitted_on is None


def test_the_return_rate_counts_forms_owed_and_returned_in_the_period(build, team_manager):
    forms = []
    for _ in range(4):
        with freeze_time(D(2025, 6, 2)):
            case = build.case(Case.State.RESPONDED, received_on=D(2025, 5, 20))
        forms.append(learning.lessons_owed(case.current_stage))
    for form, day in zip(forms[:3], [D(2025, 6, 10), D(2025, 6, 12), D(2025, 8, 1)], strict=False):
        with freeze_time(day):
            learning.lessons_submit(
                form, by=team_manager, what_went_wrong="", learning="x", applies_beyond_case=False
            )
    rate = learning.return_rate(start=D(2025, 4, 1), end=D(2026, 3, 31))
    assert (rate.owed, rate.returned, rate.returned_on_time, rate.outstanding) == (4, 3, 2, 1)
    assert rate.percent == 75
    assert learning.return_rate(start=D(2024, 4, 1), end=D(2025, 3, 31)).owed == 0


def test_an_overdue_form_and_an_overdue_action_are_chased_once(
    responded, team_manager, senior_manager, head_of_service
):
    form = learning.lessons_owed(responded.current_stage)
    action = learning.action_add(
        case=responded,
        source=AgreedAction.Source.STAGE_2,
        description="Review the placement plan",
        owner=senior_manager,
        due_on=D(2025, 6, 20),
        by=team_manager,
    )
    chasing.deliver()
    mail.outbox.clear()
    day_after_form = add_working_days(form.due_on, 1)
    for day in (D(2025, 6, 20), D(2025, 6, 23), day_after_form, day_after_form):
        with freeze_time(day):
            chasing.run(day)
    subjects = sorted(m.subject for m in mail.outbox if "this week" not in m.subject)
    assert subjects == [
        f"{responded.reference}: agreed action was due 20 Jun",
        f"{responded.reference}: lessons-learnt form was due {form.due_on:%-d %b}",
    ]
    action_mail = next(m for m in mail.outbox if "action" in m.subject)
    assert action_mail.to == [senior_manager.email]
    assert "Review the placement plan" in action_mail.body
    form_mail = next(m for m in mail.outbox if "lessons" in m.subject)
    assert form_mail.to == [team_manager.email]
    assert Notification.objects.filter(action=action).count() == 1


def test_a_done_action_is_no_longer_chased(responded, team_manager):
    forms_owed = LessonsLearnt.objects.count()  # by the responses that found fault
    action = learning.action_add(
        case=responded,
        source=AgreedAction.Source.STAGE_3,
        description="Apologise in writing",
        owner=team_manager,
        due_on=D(2025, 6, 20),
        by=team_manager,
    )
    with freeze_time(D(2025, 6, 19)):
        with pytest.raises(DomainError, match="evidence"):
            learning.action_complete(action, by=team_manager, evidence=" ")
        learning.action_complete(action, by=team_manager, evidence="Letter sent 19 June.")
    with freeze_time(D(2025, 6, 24)):
        chasing.run(D(2025, 6, 24))
    assert not Notification.objects.filter(action=action).exists()
    assert LessonsLearnt.objects.count() == forms_owed


def test_the_learning_page_costs_fixed_queries(
    client, officer, build, team_manager, django_assert_max_num_queries
):
    from django.urls import reverse

    client.force_login(officer)
    counts = []
    for n in (1, 4):
        for _ in range(n):
            case = build.case(Case.State.RESPONDED)
            form = learning.lessons_owed(case.current_stage)
            learning.action_add(
                case=case,
                source=AgreedAction.Source.STAGE_2,
                description="Review the plan",
                owner=team_manager,
                due_on=form.due_on,
                by=officer,
            )
        client.get(reverse("learning"))
        with django_assert_max_num_queries(30) as captured:
            page = client.get(reverse("learning")).content.decode()
        assert page.count('href="/actions/') == sum((1, 4)[: len(counts) + 1])
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_issuing_a_response_through_the_workflow_makes_the_form_owed(build, officer):
    """One place: the move that issues the response, whichever service or import calls it."""
    from complaints.models import Case, Finding

    case = build.case(Case.State.APPROVED)
    workflow.issue_response(
        case,
        by=officer,
        responded_on=timezone.localdate(),
        outcome=Finding.objects.get(code="upheld"),
    )
    assert case.lessons_learnt.filter(stage=case.current_stage).exists()


def test_a_form_can_be_recorded_as_returned_on_an_earlier_date(build, officer, team_manager):
    import datetime as dt

    from complaints.models import Case

    case = build.case(Case.State.RESPONDED)
    form = case.lessons_learnt.get()
    responded = case.current_stage.responded_on
    with pytest.raises(DomainError, match="cannot be in the future"):
        learning.lessons_submit(
            form,
            by=team_manager,
            what_went_wrong="",
            learning="Visit notes.",
            applies_beyond_case=False,
            on=timezone.localdate() + dt.timedelta(days=1),
        )
    with pytest.raises(DomainError, match="before the response"):
        learning.lessons_submit(
            form,
            by=team_manager,
            what_went_wrong="",
            learning="Visit notes.",
            applies_beyond_case=False,
            on=responded - dt.timedelta(days=1),
        )
    learning.lessons_submit(
        form,
        by=team_manager,
        what_went_wrong="",
        learning="Visit notes.",
        applies_beyond_case=False,
        on=responded,
    )
    form.refresh_from_db()
    assert form.submitted_on == responded


def test_the_complaints_team_not_the_owner_words_an_action_for_the_annual_report(
    responded, team_manager, complaints_manager, client
):
    def add():
        return learning.action_add(
            case=responded,
            source=AgreedAction.Source.STAGE_2,
            description="Apologise to Mrs Example in writing",
            owner=team_manager,
            due_on=D(2025, 6, 20),
            by=complaints_manager,
        )

    def complete(action, user):
        client.force_login(user)
        return client.post(
            reverse("action-complete", args=[action.pk]),
            {
                "submission": token(),
                "evidence": "Letter sent.",
                **date_fields("on", D(2025, 6, 19)),
                "published_summary": "Apologise in writing when a visit is missed",
            },
        )

    owners = add()
    client.force_login(team_manager)
    page = client.get(reverse("action-complete", args=[owners.pk]))
    assert "For the annual report" not in page.content.decode()
    complete(owners, team_manager)
    owners.refresh_from_db()
    assert (owners.status, owners.published_summary) == (AgreedAction.Status.DONE, "")

    teams = add()
    complete(teams, complaints_manager)
    teams.refresh_from_db()
    assert teams.published_summary == "Apologise in writing when a visit is missed"
