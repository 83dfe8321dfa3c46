from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Statistics as an app of its own: its models, views, forms, commands and templates."""

    name = "casework.stats"
    # The label names its migrations; its tables keep the names they had in casework.
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from django.db.models.signals import post_migrate

        # facts connects the receivers that keep every case's statistics facts true.
        from casework.stats import facts

        post_migrate.connect(facts.refresh_if_incomplete, sender=self)
