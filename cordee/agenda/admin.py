from __future__ import annotations

from django.contrib import admin

from cordee.agenda.models import EventType


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin[EventType]):
    """AGD-1: the event types are reference data administrators configure."""

    list_display = ["label", "colour", "ordering", "is_active"]
    list_editable = ["colour", "ordering", "is_active"]
