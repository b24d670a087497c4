from django.contrib import admin

from .models import CustomField


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "target", "key", "kind", "required", "product_line", "is_active"]
    list_filter = ["target", "kind", "is_active"]
    search_fields = ["label", "key"]
