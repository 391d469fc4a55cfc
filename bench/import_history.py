"""Time the history import, reported rather than asserted: `make bench-import`.

Creates a fresh PostgreSQL database (BENCH_IMPORT_DATABASE_URL, default complaints_import_bench
on the local server), loads the reference data and three service areas, then imports
BENCH_IMPORT_CASES (default 10,000) cases laid out as the template (bench/history_rows.py)
through complaints.history_import: checked, then replayed through the workflow in one
transaction. Prints the time and the rate.
"""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get(
    "BENCH_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/complaints_import_bench"
)
CASES = int(os.environ.get("BENCH_IMPORT_CASES", "10000"))


def main() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(50)),
        "TWO_FACTOR_REQUIRED": "false",
    }
    name = URL.rsplit("/", 1)[1]
    server = URL.rsplit("/", 1)[0] + "/postgres"
    for sql in [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]:
        subprocess.run(["psql", server, "-qc", sql], check=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "load_reference_data"], env=env, check=True, capture_output=True)

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.history_rows import history_rows
    from complaints.history_import import import_cases
    from complaints.models import Case, Directorate, ServiceArea, Team
    from complaints.spreadsheets import csv_text

    directorate, _ = Directorate.objects.get_or_create(name="Children's Services")
    areas = []
    for area in ("Safeguarding", "Children in Care", "Fostering"):
        service = ServiceArea.objects.create(directorate=directorate, name=area)
        Team.objects.create(service=service, name=f"{area} team")
        areas.append((area, f"{area} team"))
    rows = history_rows(CASES, areas=areas)
    header = list(dict.fromkeys(k for row in rows for k in row))
    data = csv_text(header, [[row.get(k, "") for k in header] for row in rows]).encode()

    started = time.monotonic()
    checked = import_cases("history.csv", data, by=None, dry_run=True)
    dry = time.monotonic() - started
    started = time.monotonic()
    result = import_cases("history.csv", data, by=None)
    real = time.monotonic() - started
    assert result.ok and Case.objects.count() == CASES, result.problems[:3]
    print(f"history import, {CASES:,} cases ({len(data) / 1_048_576:.1f} MB of CSV):")
    print(f"  check only (dry run): {dry:.0f} s, {1000 * dry / CASES:.0f} ms a case")
    print(f"  import: {real:.0f} s, {1000 * real / CASES:.0f} ms a case ({checked.rows:,} rows)")


if __name__ == "__main__":
    main()
