"""Delivery of the outbox: batches claimed so that no two workers send the same message, one
mail connection a batch, and each message marked as it goes, so that a crash can send again
only the message in hand."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import chasing
from complaints.models import Case, Notification

pytestmark = pytest.mark.django_db
SERVER = "tests.complaints.test_delivery.Server"


class Killed(BaseException):
    """The worker's process ending where it stands, as on SIGKILL."""


class Server(locmem.EmailBackend):
    """The test outbox behind a connection that opens and closes as SMTP's does. It can refuse
    a message, or take one and then have the worker die before it hears back."""

    opened = 0
    refuse: set[str] = set()
    die_after = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_open = False

    def open(self):
        if self.is_open:
            return False
        self.is_open = True
        type(self).opened += 1
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        opened = self.open()
        try:
            for message in messages:
                if message.subject in self.refuse:
                    raise ConnectionRefusedError(f"{message.subject} refused")
                super().send_messages([message])
                if message.subject == self.die_after:
                    raise Killed
        finally:
            if opened:
                self.close()
        return len(messages)


@pytest.fixture(autouse=True)
def server(settings):
    settings.EMAIL_BACKEND = SERVER
    Server.opened, Server.refuse, Server.die_after = 0, set(), ""
    return Server


def _queue(*keys: str) -> None:
    chasing.queue(
        [Notification(key=key, subject=key, body="Chase", to=["a@example.org"]) for key in keys]
    )


def _sent() -> list[str]:
    """The keys of the messages the server took, in order, repeats and all."""
    return [message.extra_headers["X-Complaints-Key"] for message in mail.outbox]


def _outbox() -> dict[str, tuple[str, bool]]:
    """Each message's status, and whether a worker holds it."""
    return {
        key: (status, claimed is not None)
        for key, status, claimed in Notification.objects.values_list(
            "key", "status", "claimed_until"
        )
    }


def _statements(queries) -> Counter:
    return Counter(query["sql"].split()[0] for query in queries)


def test_a_batch_goes_over_one_connection_with_one_statement_a_message(monkeypatch):
    monkeypatch.setattr(chasing, "DELIVERY_BATCH", 10)
    keys = [f"k{n:02d}" for n in range(25)]
    _queue(*keys)
    with CaptureQueriesContext(connection) as queries:
        assert chasing.deliver() == (25, 0)
    assert _sent() == keys
    assert Server.opened == 3
    # Three batches: the outbox listed once, each batch claimed with a SELECT ... FOR UPDATE
    # and an UPDATE, then one UPDATE a message, marking it sent.
    statements = _statements(queries)
    assert (statements["SELECT"], statements["UPDATE"]) == (1 + 3, 3 + 25)
    assert set(_outbox().values()) == {(Notification.Status.SENT, False)}


def test_a_message_another_worker_has_claimed_waits_until_the_claim_lapses():
    _queue("a", "b", "c")
    held = Notification.objects.filter(key="b")
    held.update(claimed_until=timezone.now() + dt.timedelta(minutes=5))
    assert chasing.deliver() == (2, 0)
    assert chasing.deliver([held.get().pk]) == (0, 0)
    assert _sent() == ["a", "c"]
    held.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))  # its worker was killed
    assert chasing.deliver() == (1, 0)
    assert _sent() == ["a", "c", "b"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_message_another_transaction_has_locked_is_skipped():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; its writers take turns")
    _queue("a", "b", "c")
    b = Notification.objects.get(key="b")
    locked, release = threading.Event(), threading.Event()

    def claim_b():  # as another worker does, between its SELECT ... FOR UPDATE and its commit
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=b.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    other = threading.Thread(target=claim_b)
    other.start()
    try:
        assert locked.wait(30)
        assert chasing.deliver() == (2, 0)  # neither waits for the lock nor takes b
    finally:
        release.set()
        other.join()
    assert _sent() == ["a", "c"]
    assert _outbox()["b"] == (Notification.Status.PENDING, False)
    assert chasing.deliver() == (1, 0)
    assert _sent() == ["a", "c", "b"]


def test_a_refused_message_counts_an_attempt_and_the_batch_goes_on(server):
    _queue("a", "b", "c", "d")
    server.refuse = {"b"}
    assert chasing.deliver() == (3, 0)
    b = Notification.objects.get(key="b")
    assert (b.status, b.attempts, b.claimed_until) == (Notification.Status.PENDING, 1, None)
    assert "b refused" in b.last_error
    assert server.opened == 2  # the next message after a failure opens a fresh connection
    server.refuse = set()
    assert chasing.deliver() == (1, 0)
    assert _sent() == ["a", "c", "d", "b"]


def test_a_failure_mid_batch_leaves_those_before_it_sent_and_the_rest_pending(monkeypatch):
    _queue("a", "b", "c", "d", "e")
    mark = chasing._mark

    def database_gone_at_c(note, **fields):
        if note.key == "c":
            raise DatabaseError("server closed the connection unexpectedly")
        mark(note, **fields)

    monkeypatch.setattr(chasing, "_mark", database_gone_at_c)
    with pytest.raises(DatabaseError):
        chasing.deliver()
    sent, waiting = (Notification.Status.SENT, False), (Notification.Status.PENDING, False)
    # c had gone to the mail server when its mark failed; it is handed back with the rest, so
    # the next delivery takes them at once.
    assert _outbox() == {"a": sent, "b": sent, "c": waiting, "d": waiting, "e": waiting}

    monkeypatch.undo()
    assert chasing.deliver() == (3, 0)
    assert _sent() == ["a", "b", "c", "c", "d", "e"]  # only the message in hand went twice


def test_after_a_crash_mid_batch_only_the_message_in_hand_can_go_twice(server, monkeypatch):
    _queue("a", "b", "c", "d", "e")
    server.die_after = "c"
    monkeypatch.setattr(chasing, "_hand_back", lambda pks: False)  # a killed process can't
    with pytest.raises(Killed):
        chasing.deliver()
    sent, held = (Notification.Status.SENT, False), (Notification.Status.PENDING, True)
    assert _outbox() == {"a": sent, "b": sent, "c": held, "d": held, "e": held}
    assert chasing.deliver() == (0, 0)  # still the dead worker's: no other takes them

    Notification.objects.filter(status=Notification.Status.PENDING).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )  # the claim lapses
    monkeypatch.undo()
    server.die_after = ""
    assert chasing.deliver() == (3, 0)
    assert _sent() == ["a", "b", "c", "c", "d", "e"]


def test_letters_in_a_batch_are_checked_against_their_complainants_in_one_query(build):
    letters = []
    for agrees in [True, True, False]:
        case = build.case(Case.State.IN_PROGRESS)
        case.complainant.email, case.complainant.letters_by_email = "jo@example.com", True
        case.complainant.save()
        letter = build.send_letter(case)
        case.complainant.letters_by_email = agrees  # withdrawn after the letter was queued
        case.complainant.save()
        letters.append(Notification.objects.get(attachment=letter.document).pk)
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        assert chasing.deliver(letters) == (2, 1)
    # The outbox listed, the batch claimed, its complainants read.
    assert _statements(queries)["SELECT"] == 3
    assert len(mail.outbox) == 2
