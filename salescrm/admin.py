from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import JobRun, ProductLine, Team, User
from .services import user_set_role


class BoundedInlineMixin:
    """An admin inline builds at most `max_num` forms whatever a forged TOTAL_FORMS says
    (Django would otherwise build up to max_num + 1,000), and refuses more with a message."""

    max_num = 50

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.get_max_num(request, obj, **kwargs))
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)


class RowsInlineMixin:
    """A history inline (stage changes, lines, steps) shows every row its parent has, however
    many; a posted TOTAL_FORMS beyond those rows (plus `room` new ones where adding is allowed)
    is refused before the forms are built."""

    room = 20

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        existing = (
            formset.model._default_manager.filter(**{formset.fk.name: obj}).count()
            if obj is not None and obj.pk
            else 0
        )
        formset.absolute_max = existing + (
            self.room if self.has_add_permission(request, obj) else 0
        )
        return formset


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager", "parent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "manager__username"]
    autocomplete_fields = ["manager", "parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "role",
        "team",
        "seniority",
        "hire_date",
        "is_active",
    ]
    list_filter = ["role", "team", "seniority", "is_active"]
    list_select_related = ["team"]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Sales organisation"),
            {"fields": ["role", "team", "seniority", "hire_date", "phone", "language"]},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Sales organisation"), {"fields": ["role", "team", "seniority", "hire_date"]}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The role decides the permission group; one service keeps the two in step.
        user_set_role(user=obj, role=obj.role)


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Read-only: the nightly jobs write these rows, admins read how each run went."""

    list_display = [
        "job",
        "business_date",
        "status",
        "attempts",
        "started_at",
        "finished_at",
        "seconds",
        "row_counts",
    ]
    list_filter = ["status", "job", "business_date"]
    search_fields = ["job", "error"]
    list_select_related = []
    date_hierarchy = "business_date"
    readonly_fields = [
        "job",
        "business_date",
        "status",
        "attempts",
        "started_at",
        "finished_at",
        "row_counts",
        "error",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
