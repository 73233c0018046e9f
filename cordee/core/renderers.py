"""The form renderer: Django's templates, with plain `<select>` elements written in Python.

Django renders a select by including one template per option (and one more for its
attributes): the birth-country list of the identity forms (244 countries) cost 11 ms a page,
the zone list of the active file 3-5 ms (README "Performance"). For the stock templates
`select.html` / `select_option.html` this renderer produces the very same HTML directly;
every other template — custom widgets (the commune picker), a widget with its own option
template — goes through Django's templates as before. `cordee/core/tests/test_renderer.py` compares
both outputs character by character.
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


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString | str:
        if template_name == SELECT_TEMPLATE and "widget" in context:
            html = render_select(context["widget"])
            if html is not None:
                return mark_safe(html)  # noqa: S308 - every value escaped above, as the templates do
        return super().render(template_name, context, request)
