"""`core.multiselect` (`{% multiselect field %}`) writes what `_multiselect.html` wrote, to the
character: model choices (by id or by another field), plain choices with characters to escape,
checked values, a refused value with its French error, no choice at all, and a widget it does
not know (rendered through the template)."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string

from cordee.core.multiselect import multiselect
from cordee.tasks.forms import TaskDashboardForm
from cordee.tasks.models import TaskLevel, TaskType
from cordee.territory.models import Zone

pytestmark = pytest.mark.django_db

CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class _Plain(forms.Form):
    choix = forms.MultipleChoiceField(
        label="Choix <d'abord> & « ensuite »",
        choices=[("a&b", "A & <b>"), ('c"d', "C 'd'"), (3, 3)],
        required=False,
        widget=CHECKBOXES,
    )
    aucun = forms.MultipleChoiceField(label="Aucun", choices=[], required=False, widget=CHECKBOXES)
    groupes = forms.MultipleChoiceField(
        label="Groupes", choices=[("G", [("x", "X"), ("y", "Y")])], required=False, widget=CHECKBOXES
    )
    liste = forms.MultipleChoiceField(label="Liste", choices=[("x", "X")], required=False)


def _same(field: forms.BoundField) -> str:
    expected = render_to_string("_multiselect.html", {"field": field})
    assert str(multiselect(field)) == expected
    return expected


def test_model_choices_unbound_checked_and_refused() -> None:
    zones = list(Zone.objects.order_by("name")[:2])
    if not zones:
        Zone.objects.create(name="Zone <test> & co")
        zones = list(Zone.objects.all())
    for data in (
        None,
        {"zone": [str(zone.public_id) for zone in zones], "type": [TaskType.objects.earliest("pk").pk]},
        {"zone": ["pas-un-id"], "niveau": ["999999"]},
    ):
        form = TaskDashboardForm(data)
        if data is not None:
            form.is_valid()
        for name in ("zone", "type", "niveau"):
            html = _same(form[name])
            assert 'class="form-check-input"' in html or "Aucun choix" in html
    assert "checked" in _same(TaskDashboardForm({"niveau": [TaskLevel.objects.earliest("pk").pk]})["niveau"])
    refused = TaskDashboardForm({"zone": ["pas-un-id"]})
    refused.is_valid()
    assert "invalid-feedback" in _same(refused["zone"]) and "aria-invalid" in _same(refused["zone"])


def test_plain_choices_escaped_and_checked_and_the_rest_through_the_template() -> None:
    form = _Plain({"choix": ["a&b", "3"]})
    form.is_valid()
    html = _same(form["choix"])
    assert "A &amp; &lt;b&gt;" in html and html.count(" checked") == 2
    refused = _Plain({"choix": ["z"]})
    refused.is_valid()
    assert "invalid-feedback" in _same(refused["choix"])
    assert "Aucun choix proposé." in _same(_Plain()["aucun"])
    _same(_Plain()["groupes"])  # a group of choices: the template's own rendering
    _same(_Plain()["liste"])  # not checkboxes: the template's own rendering
