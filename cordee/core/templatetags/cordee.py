"""Template helpers of the UI shell."""

from __future__ import annotations

import datetime
import uuid

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.safestring import SafeString

from cordee.core import clock
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
    if getattr(field.field, "required_mark", False):
        # Required only in some cases (the form checks them): marked, and said, as required.
        attrs["aria-required"] = "true"
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


@register.filter
def moment(value: object) -> str:
    """A moment as people read it: "03/12/2026 à 22:44", on the Paris clock whatever the
    request's time zone; "—" when there is none."""
    if not isinstance(value, datetime.datetime):
        return "—"
    if timezone.is_aware(value):
        value = clock.local(value)
    return f"{value:%d/%m/%Y} à {value:%H:%M}"
