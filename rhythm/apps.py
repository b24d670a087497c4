from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RhythmConfig(AppConfig):
    name = "rhythm"
    verbose_name = _("Team rhythm")

    def ready(self):
        # The attendance rate and report punctuality join the KPI catalogue here, before the
        # admin, the nightly facts or a scheme read it (performance.kpis.register_kpi).
        from . import kpis

        kpis.register()
