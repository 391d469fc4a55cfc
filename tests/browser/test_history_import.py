"""A complaints manager brings in the council's history in the browser: the template, a check
that finds a problem, then the import, each page audited by axe."""

from complaints.models import Case
from tests.factories import ServiceAreaFactory, TeamFactory
from tests.support.history import case_row, csv_bytes


def test_the_manager_checks_a_file_puts_it_right_and_imports_it(
    sign_in, complaints_manager, tmp_path
):
    TeamFactory(service=ServiceAreaFactory(name="Safeguarding"), name="East")
    answered = case_row(
        "OLD-1",
        "2023-05-02",
        stage1_team="East",
        stage1_responded_on="2023-05-12",
        stage1_outcome="Not upheld",
    )
    wrong = tmp_path / "history.csv"
    wrong.write_bytes(csv_bytes([{**answered, "channel": "Carrier pigeon"}]))
    right = tmp_path / "history-fixed.csv"
    right.write_bytes(csv_bytes([answered]))

    morgan = sign_in(complaints_manager)
    morgan.follow("Import cases")
    page = morgan.page
    with page.expect_download() as template:
        page.get_by_role("link", name="Download the template (CSV)").click()
    assert template.value.suggested_filename == "case-history-template.csv"

    page.set_input_files("#id_file", str(wrong))
    morgan.press("Upload and check")
    assert "1 problem in the file: nothing was written" in morgan.text()
    assert "“Carrier pigeon” is not one of the channels" in morgan.text()

    morgan.follow("Back to importing cases")
    page.set_input_files("#id_file", str(right))
    page.get_by_label("Import it: write the cases if no row has a problem").check()
    morgan.press("Upload and check")
    assert "Imported" in morgan.text() and "1 new case" in morgan.text()
    assert Case.objects.get().source_reference == "OLD-1"

    morgan.follow("Back to importing cases")
    morgan.press("Upload and check")  # no file chosen
    assert "Select the spreadsheet to import" in morgan.text()


def test_the_manager_brings_in_compliments_and_earlier_years_figures(
    sign_in, complaints_manager, tmp_path
):
    from compliments.models import Compliment
    from reporting.models import PublishedFigure

    ServiceAreaFactory(name="Fostering")
    compliment = {
        "reference": "C-1",
        "received_on": "2023-06-01",
        "service_area": "Fostering",
        "source": "parent",
        "channel": "email",
        "summary": "Thanked the supervising social worker",
    }
    wrong = tmp_path / "compliments.csv"
    wrong.write_bytes(csv_bytes([{**compliment, "channel": "Carrier pigeon"}]))
    right = tmp_path / "compliments-fixed.csv"
    right.write_bytes(csv_bytes([compliment]))
    figures = tmp_path / "figures.csv"
    figures.write_text("year,table,row,value\n2022,representations,Complaint,49\n")

    morgan = sign_in(complaints_manager)
    morgan.follow("Import cases")
    morgan.follow("Import compliments")
    page = morgan.page
    page.set_input_files("#id_file", str(wrong))
    page.get_by_label("Import it: write the compliments if no row has a problem").check()
    morgan.press("Upload and check")
    assert "1 problem in the file: nothing was written" in morgan.text()
    page.set_input_files("#id_file", str(right))
    page.get_by_label("Import it: write the compliments if no row has a problem").check()
    morgan.press("Upload and check")
    assert "1 new compliment" in morgan.text()
    assert Compliment.objects.count() == 1

    morgan.follow("Annual report")
    morgan.follow("enter the figures your council published")
    page.set_input_files("#id_file", str(figures))
    morgan.press("Load the figures")
    assert "1 published figure loaded." in morgan.text()
    assert PublishedFigure.objects.get().value == 49
