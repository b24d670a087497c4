from django.contrib import admin

from salescrm.admin import BoundedInlineMixin, RowsInlineMixin

from .models import (
    Adjustment,
    AdjustmentLine,
    MonthWeight,
    PlanMember,
    ProductLineShare,
    ProductLineTarget,
    SeniorityWeight,
    Target,
    TargetPlan,
    TeamShare,
)


@admin.register(SeniorityWeight)
class SeniorityWeightAdmin(admin.ModelAdmin):
    list_display = ["min_months", "weight", "activity_focus", "monthly_visits"]
    list_filter = ["activity_focus"]
    search_fields = ["min_months"]
    list_select_related = True


class MonthWeightInline(BoundedInlineMixin, admin.TabularInline):
    model = MonthWeight
    fields = ["month", "weight"]
    extra = 0
    max_num = 12


class TeamShareInline(BoundedInlineMixin, admin.TabularInline):
    model = TeamShare
    fields = ["team", "weight"]
    extra = 0


class ProductLineShareInline(BoundedInlineMixin, admin.TabularInline):
    model = ProductLineShare
    fields = ["product_line", "weight"]
    extra = 0


@admin.register(TargetPlan)
class TargetPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "metric", "annual_value", "status", "created_by", "published_at"]
    list_filter = ["year", "metric", "status"]
    search_fields = ["year", "metric"]
    list_select_related = ["created_by"]
    readonly_fields = ["status", "published_at", "created_by", "created_at"]
    inlines = [MonthWeightInline, TeamShareInline, ProductLineShareInline]

    def get_readonly_fields(self, request, obj=None):
        # A published plan changes only through adjustments (kept with who and why).
        if obj is not None and obj.is_published:
            return [*self.readonly_fields, "year", "metric", "annual_value", "seasonality_source"]
        return self.readonly_fields

    def has_add_permission(self, request):
        # A new plan needs its default month, team and rep weights: the plan page creates it.
        return False


@admin.register(MonthWeight)
class MonthWeightAdmin(admin.ModelAdmin):
    list_display = ["plan", "month", "weight"]
    list_filter = ["plan__year", "plan__metric"]
    search_fields = ["plan__year"]
    list_select_related = ["plan"]


@admin.register(TeamShare)
class TeamShareAdmin(admin.ModelAdmin):
    list_display = ["plan", "team", "weight"]
    list_filter = ["plan__year", "team"]
    search_fields = ["team__name"]
    list_select_related = ["plan", "team"]


@admin.register(PlanMember)
class PlanMemberAdmin(admin.ModelAdmin):
    list_display = [
        "plan",
        "team",
        "rep",
        "weight",
        "activity_focus",
        "first_month",
        "left_after_month",
    ]
    list_filter = ["plan__year", "plan__metric", "team", "activity_focus"]
    search_fields = ["rep__username", "rep__first_name", "rep__last_name"]
    list_select_related = ["plan", "team", "rep"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["plan", "level", "team", "rep", "month", "value"]
    list_filter = ["plan__year", "plan__metric", "level", "team"]
    search_fields = ["rep__username", "rep__last_name", "team__name"]
    list_select_related = ["plan", "team", "rep"]
    # Values change only through the adjustment screens, which keep the sums and the history.
    readonly_fields = ["plan", "level", "team", "rep", "month", "value"]

    def has_add_permission(self, request):
        return False


class AdjustmentLineInline(RowsInlineMixin, admin.TabularInline):
    model = AdjustmentLine
    fields = ["target", "old_value", "new_value"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Adjustment)
class AdjustmentAdmin(admin.ModelAdmin):
    list_display = ["plan", "kind", "team", "actor", "created_at", "reason"]
    list_filter = ["kind", "plan__year", "team"]
    search_fields = ["reason", "actor__username"]
    list_select_related = ["plan", "team", "actor"]
    readonly_fields = ["plan", "kind", "team", "actor", "reason", "created_at"]
    inlines = [AdjustmentLineInline]

    def has_add_permission(self, request):
        return False


@admin.register(AdjustmentLine)
class AdjustmentLineAdmin(admin.ModelAdmin):
    list_display = ["adjustment", "target", "old_value", "new_value"]
    list_filter = ["adjustment__kind"]
    search_fields = ["adjustment__reason"]
    list_select_related = ["adjustment__plan", "target__plan", "target__team", "target__rep"]
    readonly_fields = ["adjustment", "target", "old_value", "new_value"]

    def has_add_permission(self, request):
        return False


@admin.register(ProductLineShare)
class ProductLineShareAdmin(admin.ModelAdmin):
    list_display = ["plan", "product_line", "weight"]
    list_filter = ["plan__year", "product_line"]
    search_fields = ["product_line__name"]
    list_select_related = ["plan", "product_line"]


@admin.register(ProductLineTarget)
class ProductLineTargetAdmin(admin.ModelAdmin):
    list_display = ["plan", "product_line", "month", "value"]
    list_filter = ["plan__year", "plan__metric", "product_line"]
    search_fields = ["product_line__name"]
    list_select_related = ["plan", "product_line"]
    readonly_fields = ["plan", "product_line", "month", "value"]

    def has_add_permission(self, request):
        return False
