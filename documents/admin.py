from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    list_select_related = ["uploaded_by"]
    raw_id_fields = ["lead", "customer", "contract", "uploaded_by"]
    readonly_fields = ["content_type", "size", "sha256", "uploaded_at"]
    search_fields = ["name"]
