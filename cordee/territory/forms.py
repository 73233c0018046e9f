"""The commune picker (TER-1): search by name or postal code, then choose."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from cordee.territory.models import Commune


class CommuneWidget(forms.Select):
    """A search box that refreshes the select below it through htmx.

    Without JavaScript the select still holds the current choice; with it, typing a name or a
    postal code lists matching communes. Both controls carry their own label (RGAA).
    """

    template_name = "territory/commune_widget.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["search_url"] = reverse("territory:commune_search")
        context["search_label"] = getattr(self, "search_label", "Rechercher une ville")
        return context

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        # Only the selected commune is rendered: listing 35,000 options would be unusable.
        selected = [v for v in value if v]
        communes = Commune.objects.filter(code__in=selected) if selected else Commune.objects.none()
        groups = [(None, [self.create_option(name, "", "— Rechercher une ville —", not selected, 0)], 0)]
        for index, commune in enumerate(communes, start=1):
            groups.append(
                (None, [self.create_option(name, commune.code, _label(commune), True, index)], index)
            )
        return groups


def _label(commune: Commune) -> str:
    return f"{commune.name} ({commune.main_postal_code or commune.code})"


class CommuneField(forms.ModelChoiceField):  # type: ignore[type-arg]
    default_error_messages = {
        "invalid_choice": "Commune inconnue : recherchez-la par son nom ou son code postal.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Commune.objects.all())
        kwargs.setdefault("widget", CommuneWidget)
        kwargs.setdefault("to_field_name", "code")
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # Two pickers on one form (birth and residence) need search boxes named apart (RGAA).
        label = f"Rechercher : {str(self.label).lower()}" if self.label else "Rechercher une ville"
        setattr(widget, "search_label", label)  # noqa: B010 - an attribute CommuneWidget reads
        return super().widget_attrs(widget)

    def label_from_instance(self, obj: Any) -> str:
        return _label(obj)
