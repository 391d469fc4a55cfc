"""Benchmarks, reported rather than asserted: `make bench`.

Creates a fresh PostgreSQL database (BENCH_DATABASE_URL, default complaints_bench on the local
server), seeds the demo council with BENCH_SEED_CASES cases (default 2,000) through the history
import, and copies them in SQL up to BENCH_CASES (default 100,000; see bench/replicate.py).
Then times the case list query, and the pages themselves through Django's test client
(middleware, templates and all, no network): the case list with and without filters, a search,
My work and a case page.
"""

import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/complaints_bench")
CASES = int(os.environ.get("BENCH_CASES", "100000"))
SEED_CASES = min(CASES, int(os.environ.get("BENCH_SEED_CASES", "2000")))


def main() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ALLOWED_HOSTS": "testserver",
        "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(50)),
        "TWO_FACTOR_REQUIRED": "false",
    }
    if os.environ.get("BENCH_REUSE") != "1":  # BENCH_REUSE=1 times queries on the last seed
        name = URL.rsplit("/", 1)[1]
        server = URL.rsplit("/", 1)[0] + "/postgres"
        for sql in [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]:
            subprocess.run(["psql", server, "-qc", sql], check=True)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        started = time.monotonic()
        subprocess.run([*manage, "seed_demo", "--cases", str(SEED_CASES)], env=env, check=True)
        print(f"seed_demo --cases {SEED_CASES:,}: {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "replicate.py"), str(CASES)], env=env, check=True
        )
        print(f"copied in SQL up to {CASES:,} cases: {time.monotonic() - started:.1f} s")
        # As autovacuum would before long: fresh statistics and a visibility map.
        subprocess.run(["psql", URL, "-qc", "VACUUM ANALYZE"], check=True)

    else:  # bring the reused database up to date (new tables, rules)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "load_reference_data"], env=env, check=True)

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

    time_pages()
    time_reporting()
    time_chase()


def time_reporting() -> None:
    """The statistics for one year, the dashboard page (counted and read from the cache), the
    periodic recount, and the whole annual-report PDF."""
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from complaints.models import Case, ServiceArea
    from complaints.periods import Period, financial_year_start
    from reporting.annual_report import render_pdf
    from reporting.dashboard import recount
    from reporting.models import Edition
    from reporting.statistics import figures_for

    cases = Case.objects.count()
    year = financial_year_start(timezone.localdate()).year - 1
    runs = 7
    with CaptureQueriesContext(connection) as queries:
        median, _ = _median_ms(lambda: figures_for(Period.year(year)), runs=runs)
        n = len(queries) // runs
    print(
        f"statistics for {year}/{year + 1 - 2000} over {cases:,} cases: median {median:.0f} ms, "
        f"{n} queries"
    )
    client = Client()
    client.force_login(User.objects.get(username="senior"))
    area = ServiceArea.objects.annotate(n=Count("cases")).order_by("-n").first()
    dashboard = "/dashboard/?kind="
    # This year's and last year's are counted by the periodic recount; the rest are counted by
    # whoever opens them first, or asks to "Count again now".
    urls = [
        f"{dashboard}year&year={year}",
        f"{dashboard}year&year={year - 3}",
        f"{dashboard}quarter&year={year}&quarter=3",
        f"{dashboard}year&year={year}&service_area={area.pk}",
    ]
    # Counted: as the first person to open it once its figures have aged, from the months
    # kept (reporting.statistics.recent_figures); beside it, the same page read from the cache:
    # what the page costs without counting.
    for url in urls:
        _time_dashboard(client, url, "counted", cache.clear, runs)
    # The months counted from the cases: the first time, or after a category, a timescale or
    # the calendar changed; and after one case changed (its months forgotten).
    _time_dashboard(client, urls[0], "counted, no month kept", _forget_every_month, runs)
    shown = Period.year(year)
    case = Case.objects.filter(received_on__range=(shown.start, shown.end)).last()
    _time_dashboard(client, urls[0], "counted after a case changed", case.save, runs)
    # "Count again now": the recount from the cases, then the page it goes back to.
    again = f"/dashboard/recount/?{urls[0].split('?', 1)[1]}"
    median, _ = _median_ms(lambda: client.post(again, follow=True), runs=runs)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(again, follow=True).status_code == 200
        n = len(queries)
    print(f"senior       count again now {again}: median {median:.0f} ms, {n} queries")
    cache.clear()
    started = time.perf_counter()
    recount(timezone.localdate())  # leaves the last complete year counted, as beat would
    print(
        f"periodic recount (this year's and last year's dashboards, last year's draft report): "
        f"{time.perf_counter() - started:.1f} s"
    )
    # A draft counts its five years and quarters unless the dashboard has just counted them;
    # a published edition renders from the tables it froze.
    renders = [
        ("draft, counted", Edition(year=year), cache.clear),
        ("draft, its figures already in the cache", Edition(year=year), lambda: None),
        (
            "published (frozen tables)",
            Edition(year=year, frozen={"tables": _frozen(year), "extracts": []}),
            lambda: None,
        ),
    ]
    for label, edition, before in renders:
        timings = []
        for _ in range(3):  # a shared machine's noise is a second or more either way
            before()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                pdf = render_pdf(edition)
            timings.append(time.perf_counter() - started)
        print(
            f"annual report PDF for {year}, {label}: median {statistics.median(timings):.1f} s, "
            f"slowest {max(timings):.1f} s of 3, {len(pdf) / 1024:.0f} KB, "
            f"{len(queries)} queries"
        )


