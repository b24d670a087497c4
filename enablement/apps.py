from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = _("Enablement")

    def ready(self):
        # The people KPIs join the catalogue the admin builds schemes from.
        from . import kpis  # noqa: F401
