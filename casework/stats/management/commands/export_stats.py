import datetime
import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from casework import audit, stats
from casework.stats import exports


class Command(BaseCommand):
    help = "Write an anonymised, disclosure-controlled statistics export to a file."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], required=True)
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--k", type=int, default=stats.K_DEFAULT, help="suppression threshold")
        parser.add_argument("--rounding", action="store_true", help="round counts to 5")
        parser.add_argument(
            "--organisation", action="append", help="organisation code (default: every one)"
        )
        parser.add_argument("--since", type=datetime.date.fromisoformat)
        parser.add_argument("--until", type=datetime.date.fromisoformat)
        parser.add_argument(
            "--crosstab",
            action="append",
            default=[],
            metavar="DIM1,DIM2",
            help="add a cross-tabulation of two dimensions (repeatable)",
        )

    def handle(self, *args, **options):
        try:
            k = stats.validate_k(options["k"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        organisations = Organisation.objects.all()
        if options["organisation"]:
            organisations = organisations.filter(code__in=options["organisation"])
            if organisations.count() != len(set(options["organisation"])):
                raise CommandError("Unknown organisation code.")
        tables = list(stats.MAIN_TABLES)
        for pair in options["crosstab"]:
            dims = tuple(pair.split(","))
            if len(dims) != 2 or not set(dims) <= set(stats.DIMENSIONS) or dims[0] == dims[1]:
                raise CommandError(f"--crosstab needs two different dimensions, not {pair!r}.")
            tables.append(dims)
        release = stats.build_release(
            list(organisations.values_list("pk", flat=True)),
            tables,
            k=k,
            rounding=options["rounding"],
            period_start=options["since"],
            period_end=options["until"],
        )
        content, rows = exports.render_release(release, options["format"])
        Path(options["out"]).write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()
        audit.record(
            audit.Action.EXPORT,
            actor_label="manage.py export_stats",
            object_type="statsexport",
            fields=["format", "k", "rounding", "organisations", "period", "tables"],
            detail=f"{options['format']} k={k} tables={len(tables)} rows={rows} sha256={digest}",
        )
        self.stdout.write(f"Wrote {rows} rows to {options['out']} (sha256 {digest}).")