def _time_dashboard(client, url: str, how: str, before, runs: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted():
        before()
        cache.clear()
        return client.get(url)

    median, _ = _median_ms(counted, runs=runs)
    with CaptureQueriesContext(connection) as queries:
        assert counted().status_code == 200
        n = len(queries)
    read, _ = _median_ms(lambda: client.get(url), runs=21)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
        n_read = len(queries)
    print(
        f"senior       dashboard {url}, {how}: median {median:.0f} ms, {n} queries "
        f"(read from the cache: median {read:.0f} ms, {n_read} queries)"
    )


def _forget_every_month() -> None:
    from reporting.statistics import months_changed

    months_changed(everything=True)


def _frozen(year: int) -> dict:
    from reporting.annual_report import count_tables

    return {key: table.to_dict() for key, table in count_tables(year).items()}


def time_chase() -> None:
    """The daily chase over every case: plan (one query per rule), queue, deliver."""
    import datetime as dt

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from complaints import chasing
    from complaints.models import Case, Notification
    from complaints.workingdays import is_working_day

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    day = timezone.localdate()
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    Notification.objects.filter(rule__trigger__in=["deadline", "not_allocated", "digest"]).delete()
    cases = Case.objects.count()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        planned = chasing.plan(day)
        planning = time.perf_counter() - started
        plan_queries = len(queries)
    started = time.perf_counter()
    outcome = chasing.run(day)
    total = time.perf_counter() - started
    print(
        f"chase over {cases:,} cases for {day}: planning {planning:.2f} s in {plan_queries} "
        f"queries, {len(planned)} due; the whole run {total:.2f} s "
        f"(queued {outcome.queued}, sent {outcome.sent})"
    )
    started = time.perf_counter()
    again = chasing.run(day)
    print(
        f"second chase the same day: {time.perf_counter() - started:.2f} s, "
        f"queued {again.queued}, sent {again.sent}"
    )


def _median_ms(fn, runs: int = 21) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - t) * 1000)
    return statistics.median(timings), result


def time_pages() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from complaints.models import Case

    stage_2 = Case.objects.filter(current_stage__level=2).order_by("-received_on").first()
    pages = {
        "officer": [
            ("case list", "/cases/", None),
            ("case list, in progress by due date", "/cases/?state=in_progress&sort=due", None),
            ("case list, overdue", "/cases/?overdue=on", None),
            ("case list, search by surname", "/cases/", "Thornley"),
            ("my work", "/", None),
            (f"case page ({stage_2.reference}, Stage 2)", f"/cases/{stage_2.reference}/", None),
        ],
        "teammanager": [("case list", "/cases/", None), ("my work", "/", None)],
    }
    for username, urls in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url, search in urls:
            if search:
                client.post("/cases/", {"search": search})
            else:
                session = client.session
                session.pop("case_search", None)
                session.save()

            def get(url=url, client=client):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            client.get(url)  # warm
            median, _ = _median_ms(get)
            with CaptureQueriesContext(connection) as queries:
                get()
            print(f"{username:12} {label}: median {median:.0f} ms, {len(queries)} queries")


if __name__ == "__main__":
    main()
