import secrets
import time

from django.core.management.base import BaseCommand, CommandError

from casework.celery import BROKER_DOWN
from casework.models import WorkerPing
from casework.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task through the broker and wait for a worker's answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30)

    def handle(self, *args, timeout, **options):
        # The worker writes its answer to the database, where this command looks for it:
        # no result backend needed (production has none).
        token = secrets.token_hex(16)
        WorkerPing.objects.create(token=token)
        try:
            answer = self._wait(token, timeout)
        finally:
            WorkerPing.objects.filter(token=token).delete()
        if answer is None:
            raise CommandError(f"No answer from a worker within {timeout:g} s.")
        self.stdout.write(f"worker answered: pong (from {answer.worker or 'a worker'})")

    def _wait(self, token: str, timeout: float) -> WorkerPing | None:
        try:
            ping.delay(token)
        except BROKER_DOWN as exc:
            raise CommandError(f"The broker cannot be reached: {exc}") from exc
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = WorkerPing.objects.filter(token=token, answered_at__isnull=False).first()
            if answer is not None:
                return answer
            time.sleep(0.2)
        return None
