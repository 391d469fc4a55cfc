"""A real Redis and a real Celery worker process, sharing the test database.

Each test gets its own redis-server on a free port, so a test can stop and restart it, and a
worker process started with the base settings pointed at that Redis and at the test database.
Mail goes to files, one per message, which the tests read back.
"""

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout=60.0, every=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")


class RedisServer:
    def __init__(self, tmp_path: Path):
        if not shutil.which("redis-server"):
            pytest.fail("The integration tests need redis-server: apt install redis-server")
        self.port = _free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, what="redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def freeze(self):
        """Still listening, never answering: a hung host rather than a stopped service."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.thaw()
            self.process.terminate()
            self.process.wait(10)


class Worker:
    def __init__(
        self, redis: RedisServer, mail_dir: Path, log: Path, email_backend: str, threads: int
    ):
        self.redis, self.mail_dir, self.log = redis, mail_dir, log
        self.email_backend = email_backend
        self.threads = threads
        self.process = None

    def env(self) -> dict:
        db = connection.settings_dict
        if db["ENGINE"].endswith("sqlite3"):
            url = f"sqlite:///{db['NAME']}"
        else:
            url = (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": self.redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": self.email_backend,
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONPATH": str(ROOT),
        }

    def start(self):
        self.out = self.log.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                *(["--pool=threads", f"--concurrency={self.threads}"] if self.threads > 1 else []),
                *(["--pool=solo"] if self.threads == 1 else []),
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: "ready." in self.log.read_text(), what="the Celery worker")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.out.close()


def sent_mail(mail_dir: Path) -> list[email.message.Message]:
    """Every message the file backend wrote (several per file if one connection sent many)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def start_worker(redis_server, mail_dir, tmp_path):
    workers = []

    def _start(
        email_backend="django.core.mail.backends.filebased.EmailBackend", threads=1
    ) -> Worker:
        log = tmp_path / f"worker-{len(workers)}.log"
        worker = Worker(redis_server, mail_dir, log, email_backend, threads)
        worker.start()
        workers.append(worker)
        return worker

    yield _start
    for worker in workers:
        worker.stop()


def _reset_connections():
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(redis_server):
    """This process sends tasks to the test's Redis, not eagerly."""
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {k: celery_app.conf[k] for k in keys}
    celery_app.conf.update(
        broker_url=redis_server.url,
        task_always_eager=False,
        broker_transport_options=settings.REDIS_BROKER_TRANSPORT_OPTIONS,
    )
    _reset_connections()
    yield celery_app
    _reset_connections()
    celery_app.conf.update(saved)
