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
    assert 'role="option" data-code="06088" data-label="Nice (06000)"' in page
    assert 'data-message="1 commune trouvée."' in page or "communes trouvées" in page
    empty = Client().get(reverse("territory:commune_search"), {"q": "zzzz"}).content.decode()
    assert "Aucune commune ne correspond à « zzzz »" in empty and 'role="option"' not in empty


class _Form(forms.Form):
    commune = CommuneField(label="Ville")


@pytest.mark.django_db
def test_an_unknown_commune_is_refused_in_french() -> None:
    form = _Form(data={"commune": "00000"})
    assert not form.is_valid()
    assert "Commune inconnue" in form.errors["commune"][0]
    assert _Form(data={"commune": "06088"}).is_valid()


@pytest.mark.django_db
def test_the_widget_is_one_combobox_showing_the_chosen_commune() -> None:
    """Issue 23: one combobox (WAI-ARIA 1.2) named by the field's label, its listbox, and the
    chosen code in a hidden field under the field's own name."""
    form = _Form(data={"commune": "06088"})
    html = str(form["commune"])
    assert html.count('role="combobox"') == 1 and "<select" not in html
    assert 'id="id_commune"' in html and 'aria-controls="id_commune_liste"' in html
    assert 'role="listbox" id="id_commune_liste"' in html
    assert 'name="commune_search" value="Nice (06000)"' in html
    assert '<input type="hidden" name="commune" value="06088" data-commune-code>' in html
    assert 'data-search-url="/territoire/communes/recherche/"' in html
    assert "required" in html  # the field is required: so is the box


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Nice (06000)", "06088"),  # as the combobox shows it
        ("06088", "06088"),  # an INSEE code
        ("Antibes", "06004"),  # a single match
    ],
)
def test_without_javascript_the_typed_text_is_resolved(typed: str, code: str) -> None:
    form = _Form(data={"commune": "", "commune_search": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].code == code


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["zzzz", "Ni\x00ce", "x" * 500])
def test_a_typed_text_naming_no_commune_is_refused_in_french_and_given_back(typed: str) -> None:
    form = _Form(data={"commune": "", "commune_search": typed})
    assert not form.is_valid()
    assert form.errors["commune"][0] in (
        "Commune inconnue : recherchez-la par son nom ou son code postal.",
        "Le caractère nul n’est pas autorisé.",
    )
    html = str(form["commune"])
    assert '<input type="hidden" name="commune" value="" data-commune-code>' in html


@pytest.mark.django_db
def test_a_zone_groups_communes() -> None:
    zone = Zone.objects.create(name="Test littoral")
    zone.communes.add(*Commune.objects.filter(code__in=["06088", "06029"]))
    assert set(Commune.objects.get(code="06088").zones.all()) == {zone}


@pytest.mark.django_db
def test_the_picker_search_box_is_read_under_its_own_name() -> None:
    """The widget's box sends `<field>_search` (no script renames it: CSP without eval)."""
    page = Client().get(reverse("territory:commune_search"), {"birth_commune_search": "Nice"})
    assert 'data-code="06088"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("posted", ["06\x0088", "0" * 300, "'; --", "0608"])
def test_a_posted_code_that_is_no_commune_code_is_refused_without_a_query_error(posted: str) -> None:
    """Issue 24 on PostgreSQL: a NUL byte or an overlong code in the hidden field made the
    lookup fail (500) instead of answering that the commune is unknown."""
    form = _Form(data={"commune": posted})
    assert not form.is_valid()
    assert form.errors["commune"] == ["Commune inconnue : recherchez-la par son nom ou son code postal."]
    str(form["commune"])  # and the form renders again, the value given back
