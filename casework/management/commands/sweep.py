import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from casework import tasks


class Command(BaseCommand):
    help = "Run every reminder and escalation rule once, now or at a given time."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="ISO-8601 moment to run at (default: now)")
        parser.add_argument("--json", action="store_true", help="print counts as JSON")
        parser.add_argument(
            "--no-email", action="store_true", help="create notifications but send no email"
        )

    def handle(self, *args, at=None, no_email=False, **options):
        moment = None
        if at:
            moment = parse_datetime(at)
            if moment is None or moment.tzinfo is None:
                raise CommandError("--at needs an ISO-8601 moment with a time zone.")
        counts, _ids = tasks.run_sweep(moment, enqueue_email=not no_email)
        if options["json"]:
            self.stdout.write(_json_dumps(counts))
            return
        for rule, count in counts.items():
            self.stdout.write(f"{rule:<20} {count} notifications")


def _json_dumps(counts):
    return json.dumps(counts, sort_keys=True)
