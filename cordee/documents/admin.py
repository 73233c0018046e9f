"""ACT-4: the document categories and types are reference data, refined by administrators
(the DMP's classes and types are shipped; a category is made restricted here, and the rights
matrix's "Documents" rows naming it say who reads it)."""

from __future__ import annotations

from django.contrib import admin

from cordee.documents.models import DocumentCategory, DocumentType


class DocumentTypeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DocumentType
    extra = 0
    fields = ["label", "code", "system", "ordering", "is_active"]


@admin.register(DocumentCategory)
class DocumentCategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["label", "code", "is_restricted", "is_active", "source_version", "ordering"]
    list_filter = ["is_restricted", "is_active"]
    search_fields = ["label", "code"]
    inlines = [DocumentTypeInline]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["label", "category", "code", "system", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["category"]
    search_fields = ["label", "code"]
