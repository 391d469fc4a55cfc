"""Letters that reach a family: drafted from the case, following it until edited by hand,
signed by the right people, read by the quality check, refused while a placeholder remains,
and sent by e-mail where the complainant agreed to it."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from complaints import chasing, letters, selectors, services, workflow
from complaints.errors import DomainError
from complaints.models import Case, Letter, LetterKind, LetterTemplate, Notification, RemedyKind
from complaints.workingdays import add_working_days
from tests.factories import category
from tests.support.forms import date_fields, token

pytestmark = pytest.mark.django_db
State = Case.State


def _form_text(response) -> dict:
    form = response.context["form"]
    return {
        "subject": form.initial["subject"],
        "body": form.initial["body"],
        "seen": form.initial["seen"],
    }


def _save_letter(client, url, text: dict, **extra):
    return client.post(url, {"submission": token(), **text, **extra})


def _issue(client, case, day=None):
    day = day or timezone.localdate()
    return client.post(
        reverse("case-action", args=[case.reference, "issue-response"]),
        {"submission": token(), **date_fields("responded_on", day)},
    )


# --- 1. the draft follows the case until someone edits it by hand -------------------------


def test_the_draft_follows_the_findings_and_remedies_until_edited_by_hand(
    client, build, team_manager
):
    case = build.case(State.IN_PROGRESS)
    client.force_login(team_manager)
    url = reverse("response-letter", args=[case.reference])
    opened = client.get(url)
    assert "[finding to be recorded]" in opened.content.decode()
    assert _save_letter(client, url, _form_text(opened)).status_code == 302
    assert case.letters.count() == 1

    build.record_findings(case, "partially_upheld")
    services.remedy_add(
        stage=case.current_stage, kind=category(RemedyKind, "apology"), detail="In writing."
    )
    page = client.get(url).content.decode()
    assert "Finding: Partially upheld." in page
    assert "Apology: In writing." in page
    assert "[finding to be recorded]" not in page

    # A sentence typed by hand stops the draft following the case...
    text = _form_text(client.get(url))
    text["body"] += "\nI am sorry for the delay in replying.\n"
    assert _save_letter(client, url, text).status_code == 302
    letter = case.letters.get()
    build.record_findings(case, "not_upheld")
    page = client.get(url).content.decode()
    assert "I am sorry for the delay in replying." in page
    assert "Finding: Partially upheld." in page
    assert "edited by hand" in page

    # ...until it is redrafted, which warns first and writes nothing on the warning page.
    redraft = reverse("letter-redraft", args=[case.reference, letter.pk])
    warning = client.get(redraft)
    assert warning.status_code == 200
    assert "will replace the changes made by hand" in warning.content.decode()
    letter.refresh_from_db()
    assert "I am sorry for the delay" in letter.body
    assert client.post(redraft, {"submission": token()}).status_code == 302
    letter.refresh_from_db()
    assert "I am sorry for the delay" not in letter.body
    assert "Finding: Not upheld." in letter.body
    assert "edited by hand" not in client.get(url).content.decode()


def test_opening_the_draft_page_writes_nothing(client, build, team_manager):
    case = build.case(State.IN_PROGRESS)
    client.force_login(team_manager)
    assert client.get(reverse("response-letter", args=[case.reference])).status_code == 200
    assert not Letter.objects.filter(case=case).exists()


# --- 2. every field the case knows is filled; a placeholder never leaves ------------------


def _issued_letter(case) -> Letter:
    return case.letters.get(kind=LetterKind.RESPONSE, stage=case.current_stage)


def _submit_and_approve(case, by):
    services.response_submit(case=case, by=by)
    workflow.approve_draft(case, by=by)


def test_a_stage_1_response_is_signed_by_the_responding_manager(build, officer, team_manager):
    team_manager.job_title = "Team Manager, Safeguarding East"
    team_manager.save()
    case = build.case(State.IN_PROGRESS)
    build.record_findings(case)
    letters.response_letter_save(case, by=team_manager)
    _submit_and_approve(case, officer)
    services.response_issue(case=case, by=officer, responded_on=timezone.localdate(), outcome=None)
    body = _issued_letter(case).body
    assert f"{team_manager.get_full_name()}\nTeam Manager, Safeguarding East" in body
    assert letters.placeholders(body) == []


def test_a_letter_with_a_placeholder_is_refused_with_each_one_listed(
    client, build, officer, team_manager
):
    team_manager.job_title = ""
    team_manager.save()
    case = build.case(State.IN_PROGRESS)
    client.force_login(team_manager)
    url = reverse("response-letter", args=[case.reference])
    text = _form_text(client.get(url))
    text["body"] = text["body"].replace("Yours sincerely", "[Add the apology]\n\nYours sincerely")
    _save_letter(client, url, text)
    build.record_findings(case)

    refused = client.post(
        reverse("case-action", args=[case.reference, "submit-for-qa"]), {"submission": token()}
    )
    assert refused.status_code == 400
    errors = refused.context["form"].non_field_errors()
    assert any("[Add the apology]" in e for e in errors)
    assert any("[Job title]" in e for e in errors)
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS

    # The same check stands at issue, for a stage with no quality check or a letter sent.
    letter = case.letters.get()
    with pytest.raises(DomainError) as refused_send:
        letters.letter_send(letter, by=officer)
    assert "[Add the apology]" in str(refused_send.value.details)
    letter.refresh_from_db()
    assert letter.sent_on is None


def test_a_stage_2_adjudication_is_signed_by_the_adjudicator(build, officer):
    from tests.factories import UserFactory

    adjudicator = UserFactory(
        username="ada", first_name="Ada", last_name="Lowe", job_title="Head of Service"
    )
    case = build.case(State.IN_PROGRESS, level=2)
    case.current_stage.adjudicating_officer = adjudicator
    case.current_stage.save()
    build.record_findings(case)
    workflow.record_report_received(case, by=officer, on=timezone.localdate())
    letters.response_letter_save(case, by=officer)
    _submit_and_approve(case, officer)
    services.response_issue(case=case, by=officer, responded_on=timezone.localdate(), outcome=None)
    body = _issued_letter(case).body
    assert "Ada Lowe\nHead of Service\nAdjudicating officer" in body
    assert "[Name]" not in body


@override_settings(
    DIRECTOR_NAME="Dana Director", DIRECTOR_JOB_TITLE="Director of Children's Services"
)
def test_a_stage_3_response_is_signed_by_the_director(build, officer):
    case = build.case(State.IN_PROGRESS, level=3)
    build.record_findings(case)
    workflow.record_panel_held(case, by=officer, on=timezone.localdate())
    workflow.record_panel_report(case, by=officer, on=timezone.localdate())
    letters.response_letter_save(case, by=officer)
    _submit_and_approve(case, officer)
    services.response_issue(case=case, by=officer, responded_on=timezone.localdate(), outcome=None)
    body = _issued_letter(case).body
    assert "Dana Director\nDirector of Children's Services" in body
    assert letters.placeholders(body) == []


def test_placeholders_are_found_in_square_brackets():
    found = letters.placeholders("Dear [Name],\n[Job title] and [Name]")
    assert found == ["[Name]", "[Job title]"]
    assert letters.placeholders("Finding: Upheld.") == []


# --- 3. the quality check reads the draft -----------------------------------------------


def test_the_checker_reads_the_draft_and_what_changed_since_it_was_returned(
    client, build, officer, team_manager
):
    case = build.case(State.IN_PROGRESS)
    build.record_findings(case)
    client.force_login(team_manager)
    url = reverse("response-letter", args=[case.reference])
    text = _form_text(client.get(url))
    _save_letter(client, url, text)
    services.response_submit(case=case, by=team_manager)
    letter = case.letters.get()

    client.force_login(officer)
    read = client.get(reverse("letter-edit", args=[case.reference, letter.pk]))
    assert read.status_code == 200
    assert "Finding: Upheld." in read.content.decode()
    approve_url = reverse("case-action", args=[case.reference, "approve-draft"])
    approve = client.get(approve_url)
    page = approve.content.decode()
    assert "Finding: Upheld." in page and "Approve draft" in page
    assert reverse("case-action", args=[case.reference, "return-draft"]) in page

    client.post(
        reverse("case-action", args=[case.reference, "return-draft"]),
        {"submission": token(), "reason": "Say sorry for the missed visit."},
    )
    client.force_login(team_manager)
    text = _form_text(client.get(url))
    text["body"] = text["body"].replace(
        "Yours sincerely", "I am sorry that the visit was missed.\n\nYours sincerely"
    )
    assert _save_letter(client, url, text).status_code == 302
    services.response_submit(case=case, by=team_manager)

    client.force_login(officer)
    page = client.get(approve_url).content.decode()
    assert "Say sorry for the missed visit." in page
    assert "<ins" in page and "I am sorry that the visit was missed." in page


# --- 4, 5. what a message says, and what a PDF is called ------------------------------------


def test_sending_a_letter_says_it_was_sent(client, build, officer):
    case = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    template = LetterTemplate.objects.get(kind=LetterKind.ACKNOWLEDGEMENT)
    client.post(
        reverse("letter-start", args=[case.reference]),
        {"submission": token(), "template": template.pk},
    )
    letter = case.letters.get()
    url = reverse("letter-edit", args=[case.reference, letter.pk])
    text = _form_text(client.get(url))
    response = _save_letter(client, url, text, send="1")
    said = [str(m) for m in response.wsgi_request._messages]
    assert said and "sent" in said[0].lower() and "draft saved" not in said[0].lower()


def test_each_letter_pdf_is_named_by_its_kind_and_stage(build, officer):
    case = build.case(State.IN_PROGRESS)
    ack = build.send_letter(case, "acknowledgement")
    ext = build.send_letter(case, "extension")
    again = build.send_letter(case, "acknowledgement")
    names = [x.document.filename for x in (ack, ext, again)]
    assert len(set(names)) == 3
    assert "stage-1-acknowledgement" in names[0]
    assert "stage-1-extension" in names[1]


# --- 6. the response date ----------------------------------------------------------------


def test_a_blank_response_date_is_refused_not_made_today(client, build, officer):
    case = build.case(State.APPROVED)
    letters.response_letter_save(case, by=officer)
    client.force_login(officer)
    url = reverse("case-action", args=[case.reference, "issue-response"])
    assert "Today&#x27;s date is filled in" in client.get(url).content.decode()
    response = client.post(
        reverse("case-action", args=[case.reference, "issue-response"]),
        {"submission": token(), **date_fields("responded_on", None)},
    )
    assert response.status_code == 400
    assert "responded_on" in response.context["form"].errors
    case.refresh_from_db()
    assert case.state == State.APPROVED


# --- 7, 9. the acknowledgement -----------------------------------------------------------


def test_the_acknowledgement_gives_the_date_the_response_is_due(build, officer):
    case = build.case(State.IN_PROGRESS)
    letter = build.send_letter(case, "acknowledgement")
    due = case.current_stage.deadlines.get(step="respond").effective_due_on
    assert f"{due:%-d %B %Y}" in letter.body


def test_accepting_can_send_the_acknowledgement_due_in_two_working_days(client, build, officer):
    from complaints.models import EligibilityGround

    case = build.log(received_on=timezone.localdate() - dt.timedelta(days=1))
    case.complainant.email, case.complainant.letters_by_email = "jo@example.com", True
    case.complainant.save()
    client.force_login(officer)
    url = reverse("case-action", args=[case.reference, "accept"])
    assert "Send the acknowledgement letter" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "submission": token(),
            "procedure": "statutory",
            "level": 1,
            "eligibility_ground": EligibilityGround.objects.get(code="parent").pk,
            **date_fields("on", timezone.localdate()),
            "send_acknowledgement": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    case.refresh_from_db()
    stage = case.current_stage
    assert stage.acknowledged_on == timezone.localdate()
    ack = stage.deadlines.get(step="acknowledge")
    assert ack.due_on == add_working_days(case.received_on, 2)
    letter = case.letters.get(kind=LetterKind.ACKNOWLEDGEMENT)
    assert letter.sent_on is not None and letter.document is not None


# --- 8. by e-mail, with the PDF ------------------------------------------------------------


def test_a_letter_goes_by_email_with_its_pdf_when_the_complainant_agreed(
    build, officer, django_capture_on_commit_callbacks
):
    case = build.case(State.IN_PROGRESS)
    case.complainant.email, case.complainant.letters_by_email = "jo@example.com", True
    case.complainant.save()
    with django_capture_on_commit_callbacks(execute=True):
        letter = build.send_letter(case, "acknowledgement")
    note = Notification.objects.get(case=case, attachment=letter.document)
    assert note.to == ["jo@example.com"]
    assert note.status == Notification.Status.SENT
    sent = mail.outbox[-1]
    assert sent.to == ["jo@example.com"]
    ((name, content, kind),) = sent.attachments
    assert name == letter.document.filename and kind == "application/pdf"
    assert content.startswith(b"%PDF")
    # No name of the family in the e-mail itself: the letter is the attachment.
    assert case.complainant.name not in sent.body
    timeline = [entry.title for entry in selectors.case_timeline(case)]
    assert any(letter.subject in title for title in timeline)


def test_no_email_without_the_complainants_agreement(build, officer):
    case = build.case(State.IN_PROGRESS)
    case.complainant.email, case.complainant.letters_by_email = "jo@example.com", False
    case.complainant.save()
    build.send_letter(case, "acknowledgement")
    assert not Notification.objects.filter(case=case, attachment__isnull=False).exists()


def test_delivery_sends_a_letter_email_once(build, officer):
    case = build.case(State.IN_PROGRESS)
    case.complainant.email, case.complainant.letters_by_email = "jo@example.com", True
    case.complainant.save()
    letter = build.send_letter(case, "acknowledgement")
    note = Notification.objects.get(attachment=letter.document)
    mail.outbox.clear()
    assert chasing.deliver([note.pk]) == (1, 0)
    assert chasing.deliver([note.pk]) == (0, 0)
    chasing.deliver()
    assert len([m for m in mail.outbox if m.attachments]) == 1


def test_an_acknowledgement_is_offered_once_the_complaint_is_accepted(build):
    received = build.case(State.RECEIVED)
    accepted = build.case(State.IN_PROGRESS)
    assert not letters.templates_for(received, LetterKind.ACKNOWLEDGEMENT).exists()
    assert letters.templates_for(accepted, LetterKind.ACKNOWLEDGEMENT).exists()


def test_the_first_templates_are_signed_from_the_case_after_the_migration():
    bodies = LetterTemplate.objects.filter(kind=LetterKind.RESPONSE).values_list("body", flat=True)
    assert all("signatory.name" in body for body in bodies)
    assert not any("[Name]\n[Job title]" in body for body in bodies)


# --- what a fresh-eyes review found ------------------------------------------------------


def _emailed_letter(build):
    case = build.case(State.IN_PROGRESS)
    case.complainant.email, case.complainant.letters_by_email = "jo@example.com", True
    case.complainant.save()
    return case, build.send_letter(case, "acknowledgement")


def test_the_timeline_names_the_complainant_not_their_address(client, build, team_manager):
    case, _ = _emailed_letter(build)
    client.force_login(team_manager)
    page = client.get(reverse("case-timeline", args=[case.reference])).content.decode()
    assert "jo@example.com" not in page
    assert "To the complainant" in page


def test_a_letter_is_not_emailed_once_consent_is_withdrawn_or_the_address_changed(build):
    case, letter = _emailed_letter(build)
    case.complainant.letters_by_email = False
    case.complainant.save()
    mail.outbox.clear()
    note = Notification.objects.get(attachment=letter.document)
    chasing.deliver([note.pk])
    assert mail.outbox == []
    note.refresh_from_db()
    assert note.status == Notification.Status.FAILED and "changed" in note.last_error

    case2, letter2 = _emailed_letter(build)
    case2.complainant.email = "new@example.com"
    case2.complainant.save()
    note2 = Notification.objects.get(attachment=letter2.document)
    chasing.deliver([note2.pk])
    assert mail.outbox == []


def test_the_letter_email_subject_is_fixed_not_the_letters_own(build):
    case, letter = _emailed_letter(build)
    note = Notification.objects.get(attachment=letter.document)
    assert note.subject == f"A letter about your complaint, reference {case.reference}"


def test_a_draft_returned_before_its_letter_existed_can_still_be_checked(
    client, build, officer, team_manager
):
    case = build.case(State.IN_PROGRESS)
    build.record_findings(case)
    workflow.submit_for_qa(case, by=team_manager)  # as before letters were saved at submit
    workflow.return_draft(case, by=officer, reason="Draft the letter, please.")
    services.response_submit(case=case, by=team_manager)
    client.force_login(officer)
    page = client.get(reverse("case-action", args=[case.reference, "approve-draft"]))
    assert page.status_code == 200
    assert "Draft the letter, please." in page.content.decode()


def test_someone_who_only_reads_a_draft_cannot_change_or_redraft_it(
    client, build, team_manager, senior_manager
):
    case = build.case(State.IN_PROGRESS)
    letter = letters.response_letter_save(case, by=team_manager)
    before = (letter.subject, letter.body)
    client.force_login(senior_manager)
    edit = reverse("letter-edit", args=[case.reference, letter.pk])
    assert client.get(edit).status_code == 200  # reads it
    posted = client.post(edit, {"submission": token(), "subject": "Changed", "body": "Changed"})
    assert posted.status_code == 403
    redraft = reverse("letter-redraft", args=[case.reference, letter.pk])
    assert client.post(redraft, {"submission": token()}).status_code == 403
    letter.refresh_from_db()
    assert (letter.subject, letter.body) == before
