"""The annual report as a PDF: its text, read back with pdftotext, must hold every §5.6.2
heading and the year's figures, and nothing that identifies anyone."""

import datetime as dt
import gc
import re
import subprocess
import zlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from complaints.models import Child, Complainant
from reporting import services
from reporting.annual_report import count_tables, render_pdf
from reporting.models import Edition
from tests.reporting.conftest import NAMES

HEADINGS = [  # Getting the Best from Complaints §5.6.2, and DOMAIN.md §4–§6
    "Representations made to the council",
    "Complaints at each stage and those considered by the Ombudsman",
    "Customer groups: who made complaints and how",
    "Types of complaint",
    "Outcomes of complaints",
    "Advocacy",
    "Compliance with timescales, including extended timescales",
    "Learning and service improvement",
    "Equality monitoring: age, gender, disability, sexual orientation and ethnicity",
    "Review of the effectiveness of the complaints procedure",
    "Compliments",
    "The Local Government and Social Care Ombudsman",
    "Remedies and payments",
    "Costs of independent investigations and review panels",
    "Corporate complaints and the Complaint Handling Code",
    "Appendix: data tables",
]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())  # one line: headings may wrap


@pytest.fixture
def edition(council, complaints_manager):
    edition = services.edition_start(year=2025, by=complaints_manager)
    services.edition_update(
        edition,
        data={
            "executive_summary": "Complaints rose while answers got quicker.",
            "effectiveness_review": "The procedure worked well for children.",
        },
    )
    services.case_study_add(edition, title="A change of school", text="A parent asked for help.")
    return edition


def test_the_pdf_has_every_heading_and_the_key_figures(edition, tmp_path):
    text = pdf_text(render_pdf(edition), tmp_path)
    for heading in HEADINGS:
        assert heading in text, heading
    assert "Complaints rose while answers got quicker." in text
    assert "A change of school" in text
    assert "1 April 2025 to 31 March 2026" in text
    # Figures of 5 or more stay; averages and money are never suppressed.
    assert "Complaint 10 fewer than 5" in text  # the whole council; 2025/26, then 2024/25
    assert "Average working days to respond 16.6" in text
    assert "Cost of Stage 2 investigations (£) £4,500.00" in text
    assert "of which fees from earlier records (£) £4,500.00" in text
    # Counts from 1 to 4 are not shown.
    assert "Out of time (over 12 months) fewer than 5" in text
    assert "Young person 1" not in text


def test_the_cycle_collector_is_back_on_after_a_render_even_one_that_fails(edition, monkeypatch):
    # It is off while WeasyPrint works; a worker left without it would never free cycles.
    assert render_pdf(edition)[:5] == b"%PDF-"
    assert gc.isenabled()

    def layout_fails(self, *args, **kwargs):
        assert not gc.isenabled()
        raise RuntimeError("layout failed")

    monkeypatch.setattr("weasyprint.HTML.render", layout_fails)
    with pytest.raises(RuntimeError, match="layout failed"):
        render_pdf(edition)
    assert gc.isenabled()


def test_the_threshold_is_the_edition_s_to_choose(edition, tmp_path):
    services.edition_update(edition, data={"small_number_threshold": 1})
    text = pdf_text(render_pdf(edition), tmp_path)
    assert "fewer than" not in text
    assert "Out of time (over 12 months) 1" in text
    assert "Within 10 working days 1 20%" in text


def test_no_complainant_child_or_staff_is_named(edition, tmp_path):
    text = pdf_text(render_pdf(edition), tmp_path)
    people = list(Complainant.objects.values_list("name", "email")) + list(
        Child.objects.values_list("name", "case_system_reference")
    )
    assert {n for n in NAMES} <= {name for name, _ in people}
    for name, contact in people:
        assert name not in text
        assert not contact or contact not in text
    for user in User.objects.all():
        assert user.username not in text
        assert not user.get_full_name() or user.get_full_name() not in text


