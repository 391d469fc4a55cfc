"""Benchmarks, reported rather than asserted: `make bench`.

Creates a fresh PostgreSQL database (BENCH_DATABASE_URL, default complaints_bench on the local
server), times `seed_demo --cases N` (BENCH_CASES, default 100,000), then times the case list
that the home page and the case list use and counts its queries.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/complaints_bench")
CASES = int(os.environ.get("BENCH_CASES", "100000"))


def main() -> None:
    env = {**os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    if os.environ.get("BENCH_REUSE") != "1":  # BENCH_REUSE=1 times queries on the last seed
        name = URL.rsplit("/", 1)[1]
        server = URL.rsplit("/", 1)[0] + "/postgres"
        for sql in [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]:
            subprocess.run(["psql", server, "-qc", sql], check=True)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        started = time.monotonic()
        subprocess.run([*manage, "seed_demo", "--cases", str(CASES)], env=env, check=True)
        print(f"seed_demo --cases {CASES:,}: {time.monotonic() - started:.1f} s")

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from complaints.deadlines import working_days_left
    from complaints.selectors import case_list

    today = timezone.localdate()
    for username in ["officer", "teammanager"]:
        user = User.objects.get(username=username)
        timings = []
        for _ in range(21):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                rows = [
                    (
                        c.reference,
                        c.current_stage_id,
                        c.next_due_on,
                        working_days_left(c.next_due_on, today),
                    )
                    for c in case_list(user=user).order_by("-received_on")[:50]
                ]
                timings.append((time.perf_counter() - t) * 1000)
        print(
            f"case list page of {len(rows)} for {username}: median "
            f"{statistics.median(timings):.1f} ms, {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
