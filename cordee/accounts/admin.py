from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from cordee.accounts.models import (
    Membership,
    Profession,
    RegistrationRequest,
    Structure,
    TermsAcceptance,
    TermsVersion,
    User,
)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["structure"]
    fields = ["structure", "role", "function", "is_active"]


class StructureMembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fk_name = "structure"
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "function", "is_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = [
        "username",
        "last_name",
        "first_name",
        "profession",
        "rpps",
        "adeli",
        "is_active",
        "is_staff",
    ]
    list_filter = ["profession", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name", "email", "rpps", "adeli"]
    autocomplete_fields = ["commune"]
    inlines = [MembershipInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (
            "Professionnel",
            {"fields": ["profession", "specialty", "rpps", "adeli", "phone", "mobile", "address", "commune"]},
        ),
    )


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "commune", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_key", "finess", "siret"]
    autocomplete_fields = ["commune"]
    inlines = [StructureMembershipInline]


@admin.register(Profession)
class ProfessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["label", "code", "category", "identifier", "ordering", "is_active"]
    list_editable = ["ordering", "is_active"]
    search_fields = ["label", "code"]


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["last_name", "first_name", "profession", "email", "status", "created_at"]
    list_filter = ["status", "profession"]
    search_fields = ["last_name", "email", "rpps", "adeli"]
    readonly_fields = ["status", "decided_by", "decided_at", "user", "invitation"]


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["version", "title", "published_at"]


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "terms", "accepted_at"]
    readonly_fields = ["user", "terms", "accepted_at"]
