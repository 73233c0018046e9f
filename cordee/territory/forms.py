"""The commune picker (TER-1): one combobox, searched by name or postal code, then chosen."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.urls import reverse

from cordee.territory.models import Commune
from cordee.territory.search import search_communes

# IDV-4: the birth commune "99999" stands for an unknown place (a provisional identity).
UNKNOWN_COMMUNE = "99999"
UNKNOWN_COMMUNE_LABEL = "Commune inconnue (99999) — provisoire"


class CommuneWidget(forms.Widget):
    """One combobox (WAI-ARIA 1.2, list autocomplete; issue 23): the box shows the chosen
    commune by name and postal code; typed text asks the server for matches, listed under it
    (app.js, data-commune-combobox); the chosen commune's code travels in a hidden field named
    after the form's field.

    Without JavaScript the typed text alone is sent (`<field>_search`) and resolved here: a
    commune code, a commune's label as shown, or a search with a single match; anything else
    stays as typed and the field refuses it in French.
    """

    template_name = "territory/commune_widget.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        code = "" if value is None else str(value)
        shown = code
        if code == UNKNOWN_COMMUNE:
            shown = UNKNOWN_COMMUNE_LABEL
        elif code:
            commune = Commune.objects.filter(code=code).first() if _may_be_code(code) else None
            if commune is not None:
                shown = _label(commune)
            else:  # text typed without JavaScript that named no commune: given back as typed
                code, shown = "", shown.replace("\x00", "")
        context["code"] = code
        context["shown"] = shown
        context["search_url"] = reverse("territory:commune_search")
        return context

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return str(value)

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        code = str(data.get(name) or "").strip()
        if code:
            return code
        typed = str(data.get(f"{name}_search") or "").strip()
        if not typed or "\x00" in typed:
            return typed
        if typed in (UNKNOWN_COMMUNE, UNKNOWN_COMMUNE_LABEL):
            return UNKNOWN_COMMUNE  # the field decides whether an unknown commune is allowed
        # "Nice (06000)", as the combobox shows a commune: searched by its name.
        matches = list(search_communes(re.sub(r"\s*\([^()]*\)$", "", typed[:100])))
        shown = [commune for commune in matches if _label(commune) == typed]
        if len(matches) == 1 and (shown or not typed.endswith(")")):
            return matches[0].code
        if len(shown) == 1:
            return shown[0].code
        if _may_be_code(typed) and Commune.objects.filter(code=typed).exists():  # an INSEE code
            return typed
        return typed

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name not in data and f"{name}_search" not in data


def _may_be_code(text: str) -> bool:
    """An INSEE commune code's shape (06088, 2A004): anything else is not looked up — a NUL byte
    or a 500-character text would make PostgreSQL fail the query rather than find nothing."""
    return len(text) == 5 and text.isascii() and text.isalnum()


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

    def label_from_instance(self, obj: Any) -> str:
        return _label(obj)

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _may_be_code(str(value)):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)