def test_publishing_freezes_the_figures_and_a_change_is_a_new_version(
    edition, council, complaints_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rendering = services.edition_publish(edition, by=complaints_manager)
    edition.refresh_from_db()
    rendering.refresh_from_db()
    assert edition.is_published and rendering.state == "done"
    assert edition.pdf and len(edition.pdf_sha256) == 64
    frozen = edition.frozen["tables"]["representations"]["rows"][0]["values"][0]
    council.case(dt.date(2025, 7, 1))
    assert count_tables(2025)["representations"].rows[0].values[0] == frozen + 1
    services.rendering_run(services.rendering_request(edition, by=complaints_manager))
    edition.refresh_from_db()
    assert edition.frozen["tables"]["representations"]["rows"][0]["values"][0] == frozen
    with pytest.raises(services.DomainError, match="published"):
        services.edition_update(edition, data={"recommendations": "More."})
    again = services.edition_start(year=2025, by=complaints_manager)
    assert (again.version, again.status) == (2, Edition.Status.DRAFT)
    assert again.executive_summary == edition.executive_summary
    assert again.case_studies.count() == 1


def test_the_command_renders_a_year_nobody_drafted(council, tmp_path):
    target = tmp_path / "2025.pdf"
    call_command("annual_report", "2025", output=str(target))
    text = pdf_text(target.read_bytes(), tmp_path)
    assert "Not written yet" in text and HEADINGS[0] in text


def test_renaming_every_label_changes_no_figure(council):
    """The report reads its figures by the rows' keys: a table whose every label and title
    is reworded gives the same key figures, and every row keeps its key through freezing."""
    from reporting.annual_report import _key_figures
    from reporting.tables import Table

    tables = count_tables(2025)
    before = _key_figures(tables, 5)
    assert any(ch.isdigit() for line in before for ch in line)
    renamed = {}
    for key, table in tables.items():
        copy = Table.from_dict(table.to_dict())  # as a published edition freezes it
        copy.title = f"Reworded {copy.title}"
        for row in copy.rows:
            row.label = f"Reworded {row.label[::-1]}"
        renamed[key] = copy
    assert _key_figures(renamed, 5) == before
    for key, table in tables.items():
        assert [r.key for r in renamed[key].rows] == [r.key for r in table.rows]
        assert all(r.key for r in table.rows), key


def test_the_pdf_is_tagged_for_screen_readers_with_a_title_language_and_bookmarks(
    edition, tmp_path
):
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(edition))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()

    assert "Tagged:          yes" in info
    assert "Title:           Annual report" in info
    tree = subprocess.run(
        ["pdfinfo", "-struct", str(path)], capture_output=True, check=True
    ).stdout.decode()
    for element in ("H1", "H2", "Table", "TH", "Figure", "Caption"):
        assert re.search(rf"^\s*{element}( |:|$)", tree, re.MULTILINE), element
    figures = len(re.findall(r"^\s*Figure:", tree, re.MULTILINE))
    alts = _pdf_objects(path.read_bytes())
    assert figures >= 5 and len(alts) >= figures  # every chart has its alternative text


def _pdf_objects(raw: bytes) -> list[bytes]:
    """The /Alt entries of a PDF whose objects are compressed into streams."""
    found = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.DOTALL):
        try:
            text = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        # a literal string, or hexadecimal where the text is not plain ASCII
        found += re.findall(rb"/Alt (?:\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)", text)
    return found


def test_every_chart_says_in_words_what_it_shows(edition):
    from reporting.annual_report import render_html

    html = render_html(edition)

    alts = re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]*)"', html)
    assert len(alts) >= 5
    assert all(alt.startswith(("Bar chart: ", "Column chart by year. ")) for alt in alts)
    assert any(re.search(r"\d\d/\d\d \d+[;,.]", alt) for alt in alts), alts  # the values


def test_the_report_downloads_as_one_web_page(edition, client, complaints_manager):
    client.force_login(complaints_manager)
    response = client.get(f"/reports/{edition.pk}/report.html")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    page = response.content.decode()
    assert '<html lang="en-GB">' in page
    assert "Outcomes of complaints" in page and "<th scope=" in page


def test_the_ombudsmans_decisions_are_listed_with_the_summary_written_for_the_report(
    edition, complaints_manager
):
    from ombudsman.models import Decision
    from ombudsman.services import decision_record, ombudsman_case_create
    from reporting.annual_report import render_html

    def decided(reference, published):
        case = ombudsman_case_create(
            reference=reference,
            received_on=dt.date(2025, 5, 1),
            by=complaints_manager,
            summary="Internal: Mrs Quill's complaint about her son's placement",
        )
        decision_record(
            case,
            decision=Decision.objects.get(code="upheld_fault_injustice"),
            decision_on=dt.date(2025, 9, 1),
            route="investigation",
            published_summary=published,
        )

    decided(
        "25 000 901", "A parent was not told of a change of placement; the council apologised."
    )
    decided("25 000 902", "")  # nothing written for the report: left out

    html = render_html(edition)

    assert "25 000 901" in html and "the council apologised" in html
    assert "25 000 902" not in html
    assert "Quill" not in html
    services.edition_publish(edition, by=complaints_manager)
    edition.refresh_from_db()
    assert [c["reference"] for c in edition.frozen["ombudsman_cases"]] == ["25 000 901"]


