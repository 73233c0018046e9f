"""The Python rendering of `<select>` is Django's template rendering, character for character."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from cordee.core.renderers import FormRenderer

CHOICES: list[Any] = [
    ("", "Sélectionner"),
    ("a", "Ahmed & <Co>"),
    ("b", mark_safe("<b>sûr</b>")),  # a label marked safe stays unescaped
    (3, 1234567),
    ("Groupe « un »", [("g1", "Un"), ("g2", 'Deux "guillemets"')]),
]


@pytest.mark.parametrize(
    ("widget", "value", "attrs"),
    [
        (forms.Select(choices=CHOICES), "a", {"id": "id_x", "class": "form-select"}),
        (forms.Select(choices=CHOICES), None, {"required": True, "disabled": False}),
        (forms.Select(choices=CHOICES), 3, {"aria-describedby": 'x_aide "y"'}),
        (forms.SelectMultiple(choices=CHOICES), ["a", "g2"], {"id": "id_m"}),
        (forms.SelectMultiple(choices=[]), [], None),
        (forms.NullBooleanSelect(), True, {"class": "c"}),
    ],
)
def test_selects_render_as_the_templates_do(widget: forms.Widget, value: Any, attrs: Any) -> None:
    stock = widget.render("champ", value, attrs=attrs, renderer=DjangoTemplates())
    fast = widget.render("champ", value, attrs=attrs, renderer=FormRenderer())
    assert fast == stock


def test_widgets_with_their_own_templates_keep_them() -> None:
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Custom(choices=[("a", "A")])
    stock = widget.render("champ", "a", renderer=DjangoTemplates())
    assert widget.render("champ", "a", renderer=FormRenderer()) == stock
    text = forms.TextInput()
    assert text.render("t", "v", renderer=FormRenderer()) == text.render("t", "v", renderer=DjangoTemplates())
