from django.contrib import admin

from salescrm.admin import BoundedInlineMixin

from .models import (
    Attendance,
    Course,
    Departure,
    EnablementSettings,
    Experiment,
    OnboardingTemplate,
    OnboardingTemplateItem,
    PromotionCase,
    Script,
    ScriptVersion,
    TrainingPlanItem,
    TrainingSession,
)


@admin.register(EnablementSettings)
class EnablementSettingsAdmin(admin.ModelAdmin):
    list_display = ["min_uplift_percent", "usage_goal_percent", "onboarding_due_days"]

    def has_add_permission(self, request):
        return not EnablementSettings.objects.exists()


class TemplateItemInline(BoundedInlineMixin, admin.TabularInline):
    model = OnboardingTemplateItem
    extra = 1
    max_num = 50


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(admin.ModelAdmin):
    inlines = [TemplateItemInline]


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "stage", "product_line", "published_version", "is_retired"]
    list_filter = ["kind", "stage", "is_retired"]
    search_fields = ["title"]
    # entries are written and published on the library pages, through the approval
    readonly_fields = ["published_version", "created_by"]

    def has_add_permission(self, request):
        return False


@admin.register(ScriptVersion)
class ScriptVersionAdmin(admin.ModelAdmin):
    list_display = ["script", "number", "status", "author", "decided_by"]
    list_filter = ["status"]
    readonly_fields = ["status", "decided_by", "decided_at", "author", "script", "number"]

    def has_add_permission(self, request):
        return False


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["name", "from_stage", "to_stage", "status", "verdict", "computed_for"]
    list_filter = ["status", "verdict"]

    def has_add_permission(self, request):
        return False  # the arms are drawn by the service: start experiments on the page

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Departure)
class DepartureAdmin(admin.ModelAdmin):
    list_display = ["person", "left_on", "reason"]
    raw_id_fields = ["person"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "pass_score"]


admin.site.register(TrainingSession)
admin.site.register(Attendance)
admin.site.register(TrainingPlanItem)
admin.site.register(PromotionCase)