def test_the_actions_agreed_are_listed_with_their_progress_at_the_years_end(
    edition, complaints_manager
):
    from complaints.learning import action_add, action_complete
    from complaints.models import AgreedAction
    from reporting.annual_report import render_html

    def agreed(on, published, due, done_on=None):
        action = action_add(
            case=None,
            source=AgreedAction.Source.STAGE_2,
            description="Internal: speak to Ms Quill's social worker",
            owner=complaints_manager,
            due_on=due,
            by=complaints_manager,
            published_summary=published,
        )
        noon = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
        AgreedAction.objects.filter(pk=action.pk).update(created_at=noon)
        if done_on:
            action_complete(action, by=complaints_manager, evidence="Done", on=done_on)

    year_end = dt.date(edition.year + 1, 3, 31)
    agreed(
        dt.date(edition.year, 6, 1),
        "Train staff on <b>recording</b>",
        dt.date(edition.year, 9, 1),
        dt.date(edition.year, 8, 1),
    )
    agreed(
        dt.date(edition.year, 11, 1),
        "Review the visiting standard",
        year_end + dt.timedelta(days=30),
    )
    agreed(
        dt.date(edition.year - 1, 10, 1),
        "Check contact details at each visit",
        dt.date(edition.year, 5, 1),
    )
    agreed(dt.date(edition.year, 7, 1), "", dt.date(edition.year, 9, 1))  # counted, not listed

    html = render_html(edition)

    assert "Train staff on &lt;b&gt;recording&lt;/b&gt;" in html
    assert f"Done on 1 August {edition.year}" in html
    assert f"Under way: due by 30 April {edition.year + 1}" in html
    assert "Progress on the actions agreed the year before" in html
    assert f"Overdue: it was due by 1 May {edition.year}" in html
    assert "Quill" not in html
    services.edition_publish(edition, by=complaints_manager)
    edition.refresh_from_db()
    frozen = edition.frozen["actions_agreed"]
    assert [len(frozen["this"]), len(frozen["before"])] == [2, 1]


def test_each_chart_is_drawn_once_and_kept_for_the_next_render(edition, monkeypatch):
    from reporting import charts
    from reporting.annual_report import render_html

    drawn = []
    draw = charts._svg
    monkeypatch.setattr(charts, "_svg", lambda fig: drawn.append(fig) or draw(fig))

    first = render_html(edition)
    charts_drawn = len(drawn)
    again = render_html(edition)

    assert charts_drawn >= 5
    assert len(drawn) == charts_drawn  # none drawn again
    assert again == first


def test_a_chart_is_drawn_again_when_its_figures_change(monkeypatch):
    from reporting import charts

    drawn = []
    draw = charts._svg
    monkeypatch.setattr(charts, "_svg", lambda fig: drawn.append(fig) or draw(fig))

    first = charts.bars(["Parent", "Child"], [12, "<5"])
    assert charts.bars(["Parent", "Child"], [12, "<5"]) == first
    assert len(drawn) == 1
    charts.bars(["Parent", "Child"], [13, "<5"])
    charts.trend(["24/25", "25/26"], {"Complaints": [12, 13]})
    assert len(drawn) == 3


def test_each_table_is_printed_once_over_every_year_compared(edition):
    from reporting.annual_report import edition_tables, report_context

    raw = edition_tables(edition)
    context = report_context(edition, raw)
    in_body = [table for section in context["sections"] for table in section.tables]
    in_appendix = [table for _, table in context["appendix"]]

    printed = [table.key for table in in_body + in_appendix]
    assert sorted(printed) == sorted(raw)  # every table, none twice
    for table in in_body:
        assert table.columns == raw[table.key].columns, table.key
    pointed = [table.key for s in context["sections"] for table in s.in_appendix]
    assert [table.key for table in in_appendix][: len(pointed)] == pointed


def test_the_sections_point_to_the_appendix_by_its_tables_numbers(edition):
    from reporting.annual_report import render_html

    html = render_html(edition)

    pointers = re.findall(r'<a class="govuk-link" href="#table-([\w-]+)">Table (A\d+): ', html)
    captions = dict(
        re.findall(r'id="table-([\w-]+)"><table[^>]*>\s*<caption[^>]*>Table (A\d+): ', html)
    )
    assert len(pointers) >= 10
    assert all(captions[key] == number for key, number in pointers)
    assert [int(n[1:]) for n in captions.values()] == list(range(1, len(captions) + 1))
    assert html.count("target-counter(") == 1  # the contents page's alone


def test_the_printed_tables_carry_none_of_the_web_pages_classes(
    edition, client, complaints_manager
):
    from reporting.annual_report import render_html

    printed = render_html(edition)
    client.force_login(complaints_manager)
    preview = client.get(f"/reports/{edition.pk}/preview/").content.decode()

    assert "govuk-table__cell--numeric" not in printed
    assert printed.count('<table class="app-figures') >= 40
    assert "govuk-table__cell--numeric" in preview  # the preview keeps GOV.UK's styles
