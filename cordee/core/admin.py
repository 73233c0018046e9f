from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cordee.core.mail import retry
from cordee.core.models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin[OutgoingMail]):
    """NOT-2: the outbox as administrators follow it — pending, failed, retried. The text is not
    shown: it may name a patient's initials, and reading it is no administrator's task."""

    list_display = [
        "created_at",
        "to",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state"]
    search_fields = ["to", "subject"]
    fields = ("to", "subject", "state", "attempts", "next_attempt_at", "claimed_at", "sent_at", "last_error")
    readonly_fields = fields
    actions = ["retry_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutgoingMail | None = None) -> bool:
        return False

    @admin.action(description="Réessayer l'envoi des courriels en échec")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[OutgoingMail]) -> None:
        failed = list(queryset.filter(state=OutgoingMail.State.FAILED))
        for mail in failed:
            retry(mail)
        self.message_user(request, f"{len(failed)} courriel(s) remis en envoi.", messages.SUCCESS)
