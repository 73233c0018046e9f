from __future__ import annotations

from django.contrib import admin

from cordee.patients.models import DischargeReason, RelationType


@admin.register(DischargeReason)
class DischargeReasonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """DOS-2: the configurable list of discharge reasons."""

    list_display = ["label", "ordering", "is_active"]
    list_editable = ["ordering", "is_active"]


@admin.register(RelationType)
class RelationTypeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """DOS-6: family relations and their reverse."""

    list_display = ["label", "reverse_label", "ordering"]
    list_editable = ["ordering"]
