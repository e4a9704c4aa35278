from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(sender, using="default", **kwargs):
    """The database cache (the default shared cache) needs its table; `migrate` makes it."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class SecurityConfig(AppConfig):
    name = "minqing.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self):
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="minqing-cache-table")
