"""Real Celery processes for the tests: a worker (and, if asked, beat) as subprocesses.

They run on the test database and the test Redis, each on a queue of its own
(CELERY_TASK_DEFAULT_QUEUE and --queues), so workers of other test runs sharing that
Redis never take its messages. Use the `celery_worker` fixture (tests/conftest.py) or,
where a test needs the processes stopped before it asserts, the context manager here.
"""

import contextlib
import email
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 60
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def subprocess_database_url() -> str:
    """The URL of pytest-django's test database (test_<name>), for the subprocesses."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


class CeleryProcesses:
    """A `celery worker` and optionally `celery beat` on the test database, the test's
    storage folder and a mail folder of their own; their output goes to log files."""

    def __init__(self, folder: Path, queue: str, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.queue = queue
        self.mail_dir = folder / "mail"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.broker = settings.CELERY_BROKER_URL
        assert self.broker.startswith("redis://"), self.broker
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": subprocess_database_url(),
            "CELERY_BROKER_URL": self.broker,
            # The test process reads results where the worker writes them.
            "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or "",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "PRIVATE_STORAGE_ROOT": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
            "EMAIL_BACKEND": FILE_BACKEND,
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }

    def _start(self, name: str, *arguments: str) -> None:
        with (self.folder / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "celery", "--app", "casework", *arguments],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start(self) -> None:
        """Start the worker: one process (solo pool) on this queue only."""
        self._start(
            "worker",
            *("worker", "--pool", "solo", "--queues", self.queue),
            *("--hostname", f"{self.queue}@%h"),
            *("--without-mingle", "--without-gossip", "--without-heartbeat"),
            *("--loglevel", "INFO"),
        )

    def start_beat(self) -> None:
        """Start beat with django-celery-beat's DatabaseScheduler, checking every second."""
        self._start(
            "beat",
            *("beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"),
            *("--pidfile", str(self.folder / "beat.pid")),
            *("--schedule", str(self.folder / "beat-schedule")),
            *("--max-interval", "1", "--loglevel", "INFO"),
        )

    def stop(self) -> None:
        """Stop every process, then drop what is left of the queue (a retry not yet due)."""
        try:
            for process in self.processes.values():
                process.terminate()
            for process in self.processes.values():
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        finally:
            with contextlib.suppress(redis.RedisError):
                keys = list(self.redis().scan_iter(match=f"*{self.queue}*"))
                if keys:
                    self.redis().delete(*keys)

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.broker)

    def waiting(self) -> int:
        """Messages waiting in this queue."""
        return self.redis().llen(self.queue)

    def log(self, name: str = "worker") -> str:
        path = self.folder / f"{name}.log"
        if not path.exists():
            return f"(the {name} was not started)"
        process = self.processes.get(name)
        exit_code = process.poll() if process else None
        return f"--- {name} (exit {exit_code}) ---\n" + path.read_text(errors="replace")[-6000:]

    def logs(self) -> str:
        return "\n".join(self.log(name) for name in self.processes) or self.log()

    def wait_for(self, what: str, condition: Callable[[], Any], timeout: float = WAIT_SECONDS):
        """Poll `condition` until it returns something true; fail with the logs if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            for name, process in self.processes.items():
                if process.poll() is not None:
                    pytest.fail(f"celery {name} exited while waiting for {what}\n{self.logs()}")
            time.sleep(0.25)
        pytest.fail(f"no {what} within {timeout} s\n{self.logs()}")

    def sweeps_done(self) -> int:
        """How many sweeps the worker has finished, from its log."""
        log = (self.folder / "worker.log").read_text(errors="replace")
        return sum(
            "casework.tasks.sweep[" in line and "succeeded" in line for line in log.splitlines()
        )

    def emails(self) -> list[EmailMessage]:
        """Every message the file backend wrote, parsed."""
        separator = b"\n" + b"-" * 79 + b"\n"
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(separator):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk, policy=policy.default))
        return messages


@contextlib.contextmanager
def celery_worker(
    folder: Path,
    *,
    queue_prefix: str = "test",
    env: dict[str, str] | None = None,
    start: bool = True,
    beat: bool = False,
) -> Iterator[CeleryProcesses]:
    """A worker (and beat if `beat`) on a fresh queue, stopped on leaving the block.
    With `start=False` the test starts it itself (`.start()`), e.g. after enqueueing."""
    processes = CeleryProcesses(folder, f"{queue_prefix}-{uuid.uuid4().hex}", env)
    try:
        if start:
            processes.start()
        if beat:
            processes.start_beat()
        yield processes
    finally:
        processes.stop()
