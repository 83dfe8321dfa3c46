from django.core.management.base import BaseCommand

from casework.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new field-encryption key, or write it to a file that does not exist yet."

    def add_arguments(self, parser):
        parser.add_argument("--write", metavar="FILE", help="write the key to FILE if missing")

    def handle(self, *args, write=None, **options):
        if not write:
            self.stdout.write(generate_key())
            return
        from pathlib import Path

        path = Path(write)
        if path.exists():
            self.stdout.write(f"{path} exists; kept.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(generate_key() + "\n")
        self.stdout.write(f"Wrote a new development key to {path}.")
