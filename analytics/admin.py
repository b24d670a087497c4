from django.contrib import admin

from .models import AlertAnalysis, AnalyticsSettings, ImprovementPlan, StageWeight


@admin.register(AnalyticsSettings)
class AnalyticsSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "coverage_ratio", "trend_periods", "improvement_after", "pass_score"]

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


@admin.register(AlertAnalysis)
class AlertAnalysisAdmin(admin.ModelAdmin):
    list_display = ["key", "owner", "kind", "raised_on", "due_on", "answered_at"]
    list_filter = ["kind", "due_on"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "answered_by"]
    readonly_fields = ["key", "kind", "kpi", "month", "raised_on", "params", "summary"]

    def has_add_permission(self, request):
        return False  # opened by the nightly job from the alerts


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(admin.ModelAdmin):
    list_display = ["person", "last_failed_month", "opened_on", "review_on", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["person"]
    raw_id_fields = ["person", "updated_by"]
    readonly_fields = ["last_failed_month", "failed_scores", "opened_on"]

    def has_add_permission(self, request):
        return False  # opened by the nightly job from the scorecards
