"""Issue 24: ids beyond 64 bits, typed in a choice field or a query string, are a French form
error or match nothing — never a 500 (SQLite's driver overflowed; PostgreSQL must agree)."""

from __future__ import annotations

import pytest
from django import forms

from cordee.accounts.models import Structure, User

HUGE = [2**64, 2**70, -(2**70), 10**30]


@pytest.mark.django_db
@pytest.mark.parametrize("value", HUGE)
def test_an_id_no_column_can_hold_matches_nothing(value: int, coordinator: User) -> None:
    assert list(User.objects.filter(pk__in=[value])) == []
    assert list(User.objects.filter(pk__in=[value, coordinator.pk])) == [coordinator]
    assert list(User.objects.filter(pk=value)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", [str(v) for v in HUGE])
def test_choice_fields_refuse_a_huge_id_in_french(value: str, structure: Structure) -> None:
    class Choosing(forms.Form):
        one = forms.ModelChoiceField(queryset=Structure.objects.all())
        many = forms.ModelMultipleChoiceField(queryset=Structure.objects.all())

    form = Choosing(data={"one": value, "many": [value, str(structure.pk)]})
    assert not form.is_valid()
    assert set(form.errors) == {"one", "many"}
    assert "Sélectionnez un choix valide" in form.errors["one"][0]
