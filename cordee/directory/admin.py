from __future__ import annotations

from django.contrib import admin

from cordee.directory.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["email", "last_name", "first_name", "created_by", "structure", "created_at"]
    search_fields = ["email", "last_name"]
    readonly_fields = ["created_by", "created_at"]
