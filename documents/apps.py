from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from customers.policy import ARCHIVE_REQUIREMENTS

        from .services import signed_scan_missing

        if signed_scan_missing not in ARCHIVE_REQUIREMENTS:
            ARCHIVE_REQUIREMENTS.append(signed_scan_missing)
