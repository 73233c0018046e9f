"""PAR-2: themes and questionnaires are edited by administrators. A version is drafted, checked
against the definition rules, then published; a published version is frozen (a change is a new
version), so forms filled against it stay readable."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cordee.core.forms import free_text
from cordee.pathways.definition import DefinitionError, parse_definition
from cordee.pathways.models import Questionnaire, QuestionnaireVersion, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["label", "parent", "code", "ordering", "is_default", "is_restricted", "is_active"]
    list_editable = ["ordering", "is_active"]
    list_filter = ["parent", "is_default", "is_restricted", "is_active"]
    search_fields = ["label", "code"]
    prepopulated_fields = {"code": ["label"]}


class VersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = QuestionnaireVersion
    fields = ["number", "published_at", "notes"]
    readonly_fields = ["number", "published_at", "notes"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "theme", "code", "ordering", "is_active"]
    list_filter = ["theme", "is_active"]
    search_fields = ["title", "code"]
    prepopulated_fields = {"code": ["title"]}
    inlines = [VersionInline]


class VersionForm(forms.ModelForm):  # type: ignore[type-arg]
    notes = free_text("Notes de version", max_length=5000)

    class Meta:
        model = QuestionnaireVersion
        fields = ["questionnaire", "definition", "notes"]

    def clean_definition(self) -> Any:
        definition = self.cleaned_data["definition"]
        try:
            parse_definition(definition)
        except DefinitionError as exc:
            raise forms.ValidationError(exc.problems) from exc
        return definition


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = VersionForm
    list_display = ["questionnaire", "number", "published_at"]
    list_filter = ["questionnaire"]
    actions = ["publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.is_published:
            return ["questionnaire", "number", "definition", "published_at", "notes"]
        return ["number", "published_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            top = QuestionnaireVersion.objects.filter(questionnaire=obj.questionnaire).aggregate(
                top=Max("number")
            )
            obj.number = (top["top"] or 0) + 1
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publier les versions sélectionnées")
    def publish(self, request: HttpRequest, queryset: QuerySet[QuestionnaireVersion]) -> None:
        for version in queryset.filter(published_at__isnull=True):
            try:
                parse_definition(version.definition)
            except DefinitionError as exc:
                self.message_user(request, f"{version} : {exc}", messages.ERROR)
                continue
            version.published_at = timezone.now()
            version.save(update_fields=["published_at", "digest", "updated_at"])
            self.message_user(request, f"{version} est publiée.", messages.SUCCESS)
