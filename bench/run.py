"""Benchmarks, reported rather than asserted: `make bench`.

Creates a fresh PostgreSQL database (BENCH_DATABASE_URL, default complaints_bench on the local
server), seeds the demo council with BENCH_SEED_CASES cases (default 2,000) through the history
import, and copies them in SQL up to BENCH_CASES (default 100,000; see bench/replicate.py).
Then times the case list query, and the pages themselves through Django's test client
(middleware, templates and all, no network): the case list with and without filters, a search,
My work and a case page. BENCH_REUSE=1 times the last seed again;
BENCH_ONLY=pages,reporting,chase,pool picks the parts. `pool` adds a pool of BENCH_POOL
people (default 200) with their checks, conflicts and a few thousand open appointments, if it
is missing, and times the proposals a Stage 2 appointment offers and the appointment page.
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
    parts = {
        "pages": time_pages,
        "reporting": time_reporting,
        "chase": time_chase,
        "pool": time_pool,
    }
    for name in os.environ.get("BENCH_ONLY", ",".join(parts)).split(","):  # e.g. BENCH_ONLY=pages
        parts[name]()


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
    for url in urls:
        # Counted: as the first person to open it once its figures have aged, or "Count again";
        # beside it, the same page read from the cache: what the page costs without counting.
        def counted(url=url):
            cache.clear()
            return client.get(url)

        median, _ = _median_ms(counted, runs=runs)
        with CaptureQueriesContext(connection) as queries:
            assert counted().status_code == 200
            n = len(queries)
        read, _ = _median_ms(lambda url=url: client.get(url), runs=21)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
            n_read = len(queries)
        print(
            f"senior       dashboard {url}, counted: median {median:.0f} ms, {n} queries "
            f"(read from the cache: median {read:.0f} ms, {n_read} queries)"
        )
    # "Count again now": the recount, then the page it goes back to, read from the cache.
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
    # a published edition renders from the tables it froze. The render's own progress steps
    # split its time: counting (or reading) the tables; the sections, charts and template;
    # WeasyPrint's layout; writing the PDF.
    renders = [
        ("draft, counted", Edition(year=year), cache.clear),
        ("draft, its figures already in the cache", Edition(year=year), lambda: None),
        (
            "published (frozen tables)",
            Edition(year=year, frozen={"tables": _frozen(year), "extracts": []}),
            lambda: None,
        ),
    ]
    phases = ["counting", "charts and template", "layout", "writing"]
    for label, edition, before in renders:
        runs = []
        for _ in range(3):  # a shared machine's noise is a second or more either way
            before()
            marks = []

            def mark(pct, step, marks=marks):
                marks.append(time.perf_counter())

            started, cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                pdf = render_pdf(edition, progress=mark)
            ended, cpu = time.perf_counter(), time.process_time() - cpu
            split = [b - a for a, b in zip(marks, [*marks[1:], ended], strict=True)]
            runs.append([ended - started, cpu, *split])
        total, cpu, *split = (statistics.median(column) for column in zip(*runs, strict=True))
        # This process's CPU time leaves out the database's work and other processes' load.
        print(
            f"annual report PDF for {year}, {label}: median {total:.1f} s of 3, this process's "
            f"CPU {cpu:.1f} s (slowest {max(r[0] for r in runs):.1f} s; "
            + ", ".join(f"{name} {t:.1f} s" for name, t in zip(phases, split, strict=True))
            + f"), {len(pdf) / 1024:.0f} KB, {len(queries)} queries"
        )


def _frozen(year: int) -> dict:
    from reporting.annual_report import count_tables

    return {key: table.to_dict() for key, table in count_tables(year).items()}


def time_chase() -> None:
    """The daily chase over every case, step by step as `chasing.run` takes them: plan (one
    query per rule), queue (the outbox, in batches), deliver (locmem backend); then the mail
    alone for the same messages (the floor delivery cannot beat), and a second run."""
    import datetime as dt
    from contextlib import contextmanager

    from django.conf import settings
    from django.core.mail import get_connection
    from django.db import connection, transaction
    from django.utils import timezone

    from complaints import chasing
    from complaints.models import Case, Notification
    from complaints.workingdays import is_working_day

    @contextmanager
    def counted():
        # A counter rather than CaptureQueriesContext, whose log of each query costs time.
        count = [0]

        def count_one(execute, *args):
            count[0] += 1
            return execute(*args)

        with connection.execute_wrapper(count_one):
            started = time.perf_counter()
            yield count
            count.append(time.perf_counter() - started)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    day = timezone.localdate()
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    # Everything the daily chase writes, so that a reused database chases the same again.
    Notification.objects.filter(rule__trigger__in=list(chasing._PLANNERS)).delete()
    cases = Case.objects.count()
    with counted() as planning:
        planned = chasing.plan(day)
    with counted() as queueing, transaction.atomic():
        queued = chasing.queue(planned)
    with counted() as delivery:
        sent, failed = chasing.deliver()
    print(
        f"chase over {cases:,} cases for {day}: planning {planning[1]:.2f} s in {planning[0]} "
        f"queries, {len(planned)} due; queueing {queueing[1]:.2f} s in {queueing[0]} queries, "
        f"{queued} queued; delivery {delivery[1]:.2f} s in {delivery[0]} queries, {sent} sent, "
        f"{failed} failed, {sent / delivery[1]:,.0f} messages a second; the whole run "
        f"{planning[1] + queueing[1] + delivery[1]:.2f} s"
    )
    notes = list(Notification.objects.filter(key__in=[n.key for n in planned]))
    started = time.perf_counter()
    with get_connection() as mail:
        for note in notes:
            mail.send_messages(chasing._messages(note))
    floor = time.perf_counter() - started
    print(
        f"the same {len(notes)} messages built and handed to the backend, no database: "
        f"{floor:.2f} s, {len(notes) / floor:,.0f} a second"
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


def _floor_ms(captured, runs: int = 21) -> float:
    """The floor under a figure: the same SELECTs the page ran, run bare on one cursor, with
    no ORM, template or middleware around them."""
    from django.db import connection

    selects = []
    for query in captured:
        sql = query["sql"]
        if sql.startswith("DECLARE"):  # a server-side cursor: its SELECT follows FOR
            sql = sql[sql.index(" FOR ") + 5 :]
        if sql.lstrip("(").startswith("SELECT"):
            selects.append(sql)

    def bare():
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()

    median, _ = _median_ms(bare, runs=runs)
    return median


def time_pages() -> None:
    """Pages through Django's test client (middleware, templates and all, no network), each
    beside its floor and with its query count."""
    from django.test import Client

    from accounts.models import User
    from complaints.models import Case

    stage_2 = Case.objects.filter(current_stage__level=2).order_by("-received_on").first()
    surname = Case.objects.order_by("pk").first().complainant.name.split()[-1]
    pages = {
        "officer": [
            ("case list, newest first", "/cases/", None),
            ("case list, in progress by due date", "/cases/?state=in_progress&sort=due", None),
            ("case list, open cases", "/cases/?state=open", None),
            ("case list, overdue", "/cases/?overdue=on", None),
            (f"case list, search by surname ({surname})", "/cases/", surname),
            ("case list, search by reference", "/cases/", stage_2.reference),
            ("my work", "/", None),
            (f"case page ({stage_2.reference}, Stage 2)", f"/cases/{stage_2.reference}/", None),
        ],
        "teammanager": [("case list, newest first", "/cases/", None), ("my work", "/", None)],
    }
    for username, urls in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url, search in urls:
            session = client.session
            session["case_search"] = search or ""
            session.save()

            _time_page(client, f"{username:12} {label}", url)


POOL = int(os.environ.get("BENCH_POOL", "200"))


OPEN_APPOINTMENTS = 3000


def _seed_pool(today) -> None:
    """BENCH_POOL people in the pool, if missing: parts, rates, a DBS check and training each
    (a few expired), one or two conflicting service areas; then open appointments among them
    up to OPEN_APPOINTMENTS, so caseloads vary and some are at their most. The seed has fewer
    open stages than that, so an open stage carries several."""
    import datetime as dt
    import random

    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from complaints import pool
    from complaints.models import Appointment, PoolCheck, PoolMember, ServiceArea, Stage

    rng = random.Random(18)
    ours = PoolMember.objects.filter(user__username__startswith="bench-pool-")
    have = ours.count()
    if have < POOL:
        unusable = make_password(None)
        users = User.objects.bulk_create(
            User(
                username=f"bench-pool-{i:04d}",
                first_name=f"Pool{i:04d}",
                last_name=rng.choice(["Ashdown", "Brook", "Carrow", "Dene", "Ember", "Fallow"]),
                email=f"bench-pool-{i:04d}@independent.example",
                password=unusable,
            )
            for i in range(have, POOL)
        )
        engagements = [e for e, _ in PoolMember.Engagement.choices]
        members = PoolMember.objects.bulk_create(
            PoolMember(
                user=user,
                engagement=rng.choice(engagements),
                investigates=i % 2 == 0,
                independent_person=i % 2 == 1,
                chairs_panels=i % 10 == 0,
                sits_on_panels=i % 5 == 1,
                rate=rng.randrange(250, 500),
                most_cases=rng.randrange(8, 30),
                unavailable_until=today + dt.timedelta(days=30) if i % 40 == 0 else None,
                joined_on=today - dt.timedelta(days=1000),
            )
            for i, user in enumerate(users)
        )
        PoolCheck.objects.bulk_create(
            PoolCheck(
                member=m,
                kind=kind,
                obtained_on=today - dt.timedelta(days=700),
                expires_on=today + dt.timedelta(days=-5 if i % 25 == 0 and kind == "dbs" else 400),
            )
            for i, m in enumerate(members)
            for kind in ("dbs", "training")
        )
        areas = list(ServiceArea.objects.values_list("pk", flat=True))
        Through = PoolMember.conflicts.through
        Through.objects.bulk_create(
            Through(poolmember_id=m.pk, servicearea_id=a)
            for m in members
            for a in rng.sample(areas, k=min(len(areas), rng.randrange(1, 3)))
        )
        print(f"pool: {len(members)} people added")
    members = list(ours.order_by("pk"))
    wanted = (
        OPEN_APPOINTMENTS
        - Appointment.objects.filter(pool.open_appointments(), member__in=members).count()
    )
    stages = list(
        Stage.objects.filter(responded_on__isnull=True, withdrawn_on__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if wanted <= 0 or not stages:
        return
    made = []
    for n in range(wanted):
        member = rng.choice(members)
        made.append(
            Appointment(
                stage_id=stages[n % len(stages)],
                member=member,
                part="investigating_officer" if member.investigates else "independent_person",
                appointed_on=today - dt.timedelta(days=rng.randrange(1, 60)),
                rate=member.rate,
                rate_unit="day",
            )
        )
    Appointment.objects.bulk_create(made)
    print(f"pool: {len(made)} open appointments added among them")


def time_pool() -> None:
    """The proposals for a Stage 2 appointment (complaints.pool.proposals) from a pool of
    BENCH_POOL, beside its floor and query count, and the appointment page that shows them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from complaints import pool
    from complaints.models import Appointment, Part, PoolMember, Stage

    today = timezone.localdate()
    _seed_pool(today)
    stage = (
        Stage.objects.filter(
            level=2,
            responded_on__isnull=True,
            withdrawn_on__isnull=True,
            case__procedure="statutory",
        )
        .select_related("case")
        .order_by("-requested_on")
        .first()
    )
    print(
        f"pool: {PoolMember.objects.count()} people, "
        f"{Appointment.objects.filter(pool.open_appointments()).count():,} open appointments"
    )
    for part in (Part.INVESTIGATING_OFFICER, Part.INDEPENDENT_PERSON):

        def propose(part=part):
            return pool.proposals(stage, part, on=today)

        median, found = _median_ms(propose)
        with CaptureQueriesContext(connection) as queries:
            propose()
        print(
            f"appointment proposal, {Part(part).label.lower()} ({len(found)} proposed): "
            f"median {median:.1f} ms, {len(queries)} queries "
            f"(floor {_floor_ms(queries):.1f} ms: their SELECTs run bare)"
        )
    client = Client()
    client.force_login(User.objects.get(username="officer"))
    _time_page(
        client,
        f"officer      appointment page ({stage.case.reference})",
        f"/cases/{stage.case.reference}/appoint-investigators/",
    )


def _time_page(client, label: str, url: str) -> None:
    """One page through the test client: its median, its queries and their floor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    get()  # warm
    median, _ = _median_ms(get)
    with CaptureQueriesContext(connection) as queries:
        get()
    print(
        f"{label}: median {median:.0f} ms, {len(queries)} queries "
        f"(floor {_floor_ms(queries):.1f} ms: their SELECTs run bare)"
    )


if __name__ == "__main__":
    main()
