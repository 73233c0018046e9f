"""The Python rendering of `<select>` and `<input>` is Django's template rendering, character for
character."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django import forms
from django.forms.boundfield import BoundWidget
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


MORNING = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)
ODD = "Ahmed & <Co> \"guillemets\" 'apostrophe'"


@pytest.mark.parametrize(
    ("widget", "value", "attrs"),
    [
        (forms.TextInput(), ODD, {"id": "id_t", "class": "form-control", "maxlength": 100}),
        (forms.TextInput(), None, {"required": True, "disabled": False, "aria-describedby": 'a "b"'}),
        (forms.TextInput(), mark_safe("<b>sûr</b>"), None),
        (forms.TextInput(attrs={"placeholder": "Nom & prénom"}), "", None),
        (forms.NumberInput(), 0, {"min": 0, "step": "0.1"}),
        (forms.NumberInput(), 1234567.5, None),
        (forms.EmailInput(), "a@b.fr", None),
        (forms.URLInput(), "https://exemple.fr/?a=1&b=2", None),
        (forms.PasswordInput(), "secret", None),
        (forms.PasswordInput(render_value=True), "secret", None),
        (forms.HiddenInput(), 3, {"id": "id_v"}),
        (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), datetime.date(2026, 11, 26), None),
        (forms.DateTimeInput(format="%Y-%m-%dT%H:%M"), MORNING, None),
        (forms.TimeInput(), datetime.time(9, 5), None),
        (forms.CheckboxInput(), True, {"class": "form-check-input"}),
        (forms.CheckboxInput(), False, None),
        (forms.CheckboxInput(), "oui", None),
        (forms.FileInput(), None, {"accept": ".pdf,.png"}),
    ],
)
def test_inputs_render_as_the_templates_do(widget: forms.Widget, value: Any, attrs: Any) -> None:
    stock = widget.render("champ", value, attrs=attrs, renderer=DjangoTemplates())
    fast = widget.render("champ", value, attrs=attrs, renderer=FormRenderer())
    assert fast == stock


def test_inputs_are_written_without_the_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: Django's template for an input is not asked for."""
    asked: list[str] = []
    original = DjangoTemplates.get_template

    def spy(self: DjangoTemplates, name: str) -> Any:
        asked.append(name)
        return original(self, name)

    monkeypatch.setattr(DjangoTemplates, "get_template", spy)
    forms.TextInput().render("t", "v", renderer=FormRenderer())
    forms.Select(choices=[("a", "A")]).render("s", "a", renderer=FormRenderer())
    assert asked == []
    choice = forms.CheckboxSelectMultiple(choices=[("a", "A")])
    for data in choice.subwidgets("c", ["a"]):
        BoundWidget(choice, data, FormRenderer()).tag(wrap_label=True)
    assert asked == []
    forms.ClearableFileInput().render("f", None, renderer=FormRenderer())
    assert asked == ["django/forms/widgets/clearable_file_input.html"]


@pytest.mark.parametrize("widget", [forms.CheckboxSelectMultiple, forms.RadioSelect])
@pytest.mark.parametrize("wrap_label", [False, True])
def test_each_choice_of_a_list_renders_as_the_template_does(widget: Any, wrap_label: bool) -> None:
    """`{{ choice.tag }}` in the filters' checkbox lists (Sexe, Statuts, Parcours…)."""
    stock_widget, fast_widget = widget(choices=CHOICES), widget(choices=CHOICES)
    for value, attrs in ((["a", "g2"], {"id": "id_c", "class": "form-check-input"}), (None, None)):
        stock_tags = [
            BoundWidget(stock_widget, data, DjangoTemplates()).tag(wrap_label)
            for data in stock_widget.subwidgets("champ", value, attrs)
        ]
        fast_tags = [
            BoundWidget(fast_widget, data, FormRenderer()).tag(wrap_label)
            for data in fast_widget.subwidgets("champ", value, attrs)
        ]
        assert fast_tags == stock_tags
        assert len(stock_tags) == 6  # the grouped choices included
