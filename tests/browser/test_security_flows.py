"""Security in real Chromium, each page checked by axe-core: setting up two-factor sign-in
and signing in with it, being locked out, reading a case's access log, and a subject-access
bundle that holds one person's records and nobody else's."""

import io
import subprocess
import zipfile

import pytest
from django_otp.oath import TOTP

from accounts.roles import Role
from tests.factories import ComplainantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(typed_key: str) -> str:
    import base64

    key = typed_key.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{TOTP(base64.b32decode(key)).token():06d}"


def test_a_member_of_staff_sets_up_two_factor_and_signs_in_with_it(sign_in, officer):
    person = sign_in(officer)
    person.follow("Your account")
    person.follow("Set up two-factor sign-in")
    page = person.page
    assert page.locator("img[alt^='QR code']").is_visible()
    typed_key = page.locator("#key").inner_text()
    page.fill("#id_code", "000000")
    person.press("Turn on two-factor sign-in")
    assert "That code does not match" in person.text()
    page.fill("#id_code", _code(typed_key))
    person.press("Turn on two-factor sign-in")
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10
    person.press("I have kept my codes")
    person.press(f"Sign out {officer.get_full_name()}")

    person.goto("/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", "password")
    person.press("Sign in")
    assert "Enter the code from your authenticator app" in person.text()
    page.fill("#id_code", _code(typed_key))
    person.press("Continue")
    assert page.url == person.base_url + "/"
    person.goto("/cases/")
    assert page.url == person.base_url + "/cases/"  # not sent back for a code


def test_someone_locked_out_sees_why(browser, live_server, officer, audited, settings):
    from tests.browser.conftest import Person

    person = Person.__new__(Person)  # a visitor who never signs in
    person.base_url, person.audited, person.blocked = live_server.url, audited, []
    person.context = browser.new_context()
    person.page = person.context.new_page()
    person.goto("/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        person.page.fill("#id_username", officer.username)
        person.page.fill("#id_password", "not-the-password")
        person.press("Sign in")
    text = person.text()
    assert "Sign-in is locked for now" in text
    assert "30 minutes" in text and "ask a complaints manager" in text
    person.context.close()


def test_a_complaints_manager_reads_a_cases_access_log(sign_in, build, officer):
    case = build.case("in_progress")
    manager = UserFactory(username="morgan2", role=Role.COMPLAINTS_MANAGER)
    reader = sign_in(officer)
    reader.goto(f"/cases/{case.reference}/")
    boss = sign_in(manager)
    boss.goto(f"/cases/{case.reference}/")
    boss.follow("Read the access log")
    log = boss.text()
    assert officer.get_full_name() in log and "Opened the case" in log
    boss.follow(officer.get_full_name())
    assert case.reference in boss.text()


def test_a_subject_access_bundle_holds_one_persons_records(sign_in, build, officer, tmp_path):
    alice = ComplainantFactory(name="Alice Aardvark")
    bob = ComplainantFactory(name="Bob Bramble")
    mine = build.case("closed", complainant=alice)
    theirs = build.case("in_progress", complainant=bob)
    build.send_letter(mine)
    person = sign_in(officer)
    person.follow("Personal data")
    person.page.fill("#id_search", "Aardvark")
    person.press("Search")
    assert "Alice Aardvark" in person.text() and "Bob" not in person.text()
    person.follow("Alice Aardvark")
    with person.page.expect_download() as download:
        person.page.get_by_role("button", name="Make the bundle (ZIP)").click()
    path = tmp_path / "bundle.zip"
    download.value.save_as(path)
    bundle = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    names = bundle.namelist()
    assert "summary.pdf" in names and any(n.startswith("letters/") for n in names)
    summary = subprocess.run(
        ["pdftotext", "-", "-"], input=bundle.read("summary.pdf"), capture_output=True
    ).stdout.decode()
    assert "Alice Aardvark" in summary and mine.reference in summary
    everything = summary + bundle.read("history.csv").decode() + " ".join(names)
    assert "Bramble" not in everything and theirs.reference not in everything
