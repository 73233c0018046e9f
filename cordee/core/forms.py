"""Form fields every app shares: days and moments a person types, bounded to what is plausible.

A date far outside any care (year 1, year 9999) is not only wrong: stored as a timestamp it can no
longer be read back on PostgreSQL once converted from Paris time to UTC (issue 24). Every date or
moment a user types goes through `DayField` / `MomentField`, which refuse it with a French message
beside the field; birth dates keep their own identity-vigilance rules on top (IDV-3, IDV-4).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from cordee.core import clock

EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)


def out_of_range_message(earliest: datetime.date, latest: datetime.date) -> str:
    return f"Veuillez indiquer une date entre le {earliest:%d/%m/%Y} et le {latest:%d/%m/%Y}."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class _Bounded:
    """The range check shared by days and moments; the browser is told the same bounds."""

    earliest: datetime.date
    latest: datetime.date

    def _check_day(self, day: datetime.date) -> None:
        if not self.earliest <= day <= self.latest:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")  # type: ignore[attr-defined]


class DayField(_Bounded, forms.DateField):
    """A calendar day between `earliest` and `latest` (1900 → 2100 unless told)."""

    widget = DateInput

    def __init__(
        self, *, earliest: datetime.date = EARLIEST_DAY, latest: datetime.date = LATEST_DAY, **kwargs: Any
    ) -> None:
        self.earliest, self.latest = earliest, latest  # before Field.__init__ asks widget_attrs
        super().__init__(**kwargs)
        self.error_messages["out_of_range"] = out_of_range_message(earliest, latest)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date":
            attrs.update(min=self.earliest.isoformat(), max=self.latest.isoformat())
        return attrs

    def clean(self, value: Any) -> Any:
        day = super().clean(value)
        if isinstance(day, datetime.date):
            self._check_day(day)
        return day


class MomentField(_Bounded, forms.DateTimeField):
    """A moment typed on the Paris clock, its day between `earliest` and `latest`."""

    widget = DateTimeInput

    def __init__(
        self, *, earliest: datetime.date = EARLIEST_DAY, latest: datetime.date = LATEST_DAY, **kwargs: Any
    ) -> None:
        self.earliest, self.latest = earliest, latest  # before Field.__init__ asks widget_attrs
        super().__init__(**kwargs)
        self.error_messages["out_of_range"] = out_of_range_message(earliest, latest)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "datetime-local":
            attrs.update(min=f"{self.earliest.isoformat()}T00:00", max=f"{self.latest.isoformat()}T23:59")
        return attrs

    def to_python(self, value: Any) -> datetime.datetime | None:
        # The bound is checked on the moment as typed, before it is made aware: year 1 in Paris
        # would overflow when converted to UTC.
        if isinstance(value, str) and len(value.strip()) >= 10:
            try:
                typed_day = datetime.date.fromisoformat(value.strip()[:10])
            except ValueError:
                typed_day = None  # not ISO: Django's own parsing answers
            if typed_day is not None:
                self._check_day(typed_day)
        return super().to_python(value)

    def clean(self, value: Any) -> Any:
        moment = super().clean(value)
        if isinstance(moment, datetime.datetime):
            self._check_day(clock.date_of(moment))
        return moment


class NameForm(forms.Form):
    """A name a person gives to something of theirs (a favourite group, a saved filter): read
    through a form, so its length and NUL bytes are refused in French like any field's."""

    name = forms.CharField(label="Nom", max_length=100, required=False)  # empty: the caller's message

    def message(self) -> str:
        return " ".join(str(error) for error in self.errors.get("name", []))


COMMENT_MAX_LENGTH = 2000


def free_text(
    label: str, *, max_length: int = COMMENT_MAX_LENGTH, rows: int = 3, required: bool = False
) -> Any:
    """A free text a person types (comment, message, reason): bounded (issue 24), the browser
    told the same limit, which app.js shows as a counter under the box."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )
