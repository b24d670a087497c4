from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuccessConfig(AppConfig):
    name = "success"
    verbose_name = _("Customer success")

    def ready(self):
        # The nightly jobs are registered at start-up, as the customers app does; cadence
        # compliance joins the KPI catalogue before the admin, the nightly facts or a scheme
        # read it (performance.kpis.register_kpi); the tier's response time joins the
        # complaint escalation (customers.services.register_deadline_rule).
        from customers.services import register_deadline_rule

        from . import kpis, selectors, tasks  # noqa: F401

        kpis.register()
        register_deadline_rule(selectors.complaint_deadline_rule)
