"""The form renderer: Django's templates, with plain `<select>` and `<input>` written in Python.

Django renders a select by including one template per option (and one more for its
attributes): the birth-country list of the identity forms (244 countries) cost 11 ms a page,
the zone list of the active file 3-5 ms (README "Performance"); an `<input>` goes through two
templates (0.1-0.2 ms each, 2 ms for the active file's filters). For the stock templates
`select.html` / `select_option.html`, those that only include `input.html` (text, date,
hidden, checkbox…) and `input_option.html` (a checkbox or radio of a list) this renderer
produces the very same HTML directly; every other template — custom widgets (the commune
picker), a widget with its own option template, the clearable file input — goes through
Django's templates as before. `cordee/core/tests/test_renderer.py` compares both outputs
character by character.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# `input_option.html` and the stock templates that only include it.
OPTION_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html" for name in ("input_option", "checkbox_option", "radio_option")
}
# The stock widgets whose template is only `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        *("input", "text", "number", "email", "url", "password", "hidden", "search", "tel", "color"),
        *("date", "datetime", "time", "checkbox", "file"),
    )
}


def _text(value: Any, context: Context) -> str:
    """`{{ value }}`: localized, escaped unless already safe."""
    return str(render_value_in_context(value, context))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` (the filter keeps a safe value safe)."""
    text = f"{value}"
    return text if isinstance(value, SafeData) else str(escape(text))


def _attrs(attrs: dict[str, Any], context: Context) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {_text(name, context)}" if value is True else f' {_text(name, context)}="{_formatted(value)}"'
        )
    return "".join(parts)


def render_select(widget: dict[str, Any]) -> str | None:
    """select.html and its options, or None when an option has a template of its own."""
    context = Context(autoescape=True)
    out = [f'<select name="{_text(widget["name"], context)}"{_attrs(widget["attrs"], context)}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name, context)}">')
        for option in options:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"], context)}>'
                f"{_text(option['label'], context)}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out).strip()


def render_input(widget: dict[str, Any]) -> str:
    """input.html: `<input type name value attrs>`."""
    context = Context(autoescape=True)
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"], context)}" name="{_text(widget["name"], context)}"'
        f"{value}{_attrs(widget['attrs'], context)}>"
    )


def render_input_option(widget: dict[str, Any]) -> str:
    """input_option.html: one checkbox or radio of a list (`{{ choice.tag }}`), its label around
    it when asked to wrap it."""
    html = render_input(widget)
    if not widget.get("wrap_label"):
        return html
    context = Context(autoescape=True)
    target = widget["attrs"].get("id")
    label_for = f' for="{_text(target, context)}"' if target else ""
    # The newline is input.html's last character, kept inside the label.
    return f"<label{label_for}>{html}\n {_text(widget['label'], context)}</label>"


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString | str:
        if "widget" in context:
            if template_name == SELECT_TEMPLATE:
                html = render_select(context["widget"])
                if html is not None:
                    return mark_safe(html)  # noqa: S308 - every value escaped above, as the templates do
            elif template_name in INPUT_TEMPLATES:
                return mark_safe(render_input(context["widget"]))  # noqa: S308 - escaped as above
            elif template_name in OPTION_INPUT_TEMPLATES:
                return mark_safe(render_input_option(context["widget"]))  # noqa: S308 - escaped as above
        return super().render(template_name, context, request)
