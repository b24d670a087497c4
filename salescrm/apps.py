from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesCRMConfig(AppConfig):
    name = "salescrm"
    verbose_name = _("Organisation")

    def ready(self):
        from . import lockout  # noqa: F401  (connects the account-lock notice)
