"""The API's docs (Swagger UI) open in a browser from this server alone: every script and style
from drf-spectacular-sidecar, nothing the Content Security Policy has to block."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_shows_every_endpoint_under_the_content_security_policy(sign_in, officer):
    developer = sign_in(officer)
    page = developer.page
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((developer.base_url, "data:"))
            else None
        ),
    )
    # Swagger UI is a third party's page, so it is not held to axe as ours are.
    assert page.goto(developer.base_url + "/api/docs/").status == 200
    page.get_by_text("/api/v1/cases/{reference}/escalate/").first.wait_for()
    assert page.get_by_text("/api/v1/agreed-actions/{id}/done/").count() == 1
    page.screenshot(path="var/api-docs.png", full_page=False)
    assert developer.blocked == []
    assert outside == []
