"""Case-work pages through the Django test client: query counts, bad input and what a
posted form does. The browser flows are in tests/browser."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import documents, selectors, services
from complaints.models import (
    AccessRecord,
    Case,
    Channel,
    Complainant,
    Document,
    Event,
    ExtensionReason,
    Finding,
    Level,
    Nature,
    Relationship,
    RemedyKind,
    SubmittedForm,
)
from tests.factories import CaseBuilder
from tests.support.forms import date_fields, token

pytestmark = pytest.mark.django_db
State = Case.State


def log_form(**overrides) -> dict:
    data = {
        "submission": token(),
        "kind": Case.Kind.COMPLAINT,
        **date_fields("received_on", dt.date.today() - dt.timedelta(days=1)),
        "channel": Channel.objects.get(code="email").pk,
        "via": Case.Via.DIRECT,
        "name": "Jo Example",
        "email": "jo@example.com",
        "relationship": Relationship.objects.get(code="parent").pk,
        "parental_responsibility": "yes",
        "child_name": "Sam Example",
        "child_case_system_reference": "MOS123",
        "summary": "The social worker did not visit.",
    }
    data.update(overrides)
    return data


# --- query counts -------------------------------------------------------------------------


def _list_queries(client, django_assert_max_num_queries, **params):
    with django_assert_max_num_queries(20) as captured:
        page = client.get(reverse("case-list"), params)
    assert page.status_code == 200
    return len(captured), page.content.decode().count('href="/cases/CSC-')


def test_the_case_list_costs_the_same_queries_for_3_or_30_cases(
    client, officer, build, django_assert_max_num_queries
):
    for _ in range(3):
        build.case(State.IN_PROGRESS)
    client.force_login(officer)
    client.get(reverse("case-list"))  # warm the session
    few, rows_few = _list_queries(client, django_assert_max_num_queries)
    for _ in range(27):
        build.case(State.IN_PROGRESS)
    many, rows_many = _list_queries(client, django_assert_max_num_queries)
    assert (rows_few, rows_many) == (3, 30)
    assert few == many
    chosen = {"state": "in_progress", "sort": "-due", "overdue": "on"}
    client.get(reverse("case-list"), chosen)  # these filters' layout, kept
    filtered, _ = _list_queries(client, django_assert_max_num_queries, **chosen)
    assert filtered == many


def _page_queries(client, reference, django_assert_max_num_queries):
    with django_assert_max_num_queries(60) as captured:
        assert client.get(reverse("case-detail", args=[reference])).status_code == 200
    return len(captured)


def test_the_case_page_costs_the_same_queries_however_much_the_case_holds(
    client, officer, build, django_assert_max_num_queries
):
    client.force_login(officer)
    # Both with people appointed from the pool: the case page reads appointments only then.
    small = build.case(State.IN_PROGRESS, level=Level.INVESTIGATION, elements=1)
    big = build.case(State.IN_PROGRESS, level=Level.REVIEW_PANEL, elements=6)
    for n in range(5):
        client.post(
            reverse("case-action", args=[big.reference, "contact"]),
            {"submission": token(), "kind": "call", "note": f"Call {n}"}
            | date_fields("happened_on", dt.date.today()),
        )
    client.get(reverse("case-detail", args=[small.reference]))
    assert _page_queries(client, small.reference, django_assert_max_num_queries) == _page_queries(
        client, big.reference, django_assert_max_num_queries
    )


# The case page's ceiling, as a Stage 2 or 3 case holds it: the page reads a fixed number of
# queries, and this many at most (the session's user, the case, its stages with their
# deadlines, findings and remedies, each list of the case, the latest moves, the access log).
CASE_PAGE_QUERIES = 15


def _a_full_stage(case, officer):
    """Something in each list the page shows: findings, a remedy with an amount, a note of
    contact, a document."""
    stage = case.current_stage
    for ef in stage.element_findings.all():
        services.finding_record(
            stage=stage, element=ef.element, finding=Finding.objects.get(code="upheld")
        )
    services.remedy_add(
        stage=stage,
        kind=RemedyKind.objects.get(code="financial_payment"),
        amount=Decimal("125.50"),
        detail="For the missed visits.",
    )
    services.contact_record(
        case=case, by=officer, kind="call", happened_on=dt.date.today(), note="Rang the family."
    )
    documents.document_add(
        case=case,
        by=officer,
        kind="evidence",
        title="Visit notes",
        upload=SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain"),
    )
    case.outcome_sought.set(reversed(RemedyKind.objects.all()[:2]))


@pytest.mark.parametrize("persona", ["officer", "team_manager"])
@pytest.mark.parametrize(
    "level", [Level.INVESTIGATION, Level.REVIEW_PANEL], ids=["stage 2", "stage 3"]
)
def test_the_case_page_reads_a_stage_2_or_3_case_in_15_queries_at_most(
    client, build, officer, persona, level, request
):
    case = build.case(State.IN_PROGRESS, level=level)
    _a_full_stage(case, officer)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("case-detail", args=[case.reference])
    client.get(url)  # the session's permissions, cached once
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    # Beside them, PostgreSQL is told to join as written (selectors.joins_as_written), within
    # a savepoint of the test's transaction.
    reads = [
        q["sql"]
        for q in captured
        if "set_config('join_collapse_limit'" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert len(reads) <= CASE_PAGE_QUERIES, "\n".join(reads)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Financial payment / compensation £125.50: For the missed visits." in text
    assert text.count("Upheld") == case.elements.count()
    first, second = RemedyKind.objects.all()[:2]  # in their order, whatever order chosen
    assert f"<strong>Outcome sought:</strong> {first}, {second}" in text
    assert "Ruby Example (MOS1)" in text
    for stage in case.stages.all():  # every stage's deadlines, not only the current one's
        for deadline in stage.deadlines.all():
            assert f"{deadline.due_on:%-d %b %Y}" in text


def test_the_case_page_shows_the_latest_moves_and_links_to_the_whole_timeline(
    client, build, officer
):
    case = build.case(State.IN_PROGRESS, level=Level.INVESTIGATION)
    _a_full_stage(case, officer)
    client.force_login(officer)
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    latest = page[page.index('id="latest"') :]
    assert "Appoint investigators" in latest  # the latest move, first
    assert latest.count("app-timeline__item") == selectors.LATEST_MOVES
    assert "Rang the family." not in page  # notes of contact are on the timeline's page
    assert f'href="{reverse("case-timeline", args=[case.reference])}"' in latest


def test_the_timeline_page_shows_every_move_contact_document_and_email(
    client, build, officer, django_assert_max_num_queries
):
    case = build.case(State.IN_PROGRESS, level=Level.INVESTIGATION)
    _a_full_stage(case, officer)
    client.force_login(officer)
    url = reverse("case-timeline", args=[case.reference])
    client.get(url)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rang the family." in page
    assert "Evidence: Visit notes" in page
    assert page.count("app-timeline__item") == len(selectors.case_timeline(case))
    assert AccessRecord.objects.filter(case=case, detail=url).exists()


def test_the_timeline_page_is_not_found_for_someone_who_may_not_see_the_case(
    client, build, other_team_manager
):
    case = build.case(State.IN_PROGRESS)
    client.force_login(other_team_manager)
    assert client.get(reverse("case-detail", args=[case.reference])).status_code == 404
    assert client.get(reverse("case-timeline", args=[case.reference])).status_code == 404
    assert client.get(reverse("case-timeline", args=["CSC-1999-99999"])).status_code == 404


# --- logging a representation -------------------------------------------------------------


def test_logging_a_complaint_creates_the_case_and_its_people(client, officer):
    client.force_login(officer)
    response = client.post(reverse("case-log"), log_form())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.reference])
    assert case.state == State.RECEIVED
    assert case.complainant.name == "Jo Example"
    assert [c.name for c in case.children.all()] == ["Sam Example"]
    assert case.events.get().move == "receive"


def test_missing_fields_are_named_and_nothing_is_saved(client, officer):
    client.force_login(officer)
    response = client.post(reverse("case-log"), log_form(name="", summary="", channel=""))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    for field in ("id_name", "id_summary", "id_channel"):
        assert f'href="#{field}"' in body
    assert "Jo Example" not in body  # the blanked field stays blank...
    assert "jo@example.com" in body  # ...and what was typed elsewhere is kept
    assert not Case.objects.exists()


def test_a_date_in_the_future_is_refused(client, officer):
    client.force_login(officer)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    response = client.post(reverse("case-log"), log_form(**date_fields("received_on", tomorrow)))
    assert "Date received cannot be in the future" in response.content.decode()
    assert not Case.objects.exists()


def test_an_impossible_date_is_refused(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("case-log"), log_form(received_on_0="31", received_on_1="2", received_on_2="2025")
    )
    assert "Enter a real date" in response.content.decode()
    assert not Case.objects.exists()


def test_a_possible_repeat_must_be_confirmed(client, officer, build):
    earlier = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    data = log_form(email=earlier.complainant.email, name=earlier.complainant.name)
    first = client.post(reverse("case-log"), data)
    assert first.status_code == 200
    assert earlier.reference in first.content.decode()
    assert Case.objects.count() == 1
    confirmed = client.post(reverse("case-log"), {**data, "not_a_repeat": "on"})
    assert confirmed.status_code == 302
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert new.repeat_of == earlier
    assert new.complainant == earlier.complainant  # one person, one record
    assert Complainant.objects.count() == 1


def test_a_double_submitted_log_form_logs_one_case(client, officer):
    client.force_login(officer)
    data = log_form()
    assert client.post(reverse("case-log"), data).status_code == 302
    again = client.post(reverse("case-log"), data, follow=True)
    assert "already sent" in again.content.decode()
    assert Case.objects.count() == 1


# --- actions -----------------------------------------------------------------------------


def _allocate(client, case, team, **extra):
    return client.post(
        reverse("case-action", args=[case.reference, "allocate"]),
        {"submission": token(), "team": team.pk, **date_fields("on", dt.date.today()), **extra},
    )


def test_allocating_moves_the_case_and_writes_one_event(client, officer, build, team):
    case = build.log()
    build.accept(case)
    client.force_login(officer)
    response = _allocate(client, case, team)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.current_stage.team == team
    assert case.events.filter(move="allocate").count() == 1


def test_a_double_submitted_action_acts_once(client, officer, build, team):
    case = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    data = {
        "submission": token(),
        "reason": "Court proceedings",
        **date_fields("on", dt.date.today()),
    }
    url = reverse("case-action", args=[case.reference, "pause"])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert "nothing was done twice" in again.content.decode()
    assert case.events.filter(move="pause").count() == 1
    assert SubmittedForm.objects.count() == 1


def test_an_action_on_a_case_moved_meanwhile_explains_and_saves_nothing(client, officer, build):
    case = build.case(State.AWAITING_QA)
    client.force_login(officer)
    url = reverse("case-action", args=[case.reference, "approve-draft"])
    form_page = client.get(url)
    assert form_page.status_code == 200
    # Someone else returns the draft while this page is open.
    from complaints import workflow

    workflow.return_draft(case, by=officer, reason="Finding 2 needs reasons.")
    events = case.events.count()
    response = client.post(url, {"submission": token()})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This case changed while you had this page open" in body
    assert "in progress" in body
    assert case.events.count() == events
    assert not SubmittedForm.objects.exists()  # the token is free to use once corrected


def test_a_rule_error_lands_on_its_field(client, officer, build):
    case = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    deadline = case.current_stage.deadlines.get(step="respond")
    too_late = deadline.max_due_on + dt.timedelta(days=7)
    response = client.post(
        reverse("case-action", args=[case.reference, "extend"]),
        {
            "submission": token(),
            "reason": ExtensionReason.objects.first().pk,
            **date_fields("new_due_on", too_late),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "beyond the maximum" in body
    assert 'href="#id_new_due_on_0"' in body or 'href="#id_new_due_on"' in body


def test_the_statement_of_complaint_is_edited_on_the_case(client, officer, build):
    case = build.case(State.IN_PROGRESS, elements=0)
    client.force_login(officer)
    nature = Nature.objects.get(code="communication")
    response = client.post(
        reverse("element-add", args=[case.reference]),
        {"submission": token(), "summary": "No reply to three emails.", "nature": nature.pk},
    )
    assert response.status_code == 302
    element = case.elements.get()
    assert element.number == 1
    assert case.current_stage.element_findings.filter(element=element).exists()


# --- documents ----------------------------------------------------------------------------


def _upload(client, case, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("case-action", args=[case.reference, "document"]),
        {
            "submission": token(),
            "kind": "evidence",
            "title": "Evidence",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def test_an_upload_of_the_right_type_is_kept_and_served_to_those_who_may_see_it(
    client, officer, other_team_manager, build
):
    case = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    assert _upload(client, case, "letter.pdf", b"%PDF-1.4\n%...\n").status_code == 302
    document = Document.objects.get()
    assert document.file.name.startswith("documents/") and "letter" not in document.file.name
    download = client.get(reverse("document-download", args=[case.reference, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(other_team_manager)
    refused = client.get(reverse("document-download", args=[case.reference, document.pk]))
    assert refused.status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.exe", b"MZ\x90\x00", "must be a PDF, Word, Excel"),
        ("report.pdf", b"MZ\x90\x00 not really a pdf", "not a real .pdf file"),
        ("notes.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "is not a .txt file"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_an_upload_of_the_wrong_type_is_refused(client, officer, build, name, content, message):
    case = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    response = _upload(client, case, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.exists()


@override_settings(DOCUMENT_MAX_MB=1)
def test_an_upload_over_the_size_limit_is_refused(client, officer, build):
    case = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    response = _upload(client, case, "big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "smaller than 1 MB" in response.content.decode()
    assert not Document.objects.exists()


# --- search and export --------------------------------------------------------------------


def test_search_by_name_keeps_the_name_out_of_the_address(client, officer, build):
    wanted = build.case(State.IN_PROGRESS)
    other = build.case(State.IN_PROGRESS)
    client.force_login(officer)
    name = wanted.complainant.name
    response = client.post(reverse("case-list"), {"search": name})
    assert response.status_code == 302
    assert name.split()[0] not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert wanted.reference in page
    assert other.reference not in page


def test_search_matches_each_name_once_for_the_count_and_the_page(
    client, officer, build, django_assert_max_num_queries
):
    wanted = build.case(State.IN_PROGRESS)
    build.case(State.IN_PROGRESS)
    client.force_login(officer)
    client.post(reverse("case-list"), {"search": wanted.complainant.name[2:-2]})
    with django_assert_max_num_queries(20) as captured:
        page = client.get(reverse("case-list")).content.decode()
    assert wanted.reference in page
    name_matches = [q for q in captured.captured_queries if "complaints_complainant" in q["sql"]]
    assert len(name_matches) == 2  # the search once, the page's rows once (their names)
    assert sum("LIKE" in q["sql"] for q in name_matches) == 1


@pytest.mark.parametrize("listed", [True, False], ids=["ids listed", "too many: subquery"])
@pytest.mark.parametrize(
    "by", ["whole reference", "reference end", "child's name", "child's case system ID"]
)
def test_search_finds_a_case_by_its_reference_or_its_child(
    client, officer, build, by, listed, monkeypatch
):
    if not listed:
        monkeypatch.setattr("complaints.filters.SEARCH_IDS_LISTED", 0)
    wanted = build.case(State.IN_PROGRESS)
    other = build.case(State.IN_PROGRESS)
    child = wanted.children.first()
    assert child is not None
    # Every built case's child is "Ruby Example": this one is renamed to tell it apart.
    child.name, child.case_system_reference = "Juniper Fairweather", "LL-448812"
    child.save()
    text = {
        "whole reference": wanted.reference.lower(),
        "reference end": wanted.reference[-5:].lower(),
        "child's name": "fairweath",
        "child's case system ID": "ll-448812",
    }[by]
    client.force_login(officer)
    client.post(reverse("case-list"), {"search": text})
    page = client.get(reverse("case-list")).content.decode()
    assert wanted.reference in page
    assert other.reference not in page


def test_filters_and_export_agree(client, officer, build):
    build.case(State.IN_PROGRESS)
    build.case(State.RECEIVED)
    client.force_login(officer)
    page = client.get(reverse("case-list"), {"state": "received"}).content.decode()
    export = client.get(reverse("case-export"), {"state": "received"})
    rows = export.content.decode().strip().splitlines()
    assert rows[0].startswith("Reference,Kind,Procedure,Stage,State")
    assert len(rows) == 2
    assert rows[1].split(",")[0] in page
    assert "Received, not yet screened" in rows[1]
    # The export leaves complainants' names out.
    assert Case.objects.get(state="received").complainant.name not in export.content.decode()


def test_my_work_shows_drafts_awaiting_quality_check_to_the_complaints_team(
    client, officer, build
):
    case = build.case(State.AWAITING_QA)
    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()
    section = page.split("Drafts awaiting your quality check")[1].split("</section>")[0]
    assert case.reference in section


def test_my_work_shows_a_team_manager_what_awaits_their_response(client, team_manager, build):
    case = build.case(State.IN_PROGRESS)
    client.force_login(team_manager)
    page = client.get(reverse("home")).content.decode()
    section = page.split("Awaiting your response")[1].split("</section>")[0]
    assert case.reference in section
    assert "working day" in section  # days left in words, not colour alone


def test_events_for_refused_posts_are_absent(client, senior_manager, build):
    case = build.case(State.IN_PROGRESS)
    client.force_login(senior_manager)
    before = Event.objects.count()
    response = _allocate(client, case, case.current_stage.team)
    assert response.status_code == 403
    assert Event.objects.count() == before


# --- letters ------------------------------------------------------------------------------


def test_a_refusal_letter_gives_the_ombudsman_route_and_is_kept_as_a_pdf(client, officer, build):
    import subprocess

    from complaints.models import LetterTemplate

    case = build.case(State.REFUSED)
    client.force_login(officer)
    template = LetterTemplate.objects.get(kind="refusal")
    start = client.post(
        reverse("letter-start", args=[case.reference]),
        {"submission": token(), "template": template.pk},
    )
    assert start.status_code == 302
    letter = case.letters.get()
    assert "Local Government and Social Care Ombudsman" in letter.body
    assert "out of time" in letter.body.lower()
    sent = client.post(
        start["Location"],
        {"submission": token(), "subject": letter.subject, "body": letter.body, "send": "1"},
    )
    assert sent.status_code == 302
    letter.refresh_from_db()
    assert letter.sent_on is not None
    pdf = client.get(reverse("document-download", args=[case.reference, letter.document_id]))
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert case.reference in text
    assert "Ombudsman" in text
    # A sent letter is final.
    assert client.get(reverse("letter-edit", args=[case.reference, letter.pk])).status_code == 404


def test_a_letter_template_with_a_mistake_is_refused_in_the_admin(client, complaints_manager):
    from complaints.models import LetterTemplate

    complaints_manager.is_staff = True
    complaints_manager.save()
    client.force_login(complaints_manager)
    template = LetterTemplate.objects.get(kind="acknowledgement")
    url = reverse("admin:complaints_lettertemplate_change", args=[template.pk])
    response = client.post(
        url,
        {
            "name": template.name,
            "kind": template.kind,
            "procedure": "",
            "level": "",
            "active": "on",
            "subject": "{% if case %}Your complaint",
            "body": template.body,
        },
    )
    assert response.status_code == 200
    assert "template error" in response.content.decode()
    template.refresh_from_db()
    assert "{{ case.reference }}" in template.subject


def test_every_action_the_person_may_take_is_linked_from_the_case_page(client, officer, build):
    from complaints import access

    client.force_login(officer)
    for state, level in [
        (State.RECEIVED, Level.LOCAL_RESOLUTION),
        (State.IN_PROGRESS, Level.INVESTIGATION),
        (State.IN_PROGRESS, Level.REVIEW_PANEL),
        (State.PAUSED, Level.LOCAL_RESOLUTION),
        (State.AWAITING_QA, Level.LOCAL_RESOLUTION),
        (State.APPROVED, Level.LOCAL_RESOLUTION),
        (State.RESPONDED, Level.LOCAL_RESOLUTION),
    ]:
        case = build.case(state, level=level)
        page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
        for action in access.permitted_actions(officer, case):
            if action.slug == "statement":
                assert reverse("element-add", args=[case.reference]) in page
            elif action.slug == "draft-response":
                assert reverse("response-letter", args=[case.reference]) in page
            elif action.slug == "letter":
                assert reverse("letter-start", args=[case.reference]) in page
            else:
                assert f"/cases/{case.reference}/{action.slug}/" in page, (state, action.slug)


def test_an_idle_session_expires(client, officer, settings):
    from freezegun import freeze_time

    client.force_login(officer)
    assert client.get(reverse("home")).status_code == 200
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with freeze_time(dt.datetime.now() + idle):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _today_fields(name):
    return date_fields(name, dt.date.today())


def _move_data(slug, case, people):
    from complaints.models import (
        EligibilityGround,
        EscalationReason,
        Finding,
        RefusalReason,
        WithdrawalReason,
    )

    stage = case.current_stage
    respond = stage.deadlines.filter(step="respond").first() if stage else None
    data = {
        "accept": {
            "procedure": "statutory",
            "level": 1,
            "eligibility_ground": EligibilityGround.objects.get(code="parent").pk,
            **_today_fields("on"),
        },
        "refuse": {"reason": RefusalReason.objects.first().pk, **_today_fields("on")},
        "acknowledge": _today_fields("on"),
        "allocate": {"team": people["team"].pk, **_today_fields("on")},
        "appoint-investigators": {
            "investigating_officer": people["investigator"].pk,
            "independent_person": people["independent_person"].pk,
            **_today_fields("on"),
        },
        "record-statement-agreed": _today_fields("on"),
        "record-report-received": _today_fields("on"),
        "schedule-panel": lambda: {
            **{s.field: s.member.pk for s in CaseBuilder.panel_seats()},
            "starts": "10:00",
            "ends": "13:00",
            "place": "Room 1, Town Hall",
            **_today_fields("panel_date"),
        },
        "record-panel-held": _today_fields("on"),
        "record-panel-report": _today_fields("on"),
        "extend": {
            "reason": ExtensionReason.objects.first().pk,
            "complainant_agreed": "yes",
            **(date_fields("new_due_on", respond.max_due_on) if respond else {}),
        },
        "pause": {"reason": "Court proceedings.", **_today_fields("on")},
        "resume": _today_fields("on"),
        "submit-for-qa": {},
        "return-draft": {"reason": "Give reasons for finding 2."},
        "approve-draft": {},
        "issue-response": {
            "outcome": Finding.objects.get(code="upheld").pk,
            **_today_fields("responded_on"),
        },
        "escalate": {
            "reason": EscalationReason.objects.first().pk,
            **_today_fields("requested_on"),
        },
        "withdraw": {"reason": WithdrawalReason.objects.first().pk, **_today_fields("on")},
        "close": _today_fields("on"),
        "reopen": {"level": 1, "reason": "Referred back by the Ombudsman.", **_today_fields("on")},
    }[slug]
    return data() if callable(data) else data


# slug: (state, level) it starts from, and the state it ends in
MOVES = {
    "accept": (State.RECEIVED, 1, State.IN_PROGRESS),
    "refuse": (State.RECEIVED, 1, State.REFUSED),
    "acknowledge": (State.IN_PROGRESS, 1, State.IN_PROGRESS),
    "allocate": (State.IN_PROGRESS, 1, State.IN_PROGRESS),
    "appoint-investigators": (State.IN_PROGRESS, 2, State.IN_PROGRESS),
    "record-statement-agreed": (State.IN_PROGRESS, 2, State.IN_PROGRESS),
    "record-report-received": (State.IN_PROGRESS, 2, State.IN_PROGRESS),
    "schedule-panel": (State.IN_PROGRESS, 3, State.IN_PROGRESS),
    "record-panel-held": (State.IN_PROGRESS, 3, State.IN_PROGRESS),
    "record-panel-report": (State.IN_PROGRESS, 3, State.IN_PROGRESS),
    "extend": (State.IN_PROGRESS, 1, State.IN_PROGRESS),
    "pause": (State.IN_PROGRESS, 1, State.PAUSED),
    "resume": (State.PAUSED, 1, State.IN_PROGRESS),
    "submit-for-qa": (State.IN_PROGRESS, 1, State.AWAITING_QA),
    "return-draft": (State.AWAITING_QA, 1, State.IN_PROGRESS),
    "approve-draft": (State.AWAITING_QA, 1, State.APPROVED),
    "issue-response": (State.APPROVED, 1, State.RESPONDED),
    "escalate": (State.RESPONDED, 1, State.IN_PROGRESS),
    "withdraw": (State.IN_PROGRESS, 1, State.WITHDRAWN),
    "close": (State.RESPONDED, 1, State.CLOSED),
    "reopen": (State.CLOSED, 1, State.IN_PROGRESS),
}


@pytest.mark.parametrize("slug", sorted(MOVES))
def test_every_move_can_be_taken_from_its_page(
    slug, client, officer, build, team, investigator, independent_person
):
    from complaints import letters
    from complaints.actions import ACTIONS

    start, level, end = MOVES[slug]
    case = build.case(start, level=level)
    if slug == "issue-response":
        letter = letters.response_letter_prepared(case, by=officer)
        letters.letter_update(letter, subject=letter.subject, body=letter.body)
    if slug == "submit-for-qa":
        build.record_findings(case)
    if slug == "record-panel-report":
        from complaints import workflow

        workflow.record_panel_held(case, by=officer, on=dt.date.today())
    client.force_login(officer)
    url = reverse("case-action", args=[case.reference, slug])
    page = client.get(reverse("case-detail", args=[case.reference])).content.decode()
    assert url in page
    people = {"team": team, "investigator": investigator, "independent_person": independent_person}
    data = {"submission": token(), **_move_data(slug, case, people)}
    moves = case.events.count()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    case.refresh_from_db()
    assert case.state == end
    assert case.events.count() == moves + 1
    assert case.events.last().move == slug.replace("-", "_")
    assert ACTIONS[slug].is_move


def test_letter_text_is_not_html_escaped(officer, build):
    from complaints import letters

    case = build.case(State.IN_PROGRESS, elements=0)
    build.add_element(case, summary="The child's plan & review were changed.")
    letter = letters.response_letter_prepared(case, by=officer)
    assert "The child's plan & review were changed." in letter.body


def test_a_session_in_use_stays_alive_and_is_written_once_a_minute(client, officer, settings):
    from django.contrib.sessions.models import Session
    from freezegun import freeze_time

    client.force_login(officer)
    start = dt.datetime.now()
    with freeze_time(start):
        assert client.get(reverse("home")).status_code == 200
        expiry = Session.objects.get().expire_date
    with freeze_time(start + dt.timedelta(seconds=30)):
        assert client.get(reverse("home")).status_code == 200
        assert Session.objects.get().expire_date == expiry  # not written again yet
    # Used every two-thirds of the idle limit, it never lapses.
    step = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE * 2 // 3)
    for n in range(1, 4):
        with freeze_time(start + n * step):
            assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date > expiry
