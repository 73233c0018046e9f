"""TER-1 communes and countries shipped as data; the commune picker; TER-2 zones."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from cordee.territory.forms import CommuneField
from cordee.territory.models import FRANCE_CODE, Commune, Country, Zone
from cordee.territory.search import search_communes


@pytest.mark.django_db
def test_the_cog_is_loaded_by_the_migrations() -> None:
    assert Commune.objects.count() > 34_000
    assert Commune.objects.get(code="2A004").name == "Ajaccio"
    assert "75116" in Commune.objects.get(code="75056").postal_code_list
    assert Commune.objects.get(code="97411").departement_id == "974"
    assert Country.objects.get(code=FRANCE_CODE).name == "FRANCE"
    assert Country.objects.filter(code__startswith="99").count() == Country.objects.count()


@pytest.mark.django_db
def test_reloading_is_idempotent() -> None:
    from django.core.management import call_command

    before = Commune.objects.count(), Country.objects.count()
    call_command("load_territory", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Commune.objects.count(), Country.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("saint etienne", "42218"),
        ("SAINT-ÉTIENNE", "42218"),
        ("06000", "06088"),
        ("2000", "2A004"),
        ("00000", None),
        ("aja", "2A004"),
    ],
)
def test_commune_search_by_name_or_postal_code(query: str, expected: str | None) -> None:
    codes = [c.code for c in search_communes(query)]
    if expected is None:
        assert codes == []
    else:
        assert expected in codes


@pytest.mark.django_db
def test_the_picker_endpoint_lists_options() -> None:
    page = Client().get(reverse("territory:commune_search"), {"q": "Nice"}).content.decode()
    assert 'value="06088"' in page and "Nice (06000" in page
    empty = Client().get(reverse("territory:commune_search"), {"q": "zzzz"}).content.decode()
    assert "Aucune commune ne correspond" in empty


class _Form(forms.Form):
    commune = CommuneField(label="Ville")


@pytest.mark.django_db
def test_an_unknown_commune_is_refused_in_french() -> None:
    form = _Form(data={"commune": "00000"})
    assert not form.is_valid()
    assert "Commune inconnue" in form.errors["commune"][0]
    assert _Form(data={"commune": "06088"}).is_valid()


@pytest.mark.django_db
def test_the_widget_renders_the_selected_commune_only() -> None:
    html = str(_Form(data={"commune": "06088"})["commune"])
    assert "Nice (06000)" in html and html.count("<option") == 2
    assert 'hx-get="/territoire/communes/recherche/"' in html


@pytest.mark.django_db
def test_a_zone_groups_communes() -> None:
    zone = Zone.objects.create(name="Test littoral")
    zone.communes.add(*Commune.objects.filter(code__in=["06088", "06029"]))
    assert set(Commune.objects.get(code="06088").zones.all()) == {zone}
