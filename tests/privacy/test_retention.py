"""Retention: what is past its period is listed, then anonymised; holds keep a case; the
counts a published report relied on do not change."""

import datetime as dt
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import AccessRecord, Case, Channel, Complainant, Event
from compliments.models import Compliment, ComplimentSource
from compliments.services import compliment_record
from privacy import retention
from privacy.models import RetentionRule
from tests.factories import ComplainantFactory, category

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LATER = TODAY + dt.timedelta(days=3 * 366)  # past a 2-year period for anything ended now


@pytest.fixture(autouse=True)
def two_years():
    RetentionRule.objects.update(years=2)


@pytest.fixture
def ended(build, officer):
    """A complaint that has ended, with documents, a letter, notes and history."""
    case = build.case("closed", reasonable_adjustments="Ruby's mum needs an interpreter")
    services.contact_record(
        case=case, by=officer, kind="call", happened_on=TODAY, note="Spoke to Ruby's mum"
    )
    build.attach(case, title="Ruby's plan")
    build.send_letter(case)
    return case


def test_the_dry_run_lists_what_is_due_and_changes_nothing(ended, capsys):
    assert retention.plan(TODAY).cases == []
    due = retention.anonymise_due(LATER)
    assert [c.pk for c in due.cases] == [ended.pk]
    call_command("retention", "--date", LATER.isoformat())
    out = capsys.readouterr().out
    assert "dry run: nothing changed" in out and ended.reference in out
    ended.refresh_from_db()
    assert ended.anonymised_on is None and ended.summary
    assert ended.documents.count() == 2


def test_anonymising_removes_personal_data_and_its_history(
    ended, django_capture_on_commit_callbacks
):
    complainant = ended.complainant
    storage_names = [d.file.name for d in ended.documents.all()]
    with django_capture_on_commit_callbacks(execute=True):
        retention.anonymise_due(LATER, commit=True)
    ended.refresh_from_db()
    complainant.refresh_from_db()
    assert ended.anonymised_on == LATER
    assert ended.summary == "" and ended.reasonable_adjustments == ""
    assert set(ended.elements.values_list("summary", flat=True)) == {""}
    assert ended.documents.count() == 0 and ended.letters.count() == 0
    assert ended.contacts.count() == 0
    assert not any(ended.documents.model.file.field.storage.exists(n) for n in storage_names)
    assert complainant.name == "Anonymised" and complainant.email == ""
    assert list(ended.children.values_list("name", flat=True)) == ["Anonymised"]
    # No earlier copy survives in the edit history.
    assert ended.history.count() == 0
    assert complainant.history.count() == 0
    assert set(Event.objects.filter(case=ended).values_list("reason", flat=True)) <= {""}
    assert AccessRecord.objects.filter(case=ended, action=AccessRecord.Action.ANONYMISED).exists()
    # A second run finds nothing more to do.
    assert retention.plan(LATER).cases == []


def test_a_legal_hold_keeps_the_case_until_released(client, ended, complaints_manager):
    client.force_login(complaints_manager)
    response = client.post(
        reverse("retention-hold"),
        {
            "submission": "3f6e1f5e-0000-4000-8000-000000000001",
            "reference": ended.reference,
            "reason": "Civil claim 2027/123",
        },
    )
    assert response.status_code == 302
    due = retention.anonymise_due(LATER, commit=True)
    assert [c.pk for c in due.held] == [ended.pk]
    ended.refresh_from_db()
    assert ended.anonymised_on is None and ended.summary
    page = client.get(reverse("retention")).content.decode()
    assert "Civil claim 2027/123" in page
    client.post(reverse("retention-release", args=[ended.reference]))
    retention.anonymise_due(LATER, commit=True)
    ended.refresh_from_db()
    assert ended.anonymised_on == LATER


def test_a_complainant_with_a_case_still_kept_keeps_their_name(build, ended):
    build.case("in_progress", complainant=ended.complainant)
    retention.anonymise_due(LATER, commit=True)
    assert Complainant.objects.get(pk=ended.complainant_id).name != "Anonymised"


def test_open_cases_and_cases_within_their_period_are_never_due(build, ended):
    build.case("in_progress")
    RetentionRule.objects.update(years=10)
    assert retention.plan(LATER).cases == []


