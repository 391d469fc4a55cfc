"""Two-factor sign-in: required by a setting, always asked of anyone enrolled."""

import contextlib
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor

pytestmark = pytest.mark.django_db


def code_for(key: str, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key))
    totp.time = at or time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def enrol(client):
    page = client.get(reverse("two-factor-setup"))
    key = client.session["two_factor_enrolment_key"]
    response = client.post(reverse("two-factor-setup"), {"code": code_for(key), "next": "/"})
    return page, key, response


def test_when_required_every_page_and_the_api_wait_for_set_up(client, officer, required):
    client.force_login(officer)
    page = client.get(reverse("case-list"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("two-factor-setup"))
    api = client.get(reverse("api-cases"))
    assert api.status_code == 403
    assert "second factor" in api.json()["detail"]


def test_setting_up_shows_a_qr_code_and_the_key_and_stores_nothing_until_a_code_matches(
    client, officer, required
):
    client.force_login(officer)
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    assert page.context["enrolment"].typed_key in html
    assert not TOTPDevice.objects.exists()  # a GET writes no device
    wrong = client.post(reverse("two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()


def test_set_up_turns_it_on_shows_backup_codes_once_and_opens_the_pages(client, officer, required):
    client.force_login(officer)
    _, key, response = enrol(client)
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed and device.key == key
    codes = client.get(response["Location"])
    assert codes.status_code == 200
    shown = codes.context["codes"]
    assert len(shown) == two_factor.BACKUP_CODES
    assert StaticDevice.objects.get(user=officer).token_set.count() == two_factor.BACKUP_CODES
    assert client.get(reverse("two-factor-backup-codes")).status_code == 302  # shown once
    assert client.get(reverse("case-list")).status_code == 200


def test_an_enrolled_person_gives_a_code_at_each_sign_in_even_when_not_required(client, officer):
    key = two_factor.new_key()
    TOTPDevice.objects.create(user=officer, key=key, name="app", confirmed=True)
    client.force_login(officer)
    asked = client.get(reverse("case-list"))
    assert asked["Location"].startswith(reverse("two-factor-verify"))
    wrong = client.post(reverse("two-factor-verify"), {"code": "123456"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    # django-otp makes the next try wait after a failure.
    waited = time.time() + 5
    TOTPDevice.objects.filter(user=officer).update(throttling_failure_timestamp=None)
    ok = client.post(
        reverse("two-factor-verify"), {"code": code_for(key, waited), "next": "/cases/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/cases/"
    assert client.get(reverse("case-list")).status_code == 200


def test_a_backup_code_works_once(client, officer):
    TOTPDevice.objects.create(user=officer, key=two_factor.new_key(), confirmed=True)
    codes = two_factor.backup_codes_replace(user=officer)
    client.force_login(officer)
    used = client.post(reverse("two-factor-verify"), {"code": codes[0].upper()})
    assert used.status_code == 302
    client.logout()
    client.force_login(officer)
    again = client.post(reverse("two-factor-verify"), {"code": codes[0]})
    assert again.status_code == 400


def test_wrong_codes_are_throttled(client, officer):
    key = two_factor.new_key()
    TOTPDevice.objects.create(user=officer, key=key, confirmed=True)
    client.force_login(officer)
    for _ in range(3):
        client.post(reverse("two-factor-verify"), {"code": "000000"})
    # Even the right code is refused while the wait lasts.
    refused = client.post(reverse("two-factor-verify"), {"code": code_for(key)})
    assert refused.status_code == 400
    assert "Too many wrong codes" in refused.content.decode()


def test_it_cannot_be_turned_off_where_it_is_required(client, officer, required):
    client.force_login(officer)
    enrol(client)
    client.post(reverse("two-factor-remove"))
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_it_can_be_turned_off_where_it_is_optional(client, officer):
    client.force_login(officer)
    enrol(client)
    client.post(reverse("two-factor-remove"))
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert client.get(reverse("case-list")).status_code == 200


def test_the_next_address_cannot_leave_the_site(client, officer):
    key = two_factor.new_key()
    TOTPDevice.objects.create(user=officer, key=key, confirmed=True)
    client.force_login(officer)
    response = client.post(
        reverse("two-factor-verify"), {"code": code_for(key), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_password_alone_cannot_replace_the_device(client, officer):
    """Someone with only the password must not enrol a phone of their own."""
    key = two_factor.new_key()
    TOTPDevice.objects.create(user=officer, key=key, confirmed=True)
    client.force_login(officer)
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("two-factor-verify"))
    attacker_key = two_factor.new_key()
    session = client.session
    session["two_factor_enrolment_key"] = attacker_key
    session.save()
    posted = client.post(reverse("two-factor-setup"), {"code": code_for(attacker_key)})
    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("two-factor-verify"))
    assert TOTPDevice.objects.get(user=officer).key == key
    assert client.get(reverse("case-list")).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_code_sent_twice_at_once_works_once(officer):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent connections; CI runs this on it")
    code = two_factor.backup_codes_replace(user=officer)[0]
    barrier, accepted = threading.Barrier(8), []

    def sign_in():
        try:
            barrier.wait()
            with contextlib.suppress(two_factor.TwoFactorError):
                accepted.append(two_factor.verify(user=officer, code=code))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(accepted) == 1
