from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import AlertAnalysis, AnalyticsSettings, ImprovementPlan, StageWeight, WinModelRun


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


@admin.register(WinModelRun)
class WinModelRunAdmin(admin.ModelAdmin):
    """The nightly win-probability model's runs with their back-test (read only)."""

    list_display = [
        "run_on",
        "status",
        "training_rows",
        "training_won",
        "holdout_rows",
        "holdout_won",
        "auc",
        "scored",
        "written",
        "seconds",
    ]
    list_filter = ["status"]
    fields = [
        "run_on",
        "status",
        "note",
        "training_rows",
        "training_won",
        "holdout_rows",
        "holdout_won",
        "auc",
        "calibration_by_decile",
        "scored",
        "written",
        "seconds",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("calibration by decile (held-out last quarter)"))
    def calibration_by_decile(self, obj):
        if not obj.calibration:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} %</td><td>{} %</td></tr>",
            (
                (
                    row["decile"],
                    row["leads"],
                    f"{row['predicted'] * 100:.1f}",
                    f"{row['observed'] * 100:.1f}",
                )
                for row in obj.calibration
            ),
        )
        return format_html(
            '<table id="calibration"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            _("decile"),
            _("leads"),
            _("mean predicted"),
            _("observed won"),
            rows,
        )
