"""`{% include "_multiselect.html" with field=… %}` written in Python (issue 23's checkboxes).

Through the template, each choice of a list (the 30 zones, 10 task types, 3 levels of the
tasks dashboard's filters) went through `BoundField.subwidgets` (a dict of attributes per
choice), then `{{ choice.tag }}` through the form renderer, then three template lookups: about
5 ms of a page on the benchmark machine. Here the same choices (`widget.choices`: the same
query), the same attributes (`BoundField.build_widget_attrs`, the widget's own), escaped as the
templates escape them: the HTML is the template's, to the character
(`core/tests/test_multiselect.py` compares both). Anything but a flat list of checkboxes goes
through the template as before.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

TEMPLATE = "_multiselect.html"
OPTION_TEMPLATE = "django/forms/widgets/checkbox_option.html"


def _text(value: Any) -> str:
    """`{{ value }}` of a text (labels, ids): escaped unless already safe."""
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` (the filter keeps a safe value safe)."""
    text = f"{value}"
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _choices(choices: Any) -> Any:
    """A model field's choices read in one plain query: `ModelChoiceIterator` reads them through
    `QuerySet.iterator()`, a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round
    trips for a dozen rows)."""
    if not isinstance(choices, ModelChoiceIterator) or choices.field.empty_label is not None:
        return choices
    return [choices.choice(obj) for obj in choices.queryset.all()]


def _options(field: BoundField) -> str | None:
    """The loop's checkboxes and labels, or None when a choice is not a plain one."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    base = {**widget.attrs, **field.build_widget_attrs({"id": id_} if id_ else {})}
    chosen = widget.format_value(field.value())
    name = escape(field.html_name)
    out = []
    for index, (option_value, label) in enumerate(_choices(widget.choices)):
        if isinstance(label, list | tuple):
            return None  # a group of choices
        value = "" if option_value is None else option_value
        attrs = dict(base)
        if str(value) in chosen:
            attrs.update(widget.checked_attribute)
        if "id" in attrs:
            attrs["id"] = widget.id_for_label(attrs["id"], str(index))
        target = _text(attrs.get("id"))
        out.append(
            f'<div class="form-check"><input type="checkbox" name="{name}" value="{_formatted(value)}"'
            f'{_attrs(attrs)}><label class="form-check-label" for="{target}">{_text(label)}</label></div>'
        )
    return "".join(out) or '<p class="small text-body-secondary mb-0">Aucun choix proposé.</p>'


def multiselect(field: BoundField) -> SafeString:
    widget = field.field.widget
    plain = type(widget) is forms.CheckboxSelectMultiple and widget.option_template_name == OPTION_TEMPLATE
    options = _options(field) if plain else None
    if options is None:
        return mark_safe(render_to_string(TEMPLATE, {"field": field}))  # noqa: S308 - the template escapes
    auto_id = _text(field.auto_id)
    errors = field.errors
    described = f' aria-describedby="{auto_id}_erreur"' if errors else ""
    error = (
        f'<div class="invalid-feedback d-block" id="{auto_id}_erreur">'
        + "<br>".join(_text(e) for e in errors)
        + "</div>"
        if errors
        else ""
    )
    return mark_safe(  # noqa: S308 - every value escaped above, as the template does
        f'\n<fieldset class="mb-3 multi-select" data-multiselect{described}>'
        f'\n  <legend class="form-label fs-6 mb-1" id="{auto_id}_legende">{_text(field.label)}</legend>'
        f'\n  <div class="multi-select-options" id="{auto_id}_choix">'
        f"\n    {options}"
        "\n  </div>"
        f"\n  {error}"
        "\n</fieldset>\n"
    )
