from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = pgettext_lazy("app", "Targets")
