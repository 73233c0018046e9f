"""`core.paths.uuid_path` and `{% path %}` give what `reverse()` and `{% url %}` give; the
`__any_of` lookup selects what `__in` selects, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from cordee.core.lookups import int_array
from cordee.core.paths import uuid_path
from cordee.territory.models import Commune, Zone

IDS = [uuid.uuid4() for _ in range(3)]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("patients:detail", IDS[:1]),
        ("tasks:edit", IDS[:2]),
        ("tasks:advance", IDS[1::-1]),  # the order of the arguments is kept
        ("tasks:advance", [IDS[0], IDS[0]]),  # the same id twice
        ("tasks:advance", [uuid.UUID(int=2), uuid.UUID(int=1)]),  # ids equal to the placeholders
        ("pathways:form", IDS[:2]),
        ("tasks:dashboard", []),
    ],
)
def test_uuid_path_is_reverse(name: str, args: list[uuid.UUID]) -> None:
    assert uuid_path(name, *args) == reverse(name, args=args)


def test_other_arguments_go_through_reverse() -> None:
    assert uuid_path("tasks:picker", "action") == reverse("tasks:picker", args=["action"])  # type: ignore[arg-type]
    with pytest.raises(NoReverseMatch):
        uuid_path("patients:detail", "pas-un-uuid")  # type: ignore[arg-type]
    with pytest.raises(NoReverseMatch):
        uuid_path("patients:detail", *IDS[:2])  # one argument too many


def test_script_prefix_is_followed() -> None:
    set_script_prefix("/cordee/")
    try:
        assert uuid_path("patients:detail", IDS[0]) == f"/cordee/patients/{IDS[0]}/"
        assert uuid_path("patients:detail", IDS[0]) == reverse("patients:detail", args=IDS[:1])
    finally:
        set_script_prefix("/")
    assert uuid_path("patients:detail", IDS[0]) == f"/patients/{IDS[0]}/"


@override_settings(ROOT_URLCONF="cordee.tasks.urls")
def test_urlconf_is_followed() -> None:
    # The tasks' URLconf alone: the same pattern without its namespace.
    assert uuid_path("edit", *IDS[:2]) == reverse("edit", args=IDS[:2])


def test_path_tag_renders_as_url_tag() -> None:
    template = engines["django"].from_string(
        "{% load cordee %}{% path 'tasks:edit' a b %}|{% url 'tasks:edit' a b %}|"
        "{% path 'tasks:advance' a b as link %}{{ link }}"
    )
    path, url, named = template.render({"a": IDS[0], "b": IDS[1]}).split("|")
    assert path == url == reverse("tasks:edit", args=IDS[:2])
    assert named == reverse("tasks:advance", args=IDS[:2])


@pytest.mark.django_db
def test_any_of_selects_what_in_selects() -> None:
    zones = [Zone.objects.create(name=f"Zone {n}") for n in range(5)]
    ids = [zones[0].pk, zones[3].pk, zones[3].pk, 10**9]
    for values in (ids, set(ids), tuple(ids)):
        chosen = Zone.objects.filter(pk__any_of=values).order_by("pk")
        assert list(chosen) == list(Zone.objects.filter(pk__in=ids).order_by("pk")) == [zones[0], zones[3]]
    assert list(Zone.objects.filter(pk__any_of=[])) == []
    assert Zone.objects.exclude(pk__any_of=[]).count() == Zone.objects.count()
    assert Zone.objects.filter(name__any_of=["Zone 1", "Zone 4", "Zone 9"]).count() == 2
    # A key no bigint holds (a 70-bit id typed in a URL) matches nothing, without an error.
    assert list(Zone.objects.filter(pk__any_of=[zones[1].pk, 2**70]).order_by("pk")) == [zones[1]]
    assert list(Zone.objects.filter(pk__any_of={2**70})) == []


def test_int_array_is_a_postgresql_literal_of_the_keys_a_bigint_holds() -> None:
    assert int_array([3, 1, 2**70, -(2**64), 7]) == ("{3,1,7}", "integer")
    assert int_array([3, 2**40]) == ("{3,1099511627776}", "bigint")
    assert int_array(set()) == ("{}", "integer")


@pytest.mark.django_db
def test_any_of_on_a_relation() -> None:
    # A relation's lookups are its own (Django's related lookups): the foreign key's column.
    departements = {"06", "2A"}
    chosen = set(Commune.objects.filter(departement__any_of=departements).values_list("code", flat=True))
    assert chosen == set(Commune.objects.filter(departement__in=departements).values_list("code", flat=True))
    assert chosen and {code[:2] for code in chosen} == departements
