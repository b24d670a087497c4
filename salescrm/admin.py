from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ProductLine, Team, User
from .services import user_set_role


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
