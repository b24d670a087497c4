from django.contrib import admin

from .models import AnalyticsSettings, StageWeight


@admin.register(AnalyticsSettings)
class AnalyticsSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "coverage_ratio"]

    def has_add_permission(self, request):
        return not AnalyticsSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StageWeight)
class StageWeightAdmin(admin.ModelAdmin):
    list_display = ["stage", "closed", "won", "weight", "computed_on"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
