"""CIR-2 / CIR-5: the rights matrix and the circle roles are data, refined by administrators."""

from __future__ import annotations

from django.contrib import admin

from cordee.careteam.models import CircleRole, RightsRule


@admin.register(CircleRole)
class CircleRoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["label", "ordering"]
    ordering = ["ordering", "label"]


@admin.register(RightsRule)
class RightsRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["section", "theme", "document_category", "profession", "role", "can_read", "can_write"]
    list_filter = ["section", "can_write", "role", "document_category"]
    list_select_related = ["profession", "role", "theme", "document_category"]
    autocomplete_fields = ["profession"]
    ordering = ["section", "profession__label"]
