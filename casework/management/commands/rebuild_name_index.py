from django.core.management.base import BaseCommand

from casework.matching import refresh_document_digests_bulk, refresh_name_keys_bulk
from casework.models import IdentityDocument, Person


class Command(BaseCommand):
    help = (
        "Rebuild the name keys and identity-document digests used by search and the "
        "duplicate check: after a change to the name folding, after prepending a new key "
        "to FIELD_ENCRYPTION_KEYS, or after loading persons without them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        persons = self._in_batches(
            Person.objects.only(
                "pk", "organisation_id", "given_name", "family_name", "native_name"
            ),
            batch_size,
            refresh_name_keys_bulk,
        )
        self.stdout.write(f"Name keys rebuilt for {persons} persons")
        documents = self._in_batches(
            IdentityDocument.objects.only("pk", "person_id", "number"),
            batch_size,
            refresh_document_digests_bulk,
        )
        self.stdout.write(f"Digests rebuilt for {documents} identity documents")

    def _in_batches(self, queryset, batch_size, refresh):
        # Keyset pagination: each batch is one indexed range scan, one transaction.
        done, last_pk = 0, 0
        while batch := list(queryset.filter(pk__gt=last_pk).order_by("pk")[:batch_size]):
            refresh(batch)
            done += len(batch)
            last_pk = batch[-1].pk
        return done
