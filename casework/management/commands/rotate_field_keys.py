from django.core.management.base import BaseCommand
from django.db import connection, transaction

from casework.crypto import encrypted_fields, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value under the newest key of FIELD_ENCRYPTION_KEYS. "
        "Afterwards the older keys can be removed from the setting."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        for model, fields in encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [connection.ops.quote_name(model._meta.get_field(f).column) for f in fields]
            rotated = 0
            last_pk = 0
            while True:
                # Raw SQL: tokens are rotated as they are, never decrypted into Python objects.
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > %s "  # noqa: S608 - names from model metadata
                        f"ORDER BY id LIMIT %s",
                        [last_pk, batch_size],
                    )
                    rows = cursor.fetchall()
                    for pk, *tokens in rows:
                        new = [rotate(t) if t is not None else None for t in tokens]
                        assignments = ", ".join(f"{c} = %s" for c in columns)
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608 - model names
                            [*new, pk],
                        )
                if not rows:
                    break
                last_pk = rows[-1][0]
                rotated += len(rows)
            self.stdout.write(f"{model._meta.label}: {rotated} rows re-encrypted")
