"""Every record people write keeps its edit history, with who made each change."""

import datetime as dt

import pytest
from django.urls import reverse

from complaints import learning, letters, services
from complaints.models import Channel, LetterTemplate
from compliments.models import ComplimentSource
from compliments.services import compliment_record
from ombudsman.services import ombudsman_case_create
from tests.complaints.test_views import token
from tests.factories import category

pytestmark = pytest.mark.django_db


def test_contacts_documents_letters_actions_and_compliments_keep_history(
    build, officer, team, complaints_manager
):
    case = build.case("responded")
    today = dt.date.today()
    contact = services.contact_record(
        case=case, by=officer, kind="call", happened_on=today, note="First"
    )
    contact.note = "Corrected"
    contact.save()
    document = build.attach(case)
    template = LetterTemplate.objects.filter(kind="acknowledgement").first()
    letter = letters.letter_draft(case=case, template=template, by=officer)
    letters.letter_update(letter, subject="Changed", body="Changed")
    lessons = learning.lessons_owed(case.current_stage)
    learning.lessons_submit(
        lessons,
        by=team.manager,
        what_went_wrong="x",
        learning="y",
        applies_beyond_case=False,
        actions=[learning.ActionInput("Train", team.manager, today + dt.timedelta(days=9))],
    )
    action = case.agreed_actions.get()
    learning.action_complete(action, by=team.manager, evidence="Done")
    compliment = compliment_record(
        by=officer,
        received_on=today,
        service_area=team.service,
        source=ComplimentSource.objects.first(),
        channel=category(Channel, "email"),
        summary="Thanks",
    )
    ombudsman = ombudsman_case_create(reference="25 000 777", received_on=today, by=officer)
    assert contact.history.count() == 2
    assert document.history.count() == 1
    assert letter.history.count() == 2
    assert lessons.history.count() >= 2
    assert action.history.count() >= 2
    assert compliment.history.count() == 1
    assert ombudsman.history.count() == 1


def test_an_edit_through_a_page_records_who_made_it(client, officer, build):
    case = build.case("in_progress")
    template = LetterTemplate.objects.filter(kind="acknowledgement").first()
    letter = letters.letter_draft(case=case, template=template, by=officer)
    client.force_login(officer)
    client.post(
        reverse("letter-edit", args=[case.reference, letter.pk]),
        {"submission": token(), "subject": "New", "body": "New text"},
    )
    latest = letter.history.first()
    assert latest.body == "New text"
    assert latest.history_user == officer
