"""The OpenAPI schema is valid OpenAPI 3, and drf-spectacular has no warning about any view: a
warning means an endpoint is documented wrongly or not at all."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_with_no_warnings(tmp_path):
    path = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(path),
    )
    schema = json.loads(path.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/cases/{reference}/letters/{id}/send/" in schema["paths"]
