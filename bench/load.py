"""Load, reported rather than asserted: `make load`.

Serves the app as production does, gunicorn on PostgreSQL, on loopback, and runs locust
(bench/locustfile.py) against it: LOAD_USERS complaints officers (default 50, ten more a second)
for LOAD_DURATION (default 2m) over the case list, case pages and a workflow move. Creates a
fresh database (LOAD_DATABASE_URL, default complaints_load on the local server) seeded with
LOAD_CASES cases (default 20,000), or reuses the last one with LOAD_REUSE=1.

Prints, per request and overall, the requests, failures, median, 95th percentile and requests
a second; the moves the database recorded; the server's own count of answers by status and of
errors it logged; and whose the CPU was, as on a shared machine the server gets what another
job leaves it. Everything it writes is in var/load/. It exits non-zero only when the
run itself broke (the server did not answer, locust did not finish), never for being slow.
"""

import contextlib
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psutil  # locust's own dependency, so here whenever locust is

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "load"
URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/complaints_load")
CASES = int(os.environ.get("LOAD_CASES", "20000"))
USERS = int(os.environ.get("LOAD_USERS", "50"))
DURATION = os.environ.get("LOAD_DURATION", "2m")
# As the Dockerfile, so the figures are production's. Sync workers spend most of a request on
# the CPU rendering the page; on a two-core machine that locust and PostgreSQL share, cores + 1
# keeps both cores at work while one worker waits on the database. LOAD_WORKERS tries others.
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
MOVE = "POST acknowledge, post"  # as bench/locustfile.py names it


def seconds(duration: str) -> int:
    """locust's own forms: 90, 90s, 2m, 1h30m."""
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", duration.strip())
    if not parts or not any(parts.groups()):
        sys.exit(f"LOAD_DURATION={duration!r}: write it as locust does, e.g. 2m, 90s, 1h30m.")
    h, m, s = (int(g or 0) for g in parts.groups())
    return h * 3600 + m * 60 + s


def main() -> None:
    run_for = seconds(DURATION)
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(50)),
        "TWO_FACTOR_REQUIRED": "false",
        # Every user signs in as the same officer from the same address; none fails, but a
        # lock-out would turn the rest of the run into sign-in pages.
        "LOGIN_FAILURE_LIMIT": "100000",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    if os.environ.get("LOAD_REUSE") != "1":
        # Django's options after "?" (conn_max_age=60, say) mean nothing to psql.
        server, name = URL.split("?", 1)[0].rsplit("/", 1)
        for sql in [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]:
            subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        started = time.monotonic()
        subprocess.run([*manage, "seed_demo", "--cases", str(CASES)], env=env, check=True)
        print(f"seed_demo --cases {CASES:,}: {time.monotonic() - started:.1f} s")
        subprocess.run(["psql", f"{server}/{name}", "-qc", "VACUUM ANALYZE"], check=True)
    else:  # bring the reused database up to date (new tables, rules)
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "load_reference_data"], env=env, check=True)

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    cases_file = OUT / "cases.json"
    cases_file.write_text(json.dumps(pick_cases()))
    moves_before, cases = moves_recorded(), case_count()
    connection.close()  # the driver holds no connection while the server is measured

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server_log, access_log = OUT / "gunicorn.log", OUT / "access.log"
    access_log.unlink(missing_ok=True)  # gunicorn appends
    with server_log.open("w") as log:
        server = subprocess.Popen(
            [
                BIN / "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--access-logfile",
                str(access_log),
                # gunicorn's usual line and the milliseconds the worker took, so that time
                # spent waiting for a free worker shows as the difference from locust's.
                "--access-logformat",
                '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s',
                "--error-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    cpu = None
    try:
        wait_until_up(server, f"{host}/accounts/login/")
        print(
            f"{USERS} users for {DURATION} against gunicorn ({WORKERS} workers) on {host}, "
            f"{cases:,} cases"
        )
        before = cpu_used(server)
        finished = run_locust(host, cases_file, env, run_for)
        cpu = [b - a for a, b in zip(before, cpu_used(server), strict=True)]
    finally:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    results = report(OUT / "results.json") if finished else None
    moves = moves_recorded() - moves_before
    posted = next((r for r in (results or {}).get("requests", []) if r["name"] == MOVE), None)
    made = posted["requests"] - posted["failures"] if posted else 0
    print(f"acknowledgements recorded in the database: {moves:,} (locust counted {made:,})")
    server_side(access_log, server_log)
    if cpu:
        busy, wall, served, database, driven = cpu
        print(
            f"CPU over the run: {busy:.0f} of {wall * psutil.cpu_count():.0f} core-seconds busy; "
            f"gunicorn {served:.0f}, PostgreSQL {database:.0f}, locust {driven:.0f}, "
            f"anything else on the machine {busy - served - database - driven:.0f}"
        )
    if not results or not results["total"]["requests"]:
        sys.exit("The run did not complete; see var/load/locust.log and var/load/gunicorn.log.")


def cpu_used(server: subprocess.Popen) -> tuple[float, ...]:
    """CPU seconds so far: the machine's busy time, the wall clock, gunicorn's master and
    workers, PostgreSQL, and the children this script has waited for (locust, once it has
    finished). Another job on a shared machine takes cores from the server; this shows it."""
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0)
    master = psutil.Process(server.pid)
    served = sum(_cpu(p) for p in [master, *master.children(recursive=True)])
    # With Django's default CONN_MAX_AGE of 0 a connection lasts a request, so most backends
    # have exited by now: their time is in the postmaster's count of its children's.
    database = sum(
        _cpu(p, children=True)
        for p in psutil.process_iter(["name"])
        if p.info["name"] == "postgres"
    )
    driven = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy, time.monotonic(), served, database, driven.ru_utime + driven.ru_stime


def _cpu(process: psutil.Process, children: bool = False) -> float:
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return (
            times.user
            + times.system
            + (times.children_user + times.children_system if children else 0)
        )
    return 0.0


def pick_cases() -> dict:
    """Case pages from the whole council; moves only on cases that can take one today."""
    from django.utils import timezone

    from complaints.models import Case
    from complaints.workflow import TRANSITIONS, Move

    cases = Case.objects.order_by("?").values_list("reference", flat=True)
    moves = cases.filter(
        state__in=TRANSITIONS[Move.ACKNOWLEDGE].sources,
        current_stage__requested_on__lte=timezone.localdate(),
    )
    # Enough cases that two users rarely wait on the same case's row lock.
    picked = {"pages": list(cases[:2000]), "moves": list(moves[:500])}
    if not picked["pages"] or not picked["moves"]:
        sys.exit("The load database has no cases to open or acknowledge; seed it again.")
    return picked


def moves_recorded() -> int:
    from complaints.models import Event
    from complaints.workflow import Move

    return Event.objects.filter(move=Move.ACKNOWLEDGE).count()


def case_count() -> int:
    from complaints.models import Case

    return Case.objects.count()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(server: subprocess.Popen, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode}); see var/load/gunicorn.log.")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer {url} within {timeout:.0f} s; see var/load/gunicorn.log.")


