"""compliments.history_import: a council's past compliments from a spreadsheet."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compliments.history_import import import_compliments
from compliments.models import Compliment
from tests.factories import ServiceAreaFactory
from tests.support.history import csv_bytes

pytestmark = pytest.mark.django_db


def row(**values):
    return {
        "reference": "C-1",
        "received_on": "2023-06-01",
        "service_area": "Fostering",
        "source": "parent",
        "channel": "email",
        "summary": "Thanked the foster carer's supervising social worker",
        **values,
    }


@pytest.fixture
def area(db):
    return ServiceAreaFactory(name="Fostering")


def test_compliments_are_imported_and_a_reimport_updates_them(area, complaints_manager):
    result = import_compliments("c.csv", csv_bytes([row()]), by=complaints_manager)
    assert result.ok and result.created == 1, result.problems

    again = import_compliments("c.csv", csv_bytes([row(summary="Thanks")]), by=complaints_manager)

    assert (again.created, again.updated) == (0, 1)
    assert list(Compliment.objects.values_list("summary", "source_reference")) == [
        ("Thanks", "C-1")
    ]


def test_a_bad_cell_is_reported_and_nothing_is_written(area, complaints_manager):
    rows = [row(), row(reference="C-2", source="A passing owl", received_on="2023-13-01")]

    result = import_compliments("c.csv", csv_bytes(rows), by=complaints_manager)

    assert {(p.row, p.column) for p in result.problems} == {(3, "source"), (3, "received_on")}
    assert not Compliment.objects.exists()


def test_a_dry_run_writes_nothing(area, complaints_manager, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([row()]))
    call_command("import_compliments", str(path), "--dry-run")
    assert not Compliment.objects.exists()
    call_command("import_compliments", str(path))
    assert Compliment.objects.count() == 1
    path.write_bytes(csv_bytes([row(consent_to_publish="yes")]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_compliments", str(path))


def _upload(client, url, data: bytes, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.support.forms import token

    upload = SimpleUploadedFile("compliments.csv", data, content_type="text/csv")
    return client.post(url, {"submission": token(), "file": upload, **fields})


def test_the_manager_checks_then_imports_compliments_in_the_browser(
    area, complaints_manager, client
):
    from django.urls import reverse

    url = reverse("compliment-import")
    client.force_login(complaints_manager)
    assert "Import compliments" in client.get(reverse("import-start")).content.decode()

    checked = _upload(client, url, csv_bytes([row()]), dry_run="yes")
    assert "No problems found" in checked.content.decode()
    assert not Compliment.objects.exists()

    bad = _upload(client, url, csv_bytes([row(source="a stranger")]), dry_run="no")
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "1 problem in the file: nothing was written" in page
    assert "“a stranger” is not one of the sources" in page
    assert not Compliment.objects.exists()

    done = _upload(client, url, csv_bytes([row()]), dry_run="no")
    assert "1 new compliment, 0 updated" in done.content.decode()
    assert Compliment.objects.get().source_reference == "C-1"


def test_only_those_who_import_history_may_import_compliments(area, team_manager, client):
    from django.urls import reverse

    client.force_login(team_manager)
    assert client.get(reverse("compliment-import")).status_code == 403
    assert (
        _upload(client, reverse("compliment-import"), csv_bytes([row()]), dry_run="no").status_code
        == 403
    )
    assert not Compliment.objects.exists()


def test_a_compliment_changed_here_is_not_replaced_and_a_big_file_is_refused_in_a_page(
    area, complaints_manager
):
    from complaints.history_import import FileRefused

    import_compliments("c.csv", csv_bytes([row()]), by=complaints_manager)
    compliment = Compliment.objects.get()
    compliment.summary = "Thanked the whole team"
    compliment.save()

    again = import_compliments("c.csv", csv_bytes([row(reference="c-1")]), by=complaints_manager)

    assert [p.message[:40] for p in again.problems] == ["This compliment has been changed here si"]
    assert Compliment.objects.get().summary == "Thanked the whole team"
    with pytest.raises(FileRefused, match="more than 1 rows"):
        import_compliments(
            "c.csv", csv_bytes([row(), row(reference="C-2")]), by=complaints_manager, max_rows=1
        )
