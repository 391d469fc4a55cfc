"""Staff change their own password, and reset a forgotten one by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db
NEW = "a-long-new-passphrase-for-2026"


def test_a_signed_in_person_changes_their_password(client, officer):
    client.force_login(officer)
    assert client.get(reverse("password_change")).status_code == 200
    weak = client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 200
    assert "There is a problem" in weak.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW)


def test_a_forgotten_password_is_reset_through_a_one_off_link(client, officer):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": officer.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert officer.email in message.to
    assert officer.last_name not in message.body  # no more personal data than needed
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    used = client.get(link, follow=True)
    assert "This link has expired or was used" in used.content.decode()


def test_an_unknown_address_is_not_disclosed(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
