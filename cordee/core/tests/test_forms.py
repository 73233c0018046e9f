"""Issue 24: every day or moment a person types is bounded (1900 → 2100 unless a field says
otherwise), refused in French beside the field — never stored to break a page later."""

from __future__ import annotations

import datetime

import pytest
from django import forms

from cordee.core.forms import DayField, MomentField


class Sample(forms.Form):
    day = DayField(label="Date", required=False)
    moment = MomentField(label="Échéance", required=False)
    birth = DayField(
        label="Naissance",
        required=False,
        earliest=datetime.date(1900, 1, 1),
        latest=datetime.date(2030, 1, 1),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", "0001-01-01"),
        ("day", "1899-12-31"),
        ("day", "2101-01-01"),
        ("day", "9999-12-31"),
        ("moment", "0001-01-01T00:00"),
        ("moment", "9999-12-31T23:59"),
        ("moment", "1899-12-31T23:59"),
        ("birth", "2031-05-05"),
    ],
)
def test_a_date_out_of_range_is_refused_in_french(field: str, value: str) -> None:
    form = Sample(data={field: value})
    assert not form.is_valid()
    assert form.errors[field] == [form.fields[field].error_messages["out_of_range"]]
    assert "Veuillez indiquer une date entre le" in form.errors[field][0]


@pytest.mark.parametrize("value", ["99999-01-01", "2026-13-01", "demain", "2026-02-30", "\x00"])
def test_a_date_that_is_no_date_is_refused_in_french(value: str) -> None:
    form = Sample(data={"day": value, "moment": value})
    assert not form.is_valid()
    assert set(form.errors) == {"day", "moment"}
    assert all(
        "date" in str(message).lower() or "caractère" in str(message).lower()
        for message in form.errors["day"]
    )


def test_dates_within_range_pass_and_moments_are_paris_time() -> None:
    form = Sample(data={"day": "1900-01-01", "moment": "2100-12-31T23:59"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(1900, 1, 1)
    moment = form.cleaned_data["moment"]
    assert moment.utcoffset() == datetime.timedelta(hours=1)  # winter in Paris


def test_the_browser_is_told_the_same_bounds() -> None:
    html = str(Sample()["day"]) + str(Sample()["moment"])
    assert 'min="1900-01-01"' in html and 'max="2100-12-31"' in html
    assert 'min="1900-01-01T00:00"' in html and 'max="2100-12-31T23:59"' in html


def _project_forms() -> list[type[forms.BaseForm]]:
    """Every form class Cordée defines, its modules imported from the sources (a new form module
    is found without being named here)."""
    import importlib
    import pkgutil

    import cordee

    for module in pkgutil.walk_packages(cordee.__path__, "cordee."):
        if ".tests" in module.name or ".migrations" in module.name or ".management" in module.name:
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    stack: list[type[forms.BaseForm]] = [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("cordee.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def test_every_typed_date_of_every_form_is_bounded() -> None:
    """The class of fault the probe found on tasks (issue 24): no form of the project keeps
    Django's unbounded DateField / DateTimeField, declared or generated from a model."""
    project_forms = _project_forms()
    assert len(project_forms) > 20  # the walk found the apps' forms
    unbounded = [
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in project_forms
        for name, field in form.base_fields.items()  # type: ignore[attr-defined]
        if isinstance(field, forms.DateField | forms.DateTimeField)
        and not isinstance(field, DayField | MomentField)
    ]
    assert unbounded == []


def test_every_free_text_of_every_form_has_a_length_limit() -> None:
    """Issue 24 (comments of 100,000 characters were accepted): every text field a person types
    in is bounded, the browser told the same limit (maxlength: the counter reads it)."""
    unbounded = [
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in _project_forms()
        for name, field in form.base_fields.items()  # type: ignore[attr-defined]
        if type(field) in (forms.CharField,) and field.max_length is None
    ]
    assert unbounded == []
