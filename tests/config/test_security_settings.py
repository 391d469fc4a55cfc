"""Production settings and the headers every answer carries (README "Security")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-key-" + "k" * 40,
    "SECURE_COOKIES": "true",
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
}


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what a server's environment would hold: nothing from this test run leaks in.
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "key", [None, "insecure-development-key-set-SECRET_KEY-in-production", ""]
)
def test_the_public_development_key_is_refused_without_debug(key):
    env = {**PRODUCTION}
    env.pop("SECRET_KEY")
    if key is not None:
        env["SECRET_KEY"] = key
    result = _run("-c", "import config.settings.base", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_behind_https_redirects_and_sends_hsts():
    code = (
        "import json, config.settings.base as s; print(json.dumps([s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE]))"
    )
    result = _run("-c", code, **PRODUCTION)
    assert json.loads(result.stdout) == [True, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"], True]


@pytest.mark.django_db
def test_pages_exports_and_the_api_are_never_stored(client, officer):
    client.force_login(officer)
    for url in (reverse("case-list"), reverse("case-export"), reverse("api-cases")):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_without_unsafe_inline(client, officer):
    client.force_login(officer)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = response.context["request"].csp_nonce
    assert f"'nonce-{nonce}'" in policy
    # The one inline script carries the nonce; no other inline script or style attribute.
    html = response.content.decode()
    assert html.count("<script") == html.count(f'nonce="{nonce}"') + html.count("<script type=")
    assert " style=" not in html
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
