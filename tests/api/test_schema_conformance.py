"""schemathesis against a live server, with a complaints officer's token and every check on:
no 5xx, and no answer that differs from the schema, over at least 1,000 generated requests.

It runs on PostgreSQL, the database councils deploy on: CI runs it there once rather than
twice (it takes minutes); the API's own tests run on both."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from complaints.models import Case

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_endpoint_answers_as_its_schema_says(live_server, client, officer, build, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL; CI runs it with DATABASE_URL set")
    case = build.case(Case.State.IN_PROGRESS)
    token = Token.objects.create(user=officer)
    client.force_login(officer)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    schema_file = tmp_path / "schema.json"
    schema_file.write_bytes(schema.content)
    operations = sum(len(methods) for methods in json.loads(schema.content)["paths"].values())
    report = tmp_path / "report"

    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            str(schema_file),
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--workers",
            "1",
            "--seed",
            "1989",
            "--report",
            "ndjson",
            "--report-dir",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CASE_REFERENCE": case.reference, "API_TOKEN": token.key},
        timeout=1800,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    requests = sum(
        line.count('"request"')
        for path in report.glob("*.ndjson")
        for line in path.read_text().splitlines()
    )
    # Seen with `-o log_cli=true --log-cli-level=INFO`.
    logging.getLogger(__name__).info("%s operations, %s requests", operations, requests)
    assert operations >= 40, operations
    assert requests >= 1000, (requests, output[-3000:])
