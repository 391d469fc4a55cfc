"""What each locust user does under `make load` (bench/load.py starts it; it is no test).

A complaints officer, who sees every case, signs in once and then, with a pause of half a
second to two seconds between steps as a person clicks: opens the case list, plain and
filtered, opens case pages, and records an acknowledgement on a running case the way a browser
does: the form page, the post, the case page it is sent back to. Acknowledging moves the case
through the workflow (row lock, stage and deadlines saved, an event written) without using
the case up, so any running case may take it again and again; the date is today, which is never
before the stage was requested nor in the future.

The driver picks the cases beforehand and names the file in LOAD_CASES_FILE:
{"pages": [references], "moves": [references of cases that may be acknowledged]}. When locust
quits, the final figures go to LOAD_RESULTS_FILE: its --csv files are written once a second
and miss the requests of the last second and of the users let finish after the time limit.
"""

import datetime as dt
import html
import json
import os
import random
import re
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task
from locust.exception import StopUser

CASES = json.loads(Path(os.environ["LOAD_CASES_FILE"]).read_text())
USERNAME = os.environ.get("LOAD_USERNAME", "officer")
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-password-2024")  # the demo log-ins' own
DONE = "Acknowledgement recorded."  # ACTIONS["acknowledge"].done, shown on the case page
ERRORS = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)


def _input(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def _problem(response) -> str:
    """Why a page came back instead of the redirect: its error summary, else its status."""
    found = ERRORS.search(response.text or "")
    text = re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""
    return f"{response.status_code}: {' '.join(html.unescape(text).split()) or 'no redirect'}"


@events.init.add_listener
def _on_init(environment, **kwargs):
    @events.quit.add_listener
    def _save(exit_code, **kwargs):  # after every user has stopped
        stats = environment.stats

        def figures(entry, name):
            return {
                "name": name,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "median_ms": entry.median_response_time,
                "p95_ms": entry.get_response_time_percentile(0.95),
                "per_second": entry.total_rps,
            }

        entries = sorted(stats.entries.values(), key=lambda e: e.name)
        results = {
            "requests": [figures(e, f"{e.method} {e.name}") for e in entries],
            "total": figures(stats.total, "all requests"),
            "errors": [
                f"{e.occurrences} × {e.method} {e.name}: {e.error}" for e in stats.errors.values()
            ],
            "exceptions": [
                f"{e['count']} × {e['msg']}" for e in environment.runner.exceptions.values()
            ],
        }
        Path(os.environ["LOAD_RESULTS_FILE"]).write_text(json.dumps(results, indent=1))


class Officer(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        form = self.page("/accounts/login/", "sign in, form")
        with self.client.post(
            "/accounts/login/",
            {
                "username": USERNAME,
                "password": PASSWORD,
                "next": "/cases/",
                "csrfmiddlewaretoken": _input(form.text, "csrfmiddlewaretoken") or "",
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers["Location"] == "/cases/":
                return
            response.failure(_problem(response))
        # Every step after would only measure the sign-in page again.
        raise StopUser

    def page(self, url: str, name: str):
        """GET a page that must be there: a redirect (to sign in, say) is a failure too."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
        return response

    @task(3)
    def case_list(self):
        self.page("/cases/", "case list")

    @task(2)
    def case_list_filtered(self):
        self.page("/cases/?state=in_progress&sort=due", "case list, in progress by due")

    @task(5)
    def case_page(self):
        self.page(f"/cases/{random.choice(CASES['pages'])}/", "case page")

    @task(1)
    def acknowledge(self):
        reference = random.choice(CASES["moves"])
        case = f"/cases/{reference}/"
        form = self.page(f"{case}acknowledge/", "acknowledge, form")
        if form.status_code != 200:
            return
        # London's date, as the server's: a run past midnight elsewhere is not "in the future".
        today = dt.datetime.now(ZoneInfo("Europe/London")).date()
        data = {
            "csrfmiddlewaretoken": _input(form.text, "csrfmiddlewaretoken") or "",
            "submission": _input(form.text, "submission") or str(uuid.uuid4()),
            "on_0": today.day,
            "on_1": today.month,
            "on_2": today.year,
        }
        with self.client.post(
            f"{case}acknowledge/",
            data,
            name="acknowledge, post",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or response.headers["Location"] != case:
                response.failure(_problem(response))
                return
            # A 302 to the case page also answers a form sent twice; only the message the
            # page then shows says the move was made.
            page = self.page(case, "case page, after the move")
            if page.status_code == 200 and DONE not in page.text:
                response.failure("302, but the case page does not say it was recorded")
