"""Real Chromium (Debian's), driven by Playwright, against a live server; axe-core audits every
page a test visits. Browser tests share the ORM with the live server's thread, hence
DJANGO_ALLOW_ASYNC_UNSAFE."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# WCAG 2.2 A and AA, plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


class Person:
    """Someone signed in, in a browser window of their own. Every page they reach is audited."""

    axe = Axe()

    def __init__(self, browser, base_url: str, user, audited: list):
        self.user = user
        self.base_url = base_url
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.audited = audited
        # The Content Security Policy must never have to block anything the pages do.
        self.blocked = []
        self.page.on(
            "console",
            lambda message: (
                self.blocked.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        self.goto("/accounts/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", "password")
        self.press("Sign in")

    def audit(self):
        results = self.axe.run(self.page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
        ]
        assert summary == [], f"axe on {self.page.url}"
        assert self.blocked == [], f"the Content Security Policy blocked on {self.page.url}"
        self.audited.append(self.page.url)

    def goto(self, path: str, *, expect_status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response.status == expect_status, path
        self.audit()
        return response

    def press(self, name: str):
        """Press a button (or follow a link) by its visible name and audit where it lands."""
        target = self.page.get_by_role("button", name=name, exact=True)
        if target.count() == 0:
            target = self.page.get_by_role("link", name=name, exact=True)
        with self.page.expect_navigation():
            target.first.click()
        self.audit()

    def follow(self, name: str):
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name, exact=True).first.click()
        self.audit()

    def text(self) -> str:
        return self.page.inner_text("main")

    def close(self):
        self.context.close()


@pytest.fixture
def audited():
    return []


@pytest.fixture
def sign_in(browser, live_server, audited):
    people = []

    def _sign_in(user) -> Person:
        person = Person(browser, live_server.url, user, audited)
        people.append(person)
        return person

    yield _sign_in
    for person in people:
        person.close()
