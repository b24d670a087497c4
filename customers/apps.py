from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers and contracts")

    def ready(self):
        # Register the nightly jobs at start-up (not on the first run_nightly), so the registry
        # is complete and stable for every entry point.
        from . import tasks  # noqa: F401
