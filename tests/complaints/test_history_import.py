"""complaints.history_import: a council's past cases from a spreadsheet, through the workflow."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from accounts.roles import Role
from complaints import history_import
from complaints.history_import import COLUMNS, FileRefused, import_cases
from complaints.models import Case, CaseImport, Level, Notification, Stage
from complaints.models.cases import Event
from complaints.workflow import TRANSITIONS, Move
from tests.factories import ServiceAreaFactory, TeamFactory
from tests.support.history import csv_bytes

pytestmark = pytest.mark.django_db


def row(**values) -> dict:
    base = {
        "reference": "R-1",
        "procedure": "statutory",
        "received_on": "2023-05-02",
        "channel": "Email",
        "service_area": "Safeguarding",
        "complainant_name": "Ann Example",
        "complainant_relationship": "parent",
    }
    return {**base, **values}


@pytest.fixture
def areas(db):
    safeguarding = ServiceAreaFactory(name="Safeguarding")
    TeamFactory(service=safeguarding, name="Safeguarding East")
    ServiceAreaFactory(name="Children in Our Care")
    return safeguarding


def answered(**values) -> dict:
    """A Stage 1 complaint answered within 10 working days, with two elements."""
    defaults = {
        "natures": "Communication; staff_conduct",
        "stage1_team": "Safeguarding East",
        "stage1_responded_on": "2023-05-12",
        "stage1_outcome": "Partially upheld",
        "stage1_findings": "upheld; not upheld",
        "closed_on": "2023-06-20",
    }
    return row(**{**defaults, **values})


def test_the_template_names_every_column_once_and_explains_it():
    lines = list(csv.reader(io.StringIO(history_import.template_csv())))
    assert lines[0] == [c.name for c in COLUMNS]
    assert len(set(lines[0])) == len(lines[0])
    assert all(meaning for meaning in lines[1])
    assert lines[1][0].startswith("Required.")


def test_a_real_run_replays_each_case_through_the_workflow_with_its_own_dates(areas, officer):
    result = import_cases("history.csv", csv_bytes([answered()]), by=officer)

    assert result.ok and result.created == 1, result.problems
    case = Case.objects.get(source_reference="R-1")
    assert case.state == Case.State.CLOSED
    stage = case.stages.get()
    assert stage.responded_on == dt.date(2023, 5, 12)
    assert stage.team.name == "Safeguarding East"
    assert stage.outcome.code == "partially_upheld"
    assert [f.finding.code for f in stage.element_findings.order_by("element__number")] == [
        "upheld",
        "not_upheld",
    ]
    events = list(case.events.order_by("at", "id"))
    assert [e.move for e in events] == [
        "receive",
        "accept",
        "allocate",
        "submit_for_qa",
        "approve_draft",
        "issue_response",
        "close",
    ]
    assert events[0].at.date() == dt.date(2023, 5, 2)
    assert events[-2].at.date() == dt.date(2023, 5, 12)
    assert all(e.data.get("imported") for e in events)
    # every move is one the workflow's table allows from the state before it
    for e in events[1:]:
        assert e.from_state in TRANSITIONS[Move(e.move)].sources


def test_history_sends_nothing_and_owes_no_lessons_learnt(
    areas, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_cases("history.csv", csv_bytes([answered()]), by=officer)

    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert not Case.objects.get().lessons_learnt.exists()


def test_a_dry_run_finds_what_a_real_run_would_and_writes_nothing(areas, officer):
    result = import_cases("history.csv", csv_bytes([answered()]), by=officer, dry_run=True)

    assert result.ok and result.rows == 1
    assert Case.objects.count() == 0 and Event.objects.count() == 0


def test_reimporting_a_file_updates_its_cases_and_keeps_their_references(areas, officer):
    import_cases("history.csv", csv_bytes([answered()]), by=officer)
    first = Case.objects.get()

    again = import_cases("history.csv", csv_bytes([answered(stage1_outcome="Upheld")]), by=officer)

    assert again.ok and (again.created, again.updated) == (0, 1)
    case = Case.objects.get()
    assert case.reference == first.reference
    assert case.stages.get().outcome.code == "upheld"


def test_a_case_worked_on_here_since_its_import_is_not_overwritten(areas, officer):
    from complaints import workflow

    import_cases("history.csv", csv_bytes([row(stage1_team="Safeguarding East")]), by=officer)
    case = Case.objects.get()
    workflow.acknowledge(case, by=officer, on=dt.date(2023, 5, 3))

    result = import_cases("history.csv", csv_bytes([row()]), by=officer)

    assert [p.column for p in result.problems] == ["reference"]
    assert "worked on or opened here" in result.problems[0].message
    assert Case.objects.get().events.filter(move="acknowledge").exists()


def test_every_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(areas, officer):
    rows = [
        answered(channel="Carrier pigeon"),
        answered(reference="R-2", stage1_responded_on="2023-04-01"),
        answered(reference="R-1"),
        answered(reference="R-4", received_on="31/02/2023"),
        answered(reference="R-5", stage1_findings="upheld"),
    ]
    result = import_cases("history.csv", csv_bytes(rows), by=officer)

    found = {(p.row, p.column) for p in result.problems}
    assert (2, "channel") in found
    assert (3, "stage1_responded_on") in found
    assert (4, "reference") in found
    assert (5, "received_on") in found
    assert (6, "stage1_findings") in found
    assert "Carrier pigeon" in next(p.message for p in result.problems if p.row == 2)
    assert Case.objects.count() == 0


def test_a_row_the_workflow_refuses_rolls_back_the_whole_file(areas, officer):
    # A 10-working-day deadline cannot be extended past its maximum of 20.
    rows = [
        answered(),
        answered(
            reference="R-2",
            stage1_extended_to="2023-09-01",
            stage1_extension_reason="complexity",
            stage1_responded_on="2023-08-30",
        ),
    ]
    result = import_cases("history.csv", csv_bytes(rows), by=officer)

    assert [(p.row, p.column) for p in result.problems] == [(3, "stage1_extended_to")]
    assert "maximum" in result.problems[0].message
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a spreadsheet"),
        (b"PK\x03\x04garbage", "not a spreadsheet"),
        (b"reference,received_on\nR-1,2023-05-02\n", "lacks required columns: channel"),
        (csv_bytes([row(colour="blue")]), "columns the template does not have: colour"),
        (b"", "empty"),
    ],
)
def test_a_file_that_cannot_be_an_import_is_refused_whole(areas, officer, data, message):
    with pytest.raises(FileRefused, match=message):
        import_cases("file", data, by=officer)


def test_a_file_over_the_size_limit_is_refused(areas, officer, settings):
    settings.HISTORY_IMPORT_MAX_BYTES = 50 * 1024 * 1024
    with pytest.raises(FileRefused, match="larger than 50 MB"):
        import_cases("big.csv", b"x" * (50 * 1024 * 1024 + 1), by=officer)


def test_an_xlsx_file_with_date_cells_imports_as_a_csv_does(areas, officer):
    book = Workbook()
    sheet = book.active
    values = answered()
    values["received_on"] = dt.date(2023, 5, 2)
    sheet.append(list(values))
    sheet.append(list(values.values()))
    out = io.BytesIO()
    book.save(out)

    result = import_cases("history.xlsx", out.getvalue(), by=officer)

    assert result.ok, result.problems
    assert Case.objects.get().received_on == dt.date(2023, 5, 2)


def test_a_case_can_start_at_stage_2_with_its_earlier_stages_said_not_invented(areas, officer):
    values = row(
        stage2_requested_on="2023-06-01",
        stage2_responded_on="2023-06-30",
        stage2_outcome="Upheld",
    )
    refused = import_cases("h.csv", csv_bytes([values]), by=officer)
    assert [p.column for p in refused.problems] == ["earlier_stages"]

    result = import_cases(
        "h.csv",
        csv_bytes([{**values, "earlier_stages": "Stage 1 answered in Respond, 2023"}]),
        by=officer,
    )

    assert result.ok, result.problems
    case = Case.objects.get()
    assert list(case.stages.values_list("level", flat=True)) == [Level.INVESTIGATION]
    assert Stage.objects.get().requested_on == dt.date(2023, 6, 1)
    assert case.events.get(move="accept").reason == "Stage 1 answered in Respond, 2023"


def test_refused_withdrawn_and_joint_complaints(areas, officer):
    rows = [
        row(refused_on="2023-05-03", refusal_reason="court_proceedings"),
        row(
            reference="R-2",
            stage0_responded_on="2023-05-04",
            stage0_outcome="resolved_early",
        ),
        row(
            reference="R-3",
            stage1_team="Safeguarding East",
            withdrawn_on="2023-05-09",
            withdrawal_reason="complainant_withdrew",
            joint_service_areas="Children in Our Care",
        ),
    ]
    result = import_cases("h.csv", csv_bytes(rows), by=officer)

    assert result.ok, result.problems
    refused, informal, withdrawn = Case.objects.order_by("source_reference")
    assert (refused.state, refused.procedure) == (Case.State.REFUSED, "statutory")
    assert informal.stages.get().outcome.code == "resolved_early"
    assert withdrawn.state == Case.State.WITHDRAWN
    assert withdrawn.stages.get().withdrawn_on == dt.date(2023, 5, 9)
    assert [a.name for a in withdrawn.joint_service_areas.all()] == ["Children in Our Care"]


def test_the_command_checks_imports_and_reports_problems(areas, officer, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([answered()]))
    call_command("import_cases", str(good), "--dry-run")
    assert Case.objects.count() == 0
    call_command("import_cases", str(good), "--as-user", officer.username)
    assert Case.objects.get().events.first().actor == officer

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([answered(reference="R-9", channel="Fax machine")]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_cases", str(bad))
    assert "Row 2, channel" in capsys.readouterr().err


# --- in the browser, as a background job ---------------------------------------------------


def _upload(client, data: bytes, *, dry_run: str, name="history.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.support.forms import token

    return client.post(
        "/imports/",
        {
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
            "dry_run": dry_run,
            "submission": token(),
        },
    )


def test_the_manager_checks_then_imports_a_file_in_the_background(
    areas, complaints_manager, client, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(complaints_manager)
    data = csv_bytes([answered()])

    with django_capture_on_commit_callbacks(execute=True):
        checked = _upload(client, data, dry_run="yes")
    page = client.get(checked.url).content.decode()
    assert "No problems found" in page and Case.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        imported = _upload(client, data, dry_run="no")
    page = client.get(imported.url).content.decode()
    assert "1 new case" in page
    assert Case.objects.get().source_reference == "R-1"
    job = CaseImport.objects.get(pk=imported.url.rstrip("/").rsplit("/", 1)[1])
    assert not job.file  # the upload, with its names and addresses, is gone


def test_the_problems_are_listed_and_download_as_a_spreadsheet(
    areas, complaints_manager, client, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(complaints_manager)
    bad = csv_bytes([answered(channel="=HYPERLINK(1)")])

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, bad, dry_run="no")
    page = client.get(response.url).content.decode()
    problems = client.get(response.url + "problems.csv").content.decode()

    assert "1 problem in the file: nothing was written" in page
    assert "“=HYPERLINK(1)” is not one of the channels" in page
    assert problems.splitlines()[:2] == [
        "Row,Column,Problem",
        "2,channel,“=HYPERLINK(1)” is not one of the channels the app knows.",
    ]
    assert Case.objects.count() == 0


def test_a_file_that_cannot_be_an_import_is_refused_on_the_form(areas, complaints_manager, client):
    client.force_login(complaints_manager)
    response = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00", dry_run="yes", name="photo.csv")

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "not a spreadsheet" in page
    assert CaseImport.objects.count() == 0


def test_an_import_waits_while_the_broker_is_down_and_runs_later(
    areas, complaints_manager, django_capture_on_commit_callbacks, broker_down
):
    with django_capture_on_commit_callbacks(execute=True):
        job = history_import.import_request(
            name="h.csv", data=csv_bytes([answered()]), by=complaints_manager, dry_run=False
        )
    assert history_import.imports_waiting() == [job.pk]

    history_import.import_run(job.pk)

    job.refresh_from_db()
    assert (job.state, job.created) == (CaseImport.State.DONE, 1)
    assert history_import.import_run(job.pk) is None  # never twice


# --- what a re-import must not lose, and files that must not bring it down -------------------


@pytest.mark.parametrize("work", ["opened", "held", "contact"])
def test_a_case_opened_held_or_noted_here_is_not_replaced_by_a_reimport(
    areas, officer, complaints_manager, work
):
    from complaints import services
    from complaints.models import AccessRecord
    from privacy import retention

    import_cases("history.csv", csv_bytes([answered()]), by=officer)
    case = Case.objects.get()
    if work == "opened":
        AccessRecord.objects.create(user=officer, case=case, action="viewed_case")
    elif work == "held":
        retention.hold_place(case, by=complaints_manager, reason="A claim is expected")
    else:
        services.contact_record(
            case=case, by=officer, kind="call", happened_on=dt.date(2023, 5, 3), note="Rang"
        )

    result = import_cases("history.csv", csv_bytes([answered(summary="New")]), by=officer)

    assert [(p.row, p.column) for p in result.problems] == [(2, "reference")]
    assert Case.objects.get().pk == case.pk


def test_a_reference_matches_whatever_its_case(areas, officer):
    import_cases("history.csv", csv_bytes([answered(reference="R-1")]), by=officer)
    again = import_cases("history.csv", csv_bytes([answered(reference="r-1")]), by=officer)

    assert (again.created, again.updated) == (0, 1)
    assert Case.objects.count() == 1


def test_a_dry_run_takes_no_reference_numbers(areas, officer):
    from complaints.models import ReferenceCounter

    import_cases("history.csv", csv_bytes([answered()]), by=officer, dry_run=True)

    assert not ReferenceCounter.objects.filter(last__gt=0).exists()


def test_an_amount_that_is_not_a_number_is_a_problem_not_a_crash(areas, officer):
    rows = [
        answered(
            stage2_requested_on="2023-05-20",
            stage2_responded_on="2023-06-20",
            stage2_outcome="upheld",
            stage2_investigator_fee="NaN",
        )
    ]
    result = import_cases("history.csv", csv_bytes(rows), by=officer)

    assert [(p.row, p.column) for p in result.problems] == [(2, "stage2_investigator_fee")]


def test_a_workbook_that_unzips_to_gigabytes_is_refused_before_it_is_read(
    areas, officer, monkeypatch
):
    import zipfile

    monkeypatch.setattr(history_import, "MAX_UNPACKED_BYTES", 1_000_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"a" * 5_000_000)  # compresses to a few KB
    assert len(out.getvalue()) < 50_000

    with pytest.raises(FileRefused, match="unpacks to more"):
        import_cases("bomb.xlsx", out.getvalue(), by=officer)


def test_a_cell_too_long_for_a_spreadsheet_is_refused_not_a_crash(areas, officer):
    data = csv_bytes([answered(summary="x" * 2_000_000)])

    with pytest.raises(FileRefused, match="cannot be read"):
        import_cases("history.csv", data, by=officer)


def test_what_an_import_quoted_from_its_file_is_forgotten_after_a_month(
    areas, complaints_manager, settings
):
    from django.utils import timezone

    settings.HISTORY_IMPORT_KEEP_DAYS = 30
    old = CaseImport.objects.create(
        name="jane-smith-complaints.csv",
        state=CaseImport.State.DONE,
        finished_at=timezone.now() - dt.timedelta(days=31),
        problems=[[2, "channel", "“Jane Smith” is not one of the channels the app knows."]],
        rows=1,
    )
    recent = CaseImport.objects.create(
        name="recent.csv",
        state=CaseImport.State.DONE,
        finished_at=timezone.now() - dt.timedelta(days=2),
        problems=[[2, "channel", "kept"]],
    )

    assert history_import.forget_old_jobs() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.problems, old.rows) == ("(cleared)", [], 1)
    assert recent.problems == [[2, "channel", "kept"]]


def test_equality_answers_advocacy_and_remedies_come_in_and_are_counted(areas, officer):
    from complaints.models import Gender, RemedyKind
    from complaints.periods import Period
    from reporting.statistics import figures_for

    gender = Gender.objects.first()
    payment = RemedyKind.objects.filter(requires_amount=True).first()
    values = answered(
        gender=gender.label,
        advocacy_offered_on="2023-05-03",
        advocacy_accepted="yes",
        stage1_remedies=f"apology; {payment.code}=250",
    )
    result = import_cases("history.csv", csv_bytes([values]), by=officer)
    assert result.ok, result.problems

    year = figures_for(Period.year(2023))
    assert year.statutory.equality["gender"][gender.label] == 1
    assert (year.statutory.advocacy_offered, year.statutory.advocacy_accepted) == (1, 1)
    assert year.payments == 250 and year.payments_made == 1

    unpaid = import_cases(
        "history.csv",
        csv_bytes([answered(reference="R-2", stage1_remedies=payment.code)]),
        by=officer,
    )
    assert [p.column for p in unpaid.problems] == ["stage1_remedies"]


def test_acknowledgements_appointments_and_the_officer_come_in_by_account(areas, officer):
    from tests.factories import UserFactory

    io = UserFactory(username="ivo", email="ivo@council.example", role=Role.INVESTIGATING_OFFICER)
    ip = UserFactory(username="ipp", email="ipp@council.example", role=Role.INDEPENDENT_PERSON)
    stage2 = {
        "stage1_acknowledged_on": "2023-05-03",
        "stage2_requested_on": "2023-06-01",
        "stage2_acknowledged_on": "2023-06-02",
        "stage2_statement_agreed_on": "2023-06-09",
        "stage2_investigating_officer": "IVO@council.example",
        "stage2_independent_person": "ipp",
        "stage2_team": "Safeguarding East",
        "stage2_report_received_on": "2023-07-10",
        "stage2_responded_on": "2023-07-14",
        "stage2_outcome": "upheld",
        "stage2_findings": "upheld; upheld",
        "closed_on": "2023-08-01",
        "officer": officer.username,
    }
    result = import_cases("h.csv", csv_bytes([answered(**stage2)]), by=officer)

    assert result.ok, result.problems
    case = Case.objects.get(source_reference="R-1")
    assert case.officer == officer
    first, second = case.stages.order_by("level")
    assert first.acknowledged_on == dt.date(2023, 5, 3)
    assert second.acknowledged_on == dt.date(2023, 6, 2)
    assert second.statement_agreed_on == dt.date(2023, 6, 9)
    assert (second.investigating_officer, second.independent_person) == (io, ip)
    days = [e.at.date() for e in case.events.order_by("pk")]
    assert days == sorted(days)


def test_a_person_without_an_account_or_a_step_out_of_order_is_a_problem(areas, officer):
    stranger = answered(
        stage2_requested_on="2023-06-01",
        stage2_investigating_officer="Al Smith",
        stage2_independent_person=officer.username,  # an account, but not in that role
        closed_on="",
    )
    result = import_cases("h.csv", csv_bytes([stranger]), by=officer)
    assert [(p.column, p.message) for p in result.problems] == [
        (
            "stage2_investigating_officer",
            "“Al Smith” is not one of the investigating officers the app knows.",
        ),
        (
            "stage2_independent_person",
            f"“{officer.username}” is not one of the independent persons the app knows.",
        ),
    ]

    late = answered(stage1_acknowledged_on="2023-05-15")  # after the response on 12 May
    result = import_cases("h.csv", csv_bytes([late]), by=officer)
    assert [(p.column, p.message) for p in result.problems] == [
        (
            "stage1_responded_on",
            "12 May 2023 is before 15 May 2023, the date in stage1_acknowledged_on, which comes "
            "before it in the case's history.",
        )
    ]
    assert not Case.objects.exists()


def test_a_representation_that_was_not_a_complaint_is_closed_with_its_children(areas, officer):
    values = row(
        kind="case_concern",
        procedure="",
        closed_on="2023-05-05",
        children="Amy Example; Ben Example",
        children_case_system_references="MOS1; ",
        children_dates_of_birth="2012-01-31; 2015-02-28",
    )
    result = import_cases("h.csv", csv_bytes([values]), by=officer)

    assert result.ok, result.problems
    case = Case.objects.get()
    assert (case.kind, case.state) == ("case_concern", Case.State.CLOSED)
    children = sorted(case.children.values_list("name", "case_system_reference", "date_of_birth"))
    assert children == [
        ("Amy Example", "MOS1", dt.date(2012, 1, 31)),
        ("Ben Example", "", dt.date(2015, 2, 28)),
    ]
    wrong = row(children="Amy Example", children_dates_of_birth="2012-01-31; 2015-02-28")
    result = import_cases("h.csv", csv_bytes([wrong]), by=officer)
    assert [p.column for p in result.problems] == ["children_dates_of_birth"]


def test_the_audit_trail_records_each_imported_row_once_and_later_saves_as_usual(areas, officer):
    from complaints import services

    import_cases("h.csv", csv_bytes([answered(children="Amy Example")]), by=officer)

    case = Case.objects.get()
    records = [
        (h.history_type, h.history_change_reason, h.history_user) for h in case.history.all()
    ]
    assert records == [("+", "Imported", officer)]
    for row_ in [case.complainant, case.children.get(), case.stages.get(), *case.elements.all()]:
        assert row_.history.count() == 1, row_
    services.officer_change(case=case, officer=officer, by=officer)
    assert case.history.count() == 2

    import_cases("h.csv", csv_bytes([answered(children="Amy Example")]), by=officer)
    assert case.history.filter(history_type="-").count() == 1  # the first import, replaced


def test_an_acknowledgement_before_acceptance_or_an_ambiguous_person_is_a_problem(areas, officer):
    from tests.factories import UserFactory

    for name in ("ivo", "ivy"):
        UserFactory(username=name, email="shared@council.example", role=Role.INVESTIGATING_OFFICER)
    UserFactory(username="ipp", role=Role.INDEPENDENT_PERSON)
    rows = [
        answered(accepted_on="2023-05-04", stage1_acknowledged_on="2023-05-03"),
        answered(
            reference="R-2",
            stage2_requested_on="2023-06-01",
            stage2_investigating_officer="shared@council.example",
            closed_on="",
        ),
        answered(
            reference="R-3",
            stage2_requested_on="2023-06-01",
            stage2_independent_person="ipp",
            closed_on="",
            children="Amy",
            children_dates_of_birth="2024-01-01",
        ),
    ]
    result = import_cases("h.csv", csv_bytes(rows), by=officer)

    problems = {(p.row, p.column): p.message for p in result.problems}
    assert problems[(2, "stage1_acknowledged_on")].startswith("A complaint is acknowledged once")
    assert problems[(3, "stage2_investigating_officer")].startswith("More than one of the")
    assert problems[(4, "stage2_investigating_officer")].startswith("Name the investigating")
    assert (
        problems[(4, "children_dates_of_birth")] == "A date of birth is after the date received."
    )
    assert not Case.objects.exists()


def test_earlier_imports_are_matched_once_per_file_not_once_per_row(areas, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [answered(reference=f"R-{n}") for n in range(6)]
    import_cases("h.csv", csv_bytes(rows[:3]), by=officer)

    with CaptureQueriesContext(connection) as queries:
        result = import_cases("h.csv", csv_bytes(rows), by=officer)

    assert (result.created, result.updated) == (3, 3)
    matching = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and "source_reference" in q["sql"].partition("WHERE")[2]
    ]
    # One before the references are reserved and one in the import's transaction: reading
    # every case for each row made an import slower the more cases a council held.
    assert len(matching) == 2
