from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from salescrm.admin import RowsInlineMixin

from .models import (
    ActionItem,
    Allowance,
    AttendanceChange,
    AttendanceDay,
    Bulletin,
    CalendarDay,
    Meeting,
    MonthlyAttendance,
    Report,
    RhythmSettings,
)


@admin.register(RhythmSettings)
class RhythmSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "report_cutoff",
        "full_rate",
        "partial_rate",
        "partial_deduction",
        "low_deduction",
    ]

    def has_add_permission(self, request):
        return not RhythmSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("day", "year", order="DESC")
        return [(str(year.year), str(year.year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdecimal() and len(value) == 4:
            return queryset.filter(day__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Public holidays and adjusted working days (调休), entered per year from the State
    Council's notice."""

    list_display = ["day", "kind", "name"]
    list_filter = [YearFilter, "kind"]
    date_hierarchy = "day"


@admin.register(Allowance)
class AllowanceAdmin(admin.ModelAdmin):
    list_display = ["person", "base_amount"]
    autocomplete_fields = ["person"]
    search_fields = ["person__username", "person__last_name", "person__first_name"]


class AttendanceChangeInline(RowsInlineMixin, admin.TabularInline):
    model = AttendanceChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_kind", "new_kind", "reason", "changed_by", "changed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AttendanceDay)
class AttendanceDayAdmin(admin.ModelAdmin):
    list_display = ["day", "person", "kind", "checked_in_at", "checked_out_at"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["person__username"]
    inlines = [AttendanceChangeInline]
    list_select_related = ["person"]

    def has_change_permission(self, request, obj=None):
        return False  # corrections go through the attendance page, with a reason


@admin.register(MonthlyAttendance)
class MonthlyAttendanceAdmin(admin.ModelAdmin):
    list_display = [
        "month",
        "person",
        "working_days",
        "attended_days",
        "rate",
        "deduction_percent",
        "deduction",
        "closed",
    ]
    list_filter = ["closed", "month"]
    list_select_related = ["person"]

    def has_change_permission(self, request, obj=None):
        return False  # written by the nightly job only

    def has_add_permission(self, request):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["period_start", "kind", "author", "on_time", "submitted_at"]
    list_filter = ["kind", "on_time"]
    list_select_related = ["author"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "kind", "title", "team", "organiser"]
    list_filter = ["kind"]
    list_select_related = ["team", "organiser"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["description", "owner", "due_on", "done_at"]
    list_select_related = ["owner"]


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["day", "team", "built_at"]
    list_select_related = ["team"]

    def has_change_permission(self, request, obj=None):
        return False
