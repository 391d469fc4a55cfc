"""Subject access: a bundle of everything held about one person, and nobody else."""

import csv
import io
import subprocess
import zipfile

import pytest
from django.urls import reverse

from complaints.models import AccessRecord, Child
from tests.factories import ComplainantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(build, officer):
    alice = ComplainantFactory(name="Alice Aardvark", email="alice@example.org")
    bob = ComplainantFactory(name="Bob Bramble", email="bob@example.org")
    ruby = Child.objects.create(name="Ruby Aardvark", case_system_reference="MOS-RUBY")
    cases = {
        "alice_1": build.case("closed", complainant=alice, children=[ruby]),
        "alice_2": build.case(
            "in_progress",
            complainant=alice,
            reasonable_adjustments="Large print letters",
            contact_by="phone",
        ),
        "bob": build.case("in_progress", complainant=bob, children=[ruby]),
        "other": build.case("in_progress"),
    }
    build.send_letter(cases["alice_1"])
    build.attach(cases["alice_2"], title="Alice's e-mail", kind="correspondence", name="a.txt")
    build.attach(cases["bob"], title="Bob's e-mail", kind="correspondence", name="bob.txt")
    return {"alice": alice, "bob": bob, "ruby": ruby, "cases": cases}


def _bundle(client, kind, pk) -> zipfile.ZipFile:
    response = client.post(reverse("subject-access-person", args=[kind, pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode()


def test_the_search_keeps_names_out_of_the_address(client, officer, people):
    client.force_login(officer)
    response = client.post(reverse("subject-access"), {"search": "aardvark"})
    assert response.status_code == 302
    assert "aardvark" not in response["Location"].lower()
    page = client.get(response["Location"]).content.decode()
    assert "Alice Aardvark" in page and "Ruby Aardvark" in page and "Bob" not in page


def test_a_complainants_bundle_holds_their_cases_and_no_one_elses(client, officer, people):
    client.force_login(officer)
    cases = people["cases"]
    bundle = _bundle(client, "complainant", people["alice"].pk)
    names = bundle.namelist()
    assert {"summary.pdf", "history.csv", "README.txt"} <= set(names)
    assert any(n.startswith(f"letters/{cases['alice_1'].reference}") for n in names)
    assert any(n.startswith(f"documents/{cases['alice_2'].reference}") for n in names)
    summary = _pdf_text(bundle.read("summary.pdf"))
    assert "Alice Aardvark" in summary
    assert "Large print letters" in summary and "contacted by: telephone" in summary
    assert cases["alice_1"].reference in summary and cases["alice_2"].reference in summary
    everything = summary + bundle.read("history.csv").decode() + bundle.read("README.txt").decode()
    for name in names:
        everything += name
    assert "Bob" not in everything
    assert cases["bob"].reference not in everything
    assert cases["other"].reference not in everything
    history = list(csv.reader(io.StringIO(bundle.read("history.csv").decode())))
    assert {row[1] for row in history[1:]} == {
        cases["alice_1"].reference,
        cases["alice_2"].reference,
    }


def test_a_childs_bundle_holds_every_case_about_them(client, officer, people):
    client.force_login(officer)
    bundle = _bundle(client, "child", people["ruby"].pk)
    summary = _pdf_text(bundle.read("summary.pdf"))
    cases = people["cases"]
    assert cases["alice_1"].reference in summary and cases["bob"].reference in summary
    assert cases["alice_2"].reference not in summary


def test_making_a_bundle_is_in_each_cases_access_log(client, officer, people):
    client.force_login(officer)
    _bundle(client, "complainant", people["alice"].pk)
    logged = AccessRecord.objects.filter(action=AccessRecord.Action.SUBJECT_ACCESS)
    assert {r.case for r in logged} == {people["cases"]["alice_1"], people["cases"]["alice_2"]}
    assert all(r.user == officer for r in logged)


def test_the_preview_writes_nothing_and_outsiders_are_refused(
    client, officer, team_manager, people
):
    client.force_login(officer)
    page = client.get(reverse("subject-access-person", args=["complainant", people["alice"].pk]))
    assert page.status_code == 200
    assert not AccessRecord.objects.exists()
    client.force_login(team_manager)
    assert client.get(reverse("subject-access")).status_code == 403
    url = reverse("subject-access-person", args=["complainant", people["alice"].pk])
    assert client.post(url).status_code == 403
