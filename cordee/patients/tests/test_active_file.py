"""SRCH-1..4: the active file — only what one may see, every filter, sort, pages, saved filters."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from cordee.audit.models import Access
from cordee.careteam.models import CircleMember, CircleRole
from cordee.core.models import ListColumns
from cordee.patients.models import DossierStatus, Favourite, Hospitalisation, Patient, SavedFilter
from cordee.patients.testing import create_test_patient
from cordee.territory.models import Commune, Zone

URL = "/patients/"


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def region(coordinator, structure):
    zone = Zone.objects.create(name="Littoral")
    zone.communes.add(*Commune.objects.filter(code="06088"))
    return {
        "lefevre": create_test_patient(
            coordinator,
            structure,
            birth_name="Lefèvre-Dupré",
            first_name="Anaïs",
            commune_id="06088",
            birth_date=datetime.date(2020, 5, 17),
        ),
        "martin": create_test_patient(
            coordinator,
            structure,
            birth_name="Martin",
            used_name="Garnier",
            first_name="Paul",
            sex="M",
            commune_id="83137",
            birth_date=datetime.date(1950, 1, 2),
        ),
        "oconnor": create_test_patient(
            coordinator,
            structure,
            birth_name="O'Connor",
            first_name="Siobhan",
            commune_id="06029",
            birth_date=datetime.date(1990, 7, 7),
        ),
        "zone": zone,
    }


def _names(response) -> list[str]:
    return [patient.birth_name for patient in response.context["rows"]]


def test_only_visible_dossiers_are_listed(
    region, acting, stranger, client_for, dossier_of_other_structure
) -> None:
    assert "Martin" in _names(acting.get(URL))
    assert _names(client_for(stranger).get(URL)) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"nom": "lefevre"}, ["Lefèvre-Dupré"]),
        ({"nom": "lefèvre dupré"}, ["Lefèvre-Dupré"]),
        ({"nom": "garnier"}, ["Martin"]),  # the used name
        ({"nom": "o connor"}, ["O'Connor"]),
        ({"prenom": "anais"}, ["Lefèvre-Dupré"]),
        ({"naissance": "1950-01-02"}, ["Martin"]),
        ({"sexe": "M"}, ["Martin"]),
        ({"ville": "toulon"}, ["Martin"]),
        ({"ville": "06150"}, ["O'Connor"]),
    ],
)
def test_filters(region, acting, params, expected) -> None:
    assert sorted(_names(acting.get(URL, {**params, "tous": "1"}))) == expected


def test_typos_are_forgiven_on_postgresql_only(region, acting) -> None:
    from django.db import connection

    found = _names(acting.get(URL, {"nom": "lefebvre dupre"}))
    if connection.vendor == "postgresql":
        assert found == ["Lefèvre-Dupré"]  # trigram similarity
    else:
        assert found == []  # SQLite keeps the search keys alone (prefix match)


def test_zone_status_and_flags(region, acting, coordinator) -> None:
    zone = region["zone"]
    assert _names(acting.get(URL, {"zone": str(zone.public_id)})) == ["Lefèvre-Dupré"]
    Patient.objects.filter(pk=region["martin"].pk).update(status=DossierStatus.DECEASED)
    assert _names(acting.get(URL, {"decedes": "oui"})) == ["Martin"]
    assert "Martin" not in _names(acting.get(URL, {"decedes": "non"}))
    assert _names(acting.get(URL, {"statut": "DECEASED"})) == ["Martin"]
    Favourite.objects.create(user=coordinator, patient=region["oconnor"])
    assert _names(acting.get(URL, {"favoris": "oui"})) == ["O'Connor"]
    Hospitalisation.objects.create(
        patient=region["lefevre"], establishment_name="CHU", start_date=datetime.date(2020, 5, 17)
    )
    assert _names(acting.get(URL, {"hospitalisation": "oui"})) == ["Lefèvre-Dupré"]
    assert "Lefèvre-Dupré" not in _names(acting.get(URL, {"hospitalisation": "non"}))


def test_archived_dossiers_only_when_asked(region, acting) -> None:
    Patient.objects.filter(pk=region["oconnor"].pk).update(status=DossierStatus.ARCHIVED)
    assert "O'Connor" not in _names(acting.get(URL, {"tous": "1"}))
    assert _names(acting.get(URL, {"archives": "oui"})) == ["O'Connor"]


def test_circle_filters(region, acting, member) -> None:
    role = CircleRole.objects.get(label="Médecin traitant")
    row = CircleMember.objects.create(patient=region["martin"], user=member, is_habilitated=False)
    row.roles.add(role)
    assert _names(acting.get(URL, {"professionnel": "membre"})) == ["Martin"]
    assert _names(acting.get(URL, {"role": role.pk})) == ["Martin"]
    assert sorted(_names(acting.get(URL, {"structure": "dac test"}))) == [
        "Lefèvre-Dupré",
        "Martin",
        "O'Connor",
    ]


def test_sorting_and_page_size(region, acting) -> None:
    assert _names(acting.get(URL, {"tri": "nom"})) == ["Lefèvre-Dupré", "Martin", "O'Connor"]
    assert _names(acting.get(URL, {"tri": "-naissance"})) == ["Lefèvre-Dupré", "O'Connor", "Martin"]
    page = acting.get(URL, {"tri": "nom", "taille": "10"})
    assert page.context["page"].paginator.per_page == 10
    # A sort link keeps the filters.
    html = acting.get(URL, {"nom": "martin", "tri": "nom"}).content.decode()
    assert "nom=martin&amp;tri=-nom" in html


def test_bad_parameters_never_fail(region, acting) -> None:
    response = acting.get(
        URL, {"naissance": "31/02/2020", "taille": "7", "tri": "drop", "zone": "x", "page": "zz"}
    )
    assert response.status_code == 200
    future = acting.get(URL, {"naissance": "2999-01-01"})
    assert "La date de naissance ne peut pas être dans le futur." in future.content.decode()


def test_htmx_gets_the_results_only(region, acting) -> None:
    response = acting.get(URL, {"nom": "martin"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "MARTIN" in response.content.decode() or "GARNIER" in response.content.decode()


@pytest.mark.parametrize("extra", [0, 49])
def test_query_count_is_pinned_with_1_and_50_dossiers(
    coordinator, structure, acting, extra, django_assert_num_queries
) -> None:
    for index in range(extra + 1):
        patient = create_test_patient(coordinator, structure, birth_name=f"Nom{index}", first_name="Test")
        Hospitalisation.objects.create(
            patient=patient, establishment_name="CHU", start_date=datetime.date(2025, 1, 1)
        )
    acting.get(URL, {"taille": "50"})  # warm the session's last-seen mark
    # 5 for the request (session, user, second factor, the CGU in force and its acceptance in one
    # query, the actor with the structures one may act for);
    # 5 for the list (the first 1,001 ids in order — the capped count and the page's ids —, the
    # page's rows with their columns and open-task counts, their zones, their Parcours themes,
    # their Cocon calendars);
    # 4 for the page around it (themes and programmes offered, saved filters, zone and role
    # choices);
    # 1 for the columns chosen (issue 23);
    # 1 for AGD-1 "Prochain RDV";
    # 1 for the journal: every dossier shown, one multi-row INSERT (issue 24).
    with django_assert_num_queries(17):
        acting.get(URL, {"taille": "50"})
    shown = Access.objects.filter(action="list_active_file", user=coordinator, structure=structure)
    # One row per dossier shown, per request (two requests here), naming the dossier.
    assert shown.count() == 2 * (extra + 1)
    assert set(shown.values_list("patient__birth_name", flat=True)) == {f"Nom{i}" for i in range(extra + 1)}


def test_save_pick_default_and_delete_filters(region, acting, coordinator, structure, client_for) -> None:
    response = acting.post(
        reverse("patients:filter_save"), {"name": "Varois", "query": "ville=toulon&page=3&evil=1"}
    )
    saved = SavedFilter.objects.get(user=coordinator)
    assert saved.query == "ville=toulon"
    assert response["Location"] == f"/patients/?ville=toulon&filtre={saved.public_id}"
    duplicate = acting.post(
        reverse("patients:filter_save"), {"name": "Varois", "query": "nom=a"}, follow=True
    )
    assert "déjà un filtre nommé" in duplicate.content.decode()
    empty = acting.post(reverse("patients:filter_save"), {"name": "Rien", "query": "page=2"}, follow=True)
    assert "au moins un critère" in empty.content.decode()

    acting.post(reverse("patients:filter_default", kwargs={"public_id": saved.public_id}))
    saved.refresh_from_db()
    assert saved.is_default
    # Applied on arrival, even acting as oneself: filters belong to the person.
    arrival = client_for(coordinator).get(URL)
    assert arrival.status_code == 302
    assert arrival["Location"] == f"/patients/?ville=toulon&filtre={saved.public_id}"
    assert _names(acting.get(arrival["Location"])) == ["Martin"]
    # "tous" shows everything without the default.
    assert len(_names(acting.get(URL, {"tous": "1"}))) == 3

    other = SavedFilter.objects.create(user=coordinator, name="Niçois", query="ville=nice")
    acting.post(reverse("patients:filter_default", kwargs={"public_id": other.public_id}))
    assert list(SavedFilter.objects.filter(is_default=True)) == [other]

    acting.post(reverse("patients:filter_delete", kwargs={"public_id": other.public_id}))
    assert not SavedFilter.objects.filter(pk=other.pk).exists()
    assert acting.get(URL).status_code == 200


def test_someone_elses_filter_cannot_be_touched(region, coordinator, member, client_for) -> None:
    saved = SavedFilter.objects.create(user=coordinator, name="À moi", query="nom=a")
    client = client_for(member)
    assert (
        client.post(reverse("patients:filter_delete", kwargs={"public_id": saved.public_id})).status_code
        == 404
    )
    assert (
        client.post(reverse("patients:filter_default", kwargs={"public_id": saved.public_id})).status_code
        == 404
    )
    saved.refresh_from_db()
    assert not saved.is_default


def test_an_htmx_history_restore_gets_the_whole_page(region, acting) -> None:
    restore = acting.get(
        URL, {"nom": "martin"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_empty_fields_do_not_count_as_filters(region, acting) -> None:
    response = acting.get(URL, {"nom": "", "prenom": "", "tous": "1", "taille": "10"})
    assert response.context["filtered"] is False
    assert acting.get(URL, {"nom": "zz"}).context["filtered"] is True


def test_the_count_is_capped_for_very_large_active_files(region, acting, monkeypatch) -> None:
    from cordee.patients import active_file

    monkeypatch.setattr(active_file, "COUNT_CAP", 2)
    page = acting.get(URL, {"tous": "1"})
    assert page.context["page"].paginator.capped
    assert "Plus de 1 000 dossiers" in page.content.decode()
    assert len(page.context["rows"]) == 3  # the page itself is complete
    monkeypatch.setattr(active_file, "COUNT_CAP", 1000)
    assert "3 dossiers" in acting.get(URL, {"tous": "1"}).content.decode()


def test_the_themes_and_open_tasks_columns(coordinator, structure, acting, dossier) -> None:
    """SRCH-3: Thématiques (the Parcours themes added, reserved ones not named) and Tâches (open
    tasks, linked to the dashboard filtered on the dossier)."""
    from django.utils import timezone

    from cordee.pathways.models import DossierTheme, Theme
    from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType

    DossierTheme.objects.create(patient=dossier, theme=Theme.objects.get(code="gerontologie"))
    reserved = Theme.objects.get(code="sante-mentale")
    Theme.objects.filter(pk=reserved.pk).update(is_restricted=True)
    DossierTheme.objects.create(patient=dossier, theme=reserved)
    for status in (TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.DONE):
        Task.objects.create(
            patient=dossier,
            task_type=TaskType.objects.get(label="Relance"),
            level=TaskLevel.objects.get(label="Information"),
            label="Rappeler",
            status=status,
            due_at=timezone.now(),
        )
    page = acting.get(URL).content.decode()
    assert "Gérontologie" in page and "Santé mentale" not in page
    assert f'?patient={dossier.public_id}">2<' in page


def test_zones_and_themes_are_checkboxes_several_chosen_at_once(region, acting) -> None:
    """Issue 23: multiple choices are checkboxes in a fieldset (no Ctrl-click list box, and they
    work without JavaScript); two zones ticked answer the dossiers of either, and stay ticked."""
    other = Zone.objects.create(name="Var")
    other.communes.add(*Commune.objects.filter(code="83137"))
    response = acting.get(URL, {"zone": [str(region["zone"].public_id), str(other.public_id)], "tous": "1"})
    assert sorted(_names(response)) == ["Lefèvre-Dupré", "Martin"]
    html = response.content.decode()
    assert '<select name="zone"' not in html and '<select name="thematique"' not in html
    for zone in (region["zone"], other):
        ticked = rf'<input type="checkbox" name="zone" value="{zone.public_id}"[^>]* checked'
        assert re.search(ticked, html), html
    assert html.count("data-multiselect") == 2  # zones and thématiques
    assert re.search(r'<input type="checkbox" name="thematique" value="[^"]+" class="form-check-input"', html)


def test_the_columns_chosen_are_kept_for_the_person_only(
    region, acting, coordinator, client_for, stranger
) -> None:
    """Issue 23: "Colonnes" — the optional columns one unticks disappear from one's active file,
    page after page and session after session (kept on the server), not from anyone else's; the
    name and the way in always show; an unknown column is ignored."""
    before = acting.get(URL, {"tous": "1"}).content.decode()
    assert 'data-label="Sexe"' in before and 'data-label="CP/Commune"' in before
    assert 'data-label="Date de début"' not in before  # not a default column
    assert 'name="colonne" value="debut" id="colonne-debut">' in before
    assert 'name="colonne" value="sexe" id="colonne-sexe" checked' in before
    response = acting.post(
        reverse("patients:columns"),
        {"colonne": ["statut", "naissance", "taches", "inconnue"], "query": "nom=mar&page=2&evil=1"},
    )
    assert response.status_code == 302 and response["Location"] == "/patients/?nom=mar"
    assert ListColumns.objects.get(user=coordinator).columns == ["naissance", "statut", "taches"]
    html = acting.get(URL, {"tous": "1"}).content.decode()
    for label in ("Sexe", "Date de début", "CP/Commune", "Parcours", "Date de mise à jour"):
        assert f'data-label="{label}"' not in html and f">{label}</th>" not in html
    for label in ("Nom", "Date de naissance", "Statut", "Tâches", "Actions"):
        assert f'data-label="{label}"' in html
    assert 'name="colonne" value="sexe" id="colonne-sexe">' in html
    partial = acting.get(URL, {"tous": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-label="Sexe"' not in partial and 'data-label="Statut"' in partial
    # Someone else's active file keeps its own columns.
    other = client_for(stranger).get(URL, {"tous": "1"}).content.decode()
    assert 'name="colonne" value="sexe" id="colonne-sexe" checked' in other
    # Nothing ticked: only the name and the way in.
    acting.post(reverse("patients:columns"), {"query": ""})
    bare = acting.get(URL, {"tous": "1"}).content.decode()
    assert 'data-label="Statut"' not in bare and 'data-label="Nom"' in bare and 'data-label="Actions"' in bare


def test_choosing_columns_needs_a_post(acting) -> None:
    assert acting.get(reverse("patients:columns")).status_code == 405
    assert not ListColumns.objects.exists()