def test_compliments_keep_the_extract_a_report_quotes(officer, team):
    compliment = compliment_record(
        by=officer,
        received_on=TODAY,
        service_area=team.service,
        source=ComplimentSource.objects.first(),
        channel=category(Channel, "email"),
        staff_named="Jo Smith",
        summary="Thanks to Jo",
        full_text="Jo was wonderful with Ruby",
        from_name="Ruby's mum",
        from_contact="mum@example.com",
        consent_to_publish=True,
        extract="The social worker was wonderful",
    )
    retention.anonymise_due(LATER, commit=True)
    compliment = Compliment.objects.get(pk=compliment.pk)
    assert (compliment.staff_named, compliment.full_text) == ("", "")
    assert (compliment.from_name, compliment.from_contact) == ("", "")
    assert compliment.extract == "The social worker was wonderful"


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode()


def test_the_years_counts_and_its_published_report_come_out_the_same(
    build, officer, complaints_manager
):
    from reporting import services as report
    from reporting.annual_report import count_tables, render_pdf

    for state in ("closed", "refused", "withdrawn", "responded"):
        build.case(state, complainant=ComplainantFactory(name=f"Person {state}"))
    year = TODAY.year - (TODAY.month < 4)
    before = {k: t.to_dict() for k, t in count_tables(year).items()}
    edition = report.edition_start(year=year, by=complaints_manager)
    report.edition_publish(edition, by=complaints_manager)
    edition.refresh_from_db()
    published = _pdf_text(render_pdf(edition))

    due = retention.anonymise_due(LATER, commit=True)
    assert len(due.cases) == 4
    assert not Case.objects.filter(complainant__name__startswith="Person").exists()
    after = {k: t.to_dict() for k, t in count_tables(year).items()}
    assert after == before
    assert _pdf_text(render_pdf(edition)) == published


def test_a_held_complaint_keeps_its_ombudsman_case_and_the_words_go_otherwise(
    ended, officer, complaints_manager
):
    from ombudsman.models import Recommendation, RecommendationKind
    from ombudsman.services import ombudsman_case_create, recommendation_add

    lgsco = ombudsman_case_create(
        reference="20 000 123",
        received_on=TODAY,
        by=officer,
        complaints=[ended],
        summary="Mrs X says Y's placement ended",
    )
    recommendation_add(
        lgsco,
        by=officer,
        kind=RecommendationKind.objects.filter(requires_amount=False).first(),
        due_on=TODAY,
        owner=complaints_manager,
        detail="Apologise to Mrs X",
    )
    retention.hold_place(ended, by=complaints_manager, reason="Claim")
    retention.anonymise_due(LATER, commit=True)
    lgsco.refresh_from_db()
    assert lgsco.summary and lgsco.anonymised_on is None
    retention.hold_release(ended)
    retention.anonymise_due(LATER, commit=True)
    lgsco.refresh_from_db()
    assert lgsco.summary == "" and lgsco.anonymised_on == LATER
    assert Recommendation.objects.get(ombudsman_case=lgsco).detail == ""
    assert not lgsco.history.exists()


def test_an_anonymised_case_cannot_be_reopened(build, ended, officer):
    from complaints import workflow
    from complaints.errors import DomainError
    from complaints.models import Level

    retention.anonymise_due(LATER, commit=True)
    ended.refresh_from_db()
    with pytest.raises(DomainError, match="cannot be reopened"):
        workflow.reopen(ended, by=officer, level=Level.LOCAL_RESOLUTION, reason="New")


def test_files_are_deleted_only_once_the_run_commits(ended, django_capture_on_commit_callbacks):
    storage = ended.documents.model.file.field.storage
    names = [d.file.name for d in ended.documents.all()]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retention.anonymise_due(LATER, commit=True)
    assert all(storage.exists(n) for n in names)  # not yet: the transaction may still fail
    for callback in callbacks:
        callback()
    assert not any(storage.exists(n) for n in names)


def test_expired_sessions_are_cleared_nightly(client, officer):
    from django.contrib.sessions.models import Session
    from django_celery_beat.models import PeriodicTask

    from privacy.tasks import clear_sessions

    assert PeriodicTask.objects.filter(task="privacy.tasks.clear_sessions").exists()
    client.force_login(officer)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(days=1))
    clear_sessions()
    assert not Session.objects.exists()
