from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cordee.audit.models import Access


@admin.register(Access)
class AccessAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """SEC-2: the platform's data protection officer reviews accesses; nobody edits them."""

    # The dossier is shown by its id only: identities are read through the access policy.
    list_display = ["at", "user", "structure", "requested_id", "action", "what", "outcome"]
    list_filter = ["outcome", "action"]
    search_fields = ["user__last_name", "user__username", "requested_id"]
    date_hierarchy = "at"
    list_select_related = ["user", "structure"]
    exclude = ["patient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
