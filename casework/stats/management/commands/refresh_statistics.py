from django.core.management.base import BaseCommand, CommandError

from casework.stats import facts as statsfacts


class Command(BaseCommand):
    help = (
        "Recompute every case's statistics facts (what the statistics count), as the "
        "nightly task does: after loading cases without the ORM, or after reordering "
        "the means-of-control vocabulary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=statsfacts.BATCH_SIZE)

    def handle(self, *args, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(cases, written):
            if verbosity > 1:
                self.stdout.write(f"  {cases} case ids done, {written} rows written")

        written = statsfacts.refresh_all(batch_size=batch_size, progress=progress)
        self.stdout.write(f"Statistics facts refreshed: {written} rows written")
