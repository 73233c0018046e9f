"""Helpers for the dossier tests: what a browser would post back from a rendered form."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.forms import BaseForm
from django.http import HttpResponse

FormPayload = Callable[..., dict[str, str]]


def _as_posted(value: Any) -> str | None:
    """The string a browser sends for a field's value; None for an unticked checkbox."""
    if value is None:
        return ""
    if value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@pytest.fixture
def form_payload() -> FormPayload:
    """`form_payload(response, **changes)`: the page's form as submitted, with some fields retyped.

    The values come from the form the page rendered (hidden version number included), so two
    payloads built from two pages opened at the same moment carry the same version.
    """

    def build(response: HttpResponse, **changes: str | None) -> dict[str, str]:
        form: BaseForm = response.context["form"]  # type: ignore[attr-defined]
        data: dict[str, str] = {}
        for name in form.fields:
            posted = _as_posted(form[name].value())
            if posted is not None:
                data[form.add_prefix(name)] = posted
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        return data

    return build
