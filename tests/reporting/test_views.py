"""The dashboard and the annual report's pages: who may see them, what they link to, and that
their cost does not grow with the number of cases."""

import datetime as dt
import re
from io import BytesIO, StringIO

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from reporting import dashboard, services
from reporting.models import Rendering

DASHBOARD = "/dashboard/?kind=year&year=2025"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 200),
        ("complaints_manager", 200),
        ("senior_manager", 200),
        ("team_manager", 403),
        ("head_of_service", 403),
        ("investigator", 403),
        ("independent_person", 403),
    ],
)
def test_who_sees_the_dashboard_and_the_reports(db, client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(DASHBOARD).status_code == status
    assert client.get(reverse("edition-list")).status_code == status


def test_signed_out_people_are_sent_to_sign_in(client, db):
    assert client.get(DASHBOARD)["Location"].startswith("/accounts/login/")


def test_only_the_complaints_manager_drafts_the_report(client, senior_manager, officer):
    for person in (senior_manager, officer):
        client.force_login(person)
        assert client.post(reverse("edition-start"), {"year": 2025}).status_code == 403


def test_a_figure_links_to_the_cases_behind_it(client, officer, council):
    client.force_login(officer)
    page = client.get(DASHBOARD + f"&service_area={council.area.pk}").content.decode()
    link = re.search(r'href="(/cases/\?kind=complaint[^"]*)">9<', page)
    assert link, "the 2025/26 complaints figure links to the case list"
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "9 cases" in listed
    stage = re.search(r'href="(/cases/\?procedure=statutory&amp;responded_stage=1[^"]*)">5<', page)
    listed = client.get(stage.group(1).replace("&amp;", "&")).content.decode()
    assert "5 cases" in listed  # Z, A, B, C and D: answered at Stage 1 in the year


def test_every_linked_figure_equals_the_length_of_its_list(client, officer, council, build):
    from complaints.models import Case

    for state in Case.State.RECEIVED, Case.State.PAUSED, Case.State.AWAITING_QA:
        build.case(state)
    build.case(Case.State.APPROVED)
    client.force_login(officer)
    for query in (DASHBOARD, DASHBOARD + f"&service_area={council.area.pk}"):
        page = client.get(query).content.decode()
        links = re.findall(r'href="(/cases/\?[^"]*)">(\d+)<', page)
        assert len(links) > 10
        for href, figure in links:
            listed = client.get(href.replace("&amp;", "&")).content.decode()
            count = re.search(r"(\d+) cases?\b", listed)
            assert count and count.group(1) == figure, f"{href} shows {figure}"


def test_a_bad_period_is_explained(client, officer, db):
    client.force_login(officer)
    response = client.get("/dashboard/?kind=custom&start=2025-06-01&end=2025-01-01")
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()


def test_a_period_longer_than_a_year_is_compared_with_none_that_overlap_it(client, officer, db):
    client.force_login(officer)
    response = client.get("/dashboard/?kind=custom&start=2024-01-01&end=2025-12-31")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dashboard: 1 Jan 2024 to 31 Dec 2025" in page
    assert "2023" not in page.split("Representations received, by kind")[1].split("</table>")[0]


def test_the_dashboard_costs_the_same_queries_with_more_cases(
    client, officer, council, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    for _ in range(10):
        council.case(dt.date(2025, 8, 1))
    cache.clear()  # count them, rather than read the figures counted before
    with django_assert_max_num_queries(len(few)):
        assert client.get(DASHBOARD).status_code == 200


def _complaints_figure(client, area) -> str:
    page = client.get(DASHBOARD + f"&service_area={area.pk}").content.decode()
    return re.search(r'href="/cases/\?kind=complaint[^"]*">(\d+)<', page).group(1)


def test_the_dashboard_reads_its_figures_until_the_cases_change(
    client, officer, council, django_assert_max_num_queries
):
    client.force_login(officer)
    assert _complaints_figure(client, council.area) == "9"
    with django_assert_max_num_queries(30):  # the figures are read, not counted (~110)
        page = client.get(DASHBOARD + f"&service_area={council.area.pk}").content.decode()
    assert "Counted at " in page
    council.case(dt.date(2025, 8, 1), area=council.area)  # a change clears what was counted
    assert _complaints_figure(client, council.area) == "10"


def test_figures_counted_before_a_bulk_import_are_never_shown_after_it(
    client, officer, complaints_manager, council
):
    from complaints.models import Case, Channel
    from complaints.signals import history_imported

    client.force_login(officer)
    assert _complaints_figure(client, council.area) == "9"
    edition = services.edition_start(year=2025, by=complaints_manager)
    before = client.get(reverse("edition-table", args=[edition.pk, "representations", "csv"]))
    template = Case.objects.filter(service_area=council.area, kind="complaint").first()
    Case.objects.bulk_create(  # as an import writes, without a save signal per row
        [
            Case(
                reference=f"IMP-{n}",
                kind="complaint",
                procedure="statutory",
                channel=Channel.objects.first(),
                received_on=dt.date(2025, 9, 1),
                summary="Imported.",
                complainant=template.complainant,
                service_area=council.area,
            )
            for n in range(2)
        ]
    )
    history_imported.send(sender=None)
    assert _complaints_figure(client, council.area) == "11"
    after = client.get(reverse("edition-table", args=[edition.pk, "representations", "csv"]))
    assert before.content != after.content


def test_a_category_renamed_is_not_shown_under_its_old_name(client, officer, council):
    from complaints.models import Relationship

    client.force_login(officer)
    client.get(DASHBOARD)
    parent = Relationship.objects.get(code="parent")
    parent.label = "Parent or carer"
    parent.save()
    page = client.get(DASHBOARD).content.decode()
    assert "Parent or carer" in page


def test_the_dashboard_shows_what_it_counted_until_counted_again(
    client, officer, council, django_assert_max_num_queries
):
    from complaints.models import Case

    client.force_login(officer)
    assert _complaints_figure(client, council.area) == "9"
    # A change no signal sees (a raw update) waits for the recount, or "Count again now".
    Case.objects.filter(service_area=council.area, kind="complaint").update(kind="comment")
    assert _complaints_figure(client, council.area) == "9"
    recount = reverse("dashboard-recount") + f"?kind=year&year=2025&service_area={council.area.pk}"
    assert client.get(recount).status_code == 405
    response = client.post(recount)
    assert response["Location"] == recount.replace(reverse("dashboard-recount"), "/dashboard/")
    assert _complaints_figure(client, council.area) == "0"


def test_the_recount_task_counts_the_dashboard_before_anyone_opens_it(
    client, officer, complaints_manager, council, django_assert_max_num_queries
):
    edition = services.edition_start(year=2025, by=complaints_manager)
    dashboard.recount(dt.date(2026, 5, 1))  # this year, 2026/27, and last, 2025/26
    client.force_login(officer)
    with django_assert_max_num_queries(30):
        page = client.get(DASHBOARD).content.decode()
    assert "Dashboard: 2025/26" in page
    with django_assert_max_num_queries(30):  # the draft report reads the same figures
        client.get(reverse("edition-tables", args=[edition.pk, "xlsx"]))
    assert PeriodicTask.objects.get(name="Recount the dashboard").task == (
        "reporting.tasks.recount_dashboard"
    )


def test_tables_download_as_csv_and_xlsx(client, complaints_manager, council):
    client.force_login(complaints_manager)
    edition = services.edition_start(year=2025, by=complaints_manager)
    csv = client.get(reverse("edition-table", args=[edition.pk, "representations", "csv"]))
    lines = csv.content.decode().splitlines()
    assert lines[0] == "Kind of representation,2025/26,2024/25"
    assert lines[1] == "Complaint,10,fewer than 5"
    book = load_workbook(
        BytesIO(client.get(reverse("edition-tables", args=[edition.pk, "xlsx"])).content)
    )
    assert "representations" in book.sheetnames and "timeliness_statutory_1" in book.sheetnames
    assert book["representations"]["B3"].value == 10
    dashboard_csv = client.get("/dashboard/tables/representations.csv?kind=year&year=2025")
    assert dashboard_csv.content.decode().splitlines()[2] == "Pre-complaint,2,0,0"


def test_drafting_the_narrative_in_the_browser(client, complaints_manager, council):
    client.force_login(complaints_manager)
    edition = services.edition_start(year=2025, by=complaints_manager)
    url = reverse("edition-detail", args=[edition.pk])
    data = {"title": edition.title, "small_number_threshold": "0", "executive_summary": "Kept."}
    response = client.post(url, data)
    assert response.status_code == 400  # a threshold of 0 is refused, and nothing is lost
    assert "Kept." in response.content.decode()
    data["small_number_threshold"] = "5"
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.executive_summary == "Kept."
    preview = client.get(reverse("edition-preview", args=[edition.pk])).content.decode()
    assert "Kept." in preview and "Draft, version 1" in preview


def test_progress_page_refreshes_until_the_pdf_is_ready(client, complaints_manager, council):
    client.force_login(complaints_manager)
    edition = services.edition_start(year=2025, by=complaints_manager)
    rendering = Rendering.objects.create(
        edition=edition, progress=35, step="Drawing the charts", state=Rendering.State.RUNNING
    )
    page = client.get(reverse("rendering-detail", args=[rendering.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "Drawing the charts (35% done)" in page
    assert client.get(reverse("rendering-pdf", args=[rendering.pk])).status_code == 404


def test_the_api_gives_the_dashboard_s_tables(client, officer, team_manager, council):
    client.force_login(team_manager)
    assert client.get("/api/v1/statistics/?year=2025").status_code == 403
    client.force_login(officer)
    assert client.get("/api/v1/statistics/?year=nineteen").status_code == 400
    data = client.get(f"/api/v1/statistics/?year=2025&service_area={council.area.pk}").json()
    tables = {t["key"]: t for t in data["tables"]}
    assert data["period"] == "2025/26"
    assert tables["representations"]["rows"][0] == {
        "key": "complaint",
        "label": "Complaint",
        "values": [9, 1, 0],
        "total": False,
        "drill": {"kind": "complaint"},
    }


def test_publishing_with_no_broker_is_queued_not_a_500(
    client, complaints_manager, council, django_capture_on_commit_callbacks, broker_down
):
    from django.core.management import call_command

    client.force_login(complaints_manager)
    edition = services.edition_start(year=2025, by=complaints_manager)
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(reverse("edition-render", args=[edition.pk]))
        published = client.post(reverse("edition-publish", args=[edition.pk]))
    assert (checked.status_code, published.status_code) == (302, 302)
    edition.refresh_from_db()
    assert edition.is_published and not edition.pdf
    assert set(edition.renderings.values_list("state", flat=True)) == {Rendering.State.QUEUED}
    page = client.get(published["Location"]).content.decode()
    assert "Waiting to start" in page

    # A worker's periodic run, or the command, picks them up.
    call_command("render_reports")
    edition.refresh_from_db()
    assert edition.pdf
    assert set(edition.renderings.values_list("state", flat=True)) == {Rendering.State.DONE}
    finished = list(edition.renderings.values_list("pk", "finished_at", "pdf"))
    out = StringIO()
    call_command("render_reports", stdout=out)  # nothing left: renders nothing twice
    assert "Made 0 PDFs" in out.getvalue()
    assert list(edition.renderings.values_list("pk", "finished_at", "pdf")) == finished


def test_a_rendering_a_crashed_worker_left_running_is_made_again(complaints_manager, council):
    import datetime as dt

    from django.utils import timezone

    from reporting.tasks import render_waiting

    edition = services.edition_start(year=2025, by=complaints_manager)
    stuck = Rendering.objects.create(
        edition=edition,
        state=Rendering.State.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    busy = Rendering.objects.create(
        edition=edition, state=Rendering.State.RUNNING, started_at=timezone.now()
    )
    assert render_waiting() == 1
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.state == Rendering.State.DONE
    assert busy.state == Rendering.State.RUNNING  # another worker is still on it


def test_the_command_attaches_its_pdf_to_the_edition(complaints_manager, council, tmp_path):
    from django.core.management import call_command

    edition = services.edition_start(year=2025, by=complaints_manager)
    call_command("annual_report", "2025", "--output", str(tmp_path / "r.pdf"), "--attach")
    rendering = edition.renderings.get()
    assert rendering.state == Rendering.State.DONE and rendering.pdf
    assert (tmp_path / "r.pdf").read_bytes() == rendering.pdf.open("rb").read()


def test_a_report_form_error_has_a_summary_and_a_case_study_keeps_the_narrative(
    client, complaints_manager, council
):
    client.force_login(complaints_manager)
    edition = services.edition_start(year=2025, by=complaints_manager)
    url = reverse("edition-detail", args=[edition.pk])
    data = {"title": edition.title, "small_number_threshold": "0", "executive_summary": "Kept."}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()

    data |= {
        "small_number_threshold": "5",
        "executive_summary": "Typed, not yet saved.",
        "study-title": "A father's complaint",
        "study-text": "What we learnt.",
        "add_case_study": "1",
    }
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.executive_summary == "Typed, not yet saved."
    study = edition.case_studies.get()
    assert study.title == "A father's complaint"

    # Removing one saves the narrative too; a made-up id removes nothing and says so.
    del data["add_case_study"]
    data |= {"executive_summary": "Typed again.", "remove_case_study": "abc"}
    response = client.post(url, data, follow=True)
    assert "Case study removed" not in response.content.decode()
    assert edition.case_studies.count() == 1
    other = services.edition_start(year=2024, by=complaints_manager)
    elsewhere = services.case_study_add(other, title="Elsewhere", text="Not this edition.")
    data["remove_case_study"] = str(elsewhere.pk)
    assert client.post(url, data).status_code == 404
    assert other.case_studies.count() == 1
    data["remove_case_study"] = str(study.pk)
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.executive_summary == "Typed again."
    assert not edition.case_studies.exists()
