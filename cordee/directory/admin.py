from __future__ import annotations

from django.contrib import admin

from cordee.directory.models import (
    DirectoryProfessional,
    Invitation,
    NationalProfession,
    ResourceTeam,
    Specialty,
)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["email", "last_name", "first_name", "created_by", "structure", "created_at"]
    search_fields = ["email", "last_name"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(NationalProfession)
class NationalProfessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """DIR-2 reference data: which Cordée profession each national code stands for."""

    list_display = ["code", "label", "profession", "source"]
    list_editable = ["profession"]
    search_fields = ["code", "label"]


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "label", "kind", "kind_label"]
    search_fields = ["code", "label"]


@admin.register(DirectoryProfessional)
class DirectoryProfessionalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the national directory is written by its import only."""

    list_display = ["last_name", "first_name", "national_id", "national_profession", "user", "is_active"]
    list_filter = ["is_active", "identifier_type"]
    search_fields = ["national_id", "name_key"]
    list_select_related = ["national_profession", "user"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ResourceTeam)
class ResourceTeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["structure", "is_listed", "carries_identity", "questionnaire"]
    list_filter = ["is_listed", "carries_identity"]
    search_fields = ["structure__name"]
    raw_id_fields = ["structure"]
