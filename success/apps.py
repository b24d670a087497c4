from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuccessConfig(AppConfig):
    name = "success"
    verbose_name = _("Customer success")

    def ready(self):
        # the nightly jobs are registered at start-up, as the customers app does
        from . import tasks  # noqa: F401