def run_locust(host: str, cases_file: Path, env: dict, run_for: int) -> bool:
    """True if locust ran to its time limit and wrote its figures."""
    results = OUT / "results.json"
    results.unlink(missing_ok=True)
    command = [
        BIN / "locust",
        "-f",
        ROOT / "bench" / "locustfile.py",
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        "10",
        "--run-time",
        DURATION,
        "--stop-timeout",
        "10",  # a user half-way through a move finishes it
        "--host",
        host,
        "--only-summary",
        # Failed requests are reported, not a reason to call the run broken.
        "--exit-code-on-error",
        "0",
    ]
    with (OUT / "locust.log").open("w") as log:
        try:
            result = subprocess.run(
                command,
                env={**env, "LOAD_CASES_FILE": str(cases_file), "LOAD_RESULTS_FILE": str(results)},
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own limit plus spawning, the stop timeout and start-up, with room to spare.
                timeout=run_for + USERS / 10 + 60,
            )
        except subprocess.TimeoutExpired:
            print("locust overran its time limit and was stopped.")
            return False
    if result.returncode != 0:
        print(f"locust exited {result.returncode}; see var/load/locust.log.")
    return result.returncode == 0 and results.exists()


def report(path: Path) -> dict:
    """The table, then each distinct failure and any error in the locustfile itself."""
    results = json.loads(path.read_text())
    print(
        f"\n{'request':36} {'requests':>9} {'failures':>9} {'median ms':>10} {'p95 ms':>8} "
        f"{'req/s':>7}"
    )
    for row in [*results["requests"], results["total"]]:
        print(
            f"{row['name']:36} {row['requests']:>9,} {row['failures']:>9,} "
            f"{row['median_ms'] or 0:>10,} {row['p95_ms'] or 0:>8,} {row['per_second']:>7.1f}"
        )
    for line in results["errors"] + results["exceptions"]:
        print(f"  {line}")
    return results


def server_side(access_log: Path, server_log: Path) -> None:
    """What gunicorn saw: answers by status, the time its workers took, and the errors and
    timeouts it logged."""
    statuses, took = Counter(), []
    lines = access_log.read_text().splitlines() if access_log.exists() else []
    for line in lines:
        found = re.search(r'" (\d{3}) .* (\d+)$', line)  # ..." 200 12345 "-" "agent" 87
        if found:
            statuses[found.group(1)] += 1
            took.append(int(found.group(2)))
    took.sort()
    print(
        "gunicorn answered: "
        + ", ".join(f"{count:,} × {status}" for status, count in sorted(statuses.items()))
        + (
            f"; its workers took a median {took[len(took) // 2]} ms, p95 "
            f"{took[int(len(took) * 0.95)]} ms"
            if took
            else ""
        )
    )
    text = server_log.read_text() if server_log.exists() else ""
    logged = {
        "server errors": text.count("Internal Server Error"),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker timeouts": text.count("WORKER TIMEOUT"),
        "lock or deadlock errors": len(re.findall(r"deadlock detected|lock timeout", text, re.I)),
    }
    print(
        "gunicorn logged: "
        + ", ".join(f"{count} {what}" for what, count in logged.items())
        + (" (see var/load/gunicorn.log)" if any(logged.values()) else "")
    )


if __name__ == "__main__":
    main()
