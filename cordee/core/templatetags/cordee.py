"""Template helpers of the UI shell."""

from __future__ import annotations

import uuid

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from cordee.core.paths import uuid_path

register = template.Library()


@register.simple_tag
def widget(field: BoundField) -> SafeString:
    """Render a field's widget with Bootstrap's class and the ARIA links to its help and error.

    Done here rather than in each form so Django's own forms (password change…) look alike.
    """
    control = field.field.widget
    if isinstance(control, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(control, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    described_by = []
    if field.help_text:
        described_by.append(f"{field.id_for_label}_aide")
    attrs: dict[str, str | bool] = {"class": css}
    if field.errors:
        attrs["class"] = f"{css} is-invalid"
        attrs["aria-invalid"] = "true"
        described_by.append(f"{field.id_for_label}_erreur")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def path(name: str, *ids: uuid.UUID) -> str:
    """`{% url %}` for a page named by public ids, on each row of a long list (core.paths)."""
    return uuid_path(name, *ids)
