from django.core.management.base import BaseCommand, CommandError

from casework.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task through the broker and wait for a worker's answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30)

    def handle(self, *args, timeout, **options):
        result = ping.delay()
        try:
            answer = result.get(timeout=timeout)
        except Exception as exc:
            raise CommandError(f"No answer from a worker within {timeout} s: {exc!r}") from exc
        self.stdout.write(f"worker answered: {answer}")
