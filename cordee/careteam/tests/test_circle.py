"""CIR-1, CIR-3 … CIR-6 through HTTP: the circle page, adding, editing, unhabilitating, deleting.

Every change must land with an activity event (CIRCLE_CHANGED, its `action` in the data) and an
access-journal row (`circle_<action>`); every refusal must leave the circle as it was.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Membership, Structure, User
from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember, CircleRole
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_membership, make_structure, make_user

# The circle page's query budget, pinned: 6 for the session, user, second factor, CGU and actor;
# 5 for the policy (dossier, circle rows, their roles, the rights rules, journal row); 6 for the
# page (the count, the actor switcher, the members, their roles, their professionals'
# memberships and those structures). It must not grow with the number of members shown.
CIRCLE_PAGE_QUERIES = 17

SEED_COLUMNS = [
    "Nom",
    "Informations",
    "Profession et spécialité",
    "Contact établissement",
    "Type",
    "Accès au dossier",
    "Ajouté le",
    "Statut du dossier",
    "Rôle(s)",
    "Description",
    "Actions",
]
LAST_HABILITATED = "Le dossier doit garder au moins un membre habilité."


# --- Helpers ---------------------------------------------------------------------------------


def _url(name: str, patient: Patient, **extra: Any) -> str:
    return reverse(name, kwargs={"public_id": patient.public_id, **extra})


def circle_url(patient: Patient) -> str:
    return _url("careteam:circle", patient)


def detail_url(patient: Patient) -> str:
    return _url("patients:detail", patient)


def member_url(name: str, row: CircleMember) -> str:
    return _url(f"careteam:{name}", row.patient, member_id=row.public_id)


def text(response: Any) -> str:
    content: bytes = response.content
    return html.unescape(content.decode())


def table(page: str) -> str:
    """The circle table's body (the messages above the table name members too)."""
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def table_row(page: str, name: str) -> str:
    rows = [row for row in table(page).split("<tr>") if name in row]
    assert len(rows) == 1, (name, rows)
    return rows[0]


def rows_state(patient: Patient) -> list[tuple[object, ...]]:
    """Every circle row of the dossier, removed ones included, with its roles."""
    return [
        (
            row.pk,
            row.user_id,
            row.structure_id,
            row.is_manual,
            row.is_habilitated,
            row.sharing_refused,
            row.habilitation_removed_at,
            row.removed_at,
            row.description,
            tuple(sorted(role.pk for role in row.roles.all())),
        )
        for row in CircleMember.objects.filter(patient=patient).prefetch_related("roles").order_by("pk")
    ]


@contextmanager
def records(patient: Patient, actor: User, structure: Structure | None, *actions: str) -> Iterator[None]:
    """The block writes exactly these circle events, each with its journal row (none: nothing)."""
    last_event = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_access = Access.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    events = list(Event.objects.filter(pk__gt=last_event).order_by("pk"))
    assert [e.kind for e in events] == [Event.Kind.CIRCLE_CHANGED] * len(actions)
    assert sorted(e.data["action"] for e in events) == sorted(actions)
    for event in events:
        assert event.patient_id == patient.pk
        assert (event.created_by_id, event.structure_id) == (actor.pk, structure.pk if structure else None)
        assert CircleMember.objects.filter(patient=patient, public_id=event.data["member"]).exists()
    writes = list(Access.objects.filter(pk__gt=last_access, action__startswith="circle_").order_by("pk"))
    assert sorted(a.action for a in writes) == sorted(f"circle_{action}" for action in actions)
    for row in writes:
        assert (row.patient_id, row.user_id, row.outcome) == (patient.pk, actor.pk, Access.Outcome.ALLOWED)
        assert row.structure_id == (structure.pk if structure else None)


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def acting(coordinator: User, structure: Structure, client_for: Any) -> Client:
    """The coordinator acting as the DAC that created the dossier."""
    client: Client = client_for(coordinator, acting_as=structure)
    return client


@pytest.fixture
def pediatrician(db: None) -> User:
    user = make_user(username="pediatre", last_name="Petit", first_name="Paul", specialty="Pédiatrie")
    accept_current_terms(user)
    return user


@pytest.fixture
def pediatrician_row(dossier: Patient, pediatrician: User) -> CircleMember:
    return CircleMember.objects.create(patient=dossier, user=pediatrician, is_habilitated=True)


@pytest.fixture
def camsp() -> Structure:
    return make_structure(name="CAMSP des Collines", kind=Structure.Kind.CAMSP)


@pytest.fixture
def camsp_worker(camsp: Structure) -> User:
    user = make_user(username="camsp", last_name="Ortho", first_name="Odile")
    make_membership(user=user, structure=camsp, role=Membership.Role.USER)
    accept_current_terms(user)
    return user


def role(label: str) -> CircleRole:
    return CircleRole.objects.get(label=label)


# --- CIR-1: the page ---------------------------------------------------------------------------


def test_the_circle_page_shows_the_seed_columns_and_the_creators_auto_habilitation(acting, dossier) -> None:
    response = acting.get(circle_url(dossier))
    assert response.status_code == 200
    page = text(response)
    for column in SEED_COLUMNS:
        assert f'<th scope="col">{column}</th>' in page, column
    # The creator and their structure are in, habilitated automatically.
    assert "COORDIN Claire" in page and "DAC Test Azur" in page
    assert page.count('<span class="badge auto-habilitation">auto-habilitation</span>') == 2
    assert "✓ Habilité" in page
    assert "Ajouter un professionnel ou un aidant" in page
    assert "Ajouter ou habiliter une structure" in page


# --- CIR-3: a professional from the directory -------------------------------------------------


def test_a_professional_added_without_habilitation_is_listed_but_does_not_open_the_dossier(
    acting, coordinator, structure, dossier, pediatrician, client_for
) -> None:
    with records(dossier, coordinator, structure, "added"):
        response = acting.post(
            _url("careteam:add_professional", dossier),
            {"professional": pediatrician.public_id, "habilitated": "0"},
        )
    row = CircleMember.objects.get(patient=dossier, user=pediatrician)
    assert response.status_code == 302
    assert response["Location"] == member_url("member_edit", row)
    assert not row.is_habilitated and not row.is_manual and row.removed_at is None
    assert row.function == "Médecin"
    assert row.created_by == coordinator
    page = text(acting.get(circle_url(dossier)))
    assert "PETIT Paul" in page and "Non habilité" in page and "Médecin — Pédiatrie" in page
    assert client_for(pediatrician).get(detail_url(dossier)).status_code == 403


def test_adding_with_habilitation_asks_first_and_adds_only_once_confirmed(
    acting, coordinator, structure, dossier, pediatrician, client_for
) -> None:
    url = _url("careteam:add_professional", dossier)
    with records(dossier, coordinator, structure):
        asked = acting.post(url, {"professional": pediatrician.public_id, "habilitated": "1"})
    assert asked.status_code == 200
    page = text(asked)
    assert "Voulez-vous vraiment habiliter PETIT Paul ?" in page
    assert 'name="confirmed" value="1"' in page
    assert not CircleMember.objects.filter(patient=dossier, user=pediatrician).exists()
    assert client_for(pediatrician).get(detail_url(dossier)).status_code == 404

    with records(dossier, coordinator, structure, "added"):
        done = acting.post(
            url, {"professional": pediatrician.public_id, "habilitated": "1", "confirmed": "1"}
        )
    assert done.status_code == 302
    row = CircleMember.objects.get(patient=dossier, user=pediatrician)
    assert row.is_habilitated and not row.is_auto_habilitation
    assert client_for(pediatrician).get(detail_url(dossier)).status_code == 200


@pytest.mark.parametrize("second", [{"habilitated": "0"}, {"habilitated": "1", "confirmed": "1"}])
def test_adding_the_same_professional_twice_is_refused_in_french(
    second: dict[str, str], acting, coordinator, structure, dossier, pediatrician
) -> None:
    url = _url("careteam:add_professional", dossier)
    acting.post(url, {"professional": pediatrician.public_id, "habilitated": "0"})
    before = rows_state(dossier)
    with records(dossier, coordinator, structure):
        response = acting.post(url, {"professional": pediatrician.public_id, **second}, follow=True)
    assert response.status_code == 200
    assert "PETIT Paul fait déjà partie du cercle de soins." in text(response)
    assert CircleMember.objects.filter(patient=dossier, user=pediatrician).count() == 1
    assert rows_state(dossier) == before


def test_the_directory_search_no_longer_offers_a_professional_already_in_the_circle(
    acting, dossier, pediatrician
) -> None:
    url = _url("careteam:add_professional", dossier)
    assert "PETIT" in text(acting.get(url, {"nom": "Petit"}))
    acting.post(url, {"professional": pediatrician.public_id, "habilitated": "0"})
    page = text(acting.get(url, {"nom": "Petit"}))
    assert str(pediatrician.public_id) not in page


# --- CIR-4: a structure from the directory ----------------------------------------------------


def test_a_structure_added_with_habilitation_opens_the_dossier_to_its_members_acting_as_it(
    acting, coordinator, structure, dossier, camsp, camsp_worker, client_for
) -> None:
    url = _url("careteam:add_structure", dossier)
    as_camsp = client_for(camsp_worker, acting_as=camsp)
    assert as_camsp.get(detail_url(dossier)).status_code == 404

    with records(dossier, coordinator, structure):
        asked = acting.post(url, {"structure": camsp.public_id, "habilitated": "1"})
    assert "Voulez-vous vraiment habiliter CAMSP des Collines ?" in text(asked)
    assert not CircleMember.objects.filter(patient=dossier, structure=camsp).exists()

    with records(dossier, coordinator, structure, "added"):
        done = acting.post(url, {"structure": camsp.public_id, "habilitated": "1", "confirmed": "1"})
    assert done.status_code == 302
    row = CircleMember.objects.get(patient=dossier, structure=camsp)
    assert row.is_habilitated and row.user_id is None and not row.is_manual
    page = text(acting.get(circle_url(dossier)))
    assert "CAMSP des Collines" in page

    assert as_camsp.get(detail_url(dossier)).status_code == 200
    assert client_for(camsp_worker).get(detail_url(dossier)).status_code == 404

    # Twice is refused, in French, and adds no second row.
    again = acting.post(url, {"structure": camsp.public_id, "habilitated": "0"}, follow=True)
    assert "CAMSP des Collines fait déjà partie du cercle de soins." in text(again)
    assert CircleMember.objects.filter(patient=dossier, structure=camsp).count() == 1


def test_a_structure_added_without_habilitation_opens_nothing(
    acting, dossier, camsp, camsp_worker, client_for
) -> None:
    acting.post(_url("careteam:add_structure", dossier), {"structure": camsp.public_id, "habilitated": "0"})
    assert not CircleMember.objects.get(patient=dossier, structure=camsp).is_habilitated
    assert client_for(camsp_worker, acting_as=camsp).get(detail_url(dossier)).status_code == 403


# --- CIR-3 "Ajout manuel" -----------------------------------------------------------------------

MANUAL = {
    "manual_last_name": "Martin",
    "manual_first_name": "Julie",
    "manual_email": "julie.martin@example.org",
    "manual_phone": "04 93 00 00 00",
    "manual_mobile": "06.12.34.56.78",
    "address": "3 rue des Lilas",
    "manual_commune": "06088",
    "manual_postal_code": "06100",
    "manual_relationship": "PARENT",
    "description": "Mère, joignable le soir",
}


def test_the_manual_form_has_the_seed_fields_and_warns_there_is_no_access(acting, dossier) -> None:
    page = text(acting.get(_url("careteam:add_manual", dossier)))
    for label in [
        "S'agit-il d'un professionnel ?",
        "Nom",
        "Prénom",
        "Email",
        "Numéro de téléphone fixe",
        "Numéro de mobile",
        "Sur liste rouge",
        "Adresse",
        "Ville",
        "Code postal",
        "Lien avec le patient/usager",
        "Rôle(s)",
        "Description",
    ]:
        assert label in page, label
    assert "ne pourra en aucun cas accéder au dossier de coordination" in page


def test_a_manual_person_is_added_with_its_details_and_no_access(
    acting, coordinator, structure, dossier
) -> None:
    carer = role("Aidant principal")
    with records(dossier, coordinator, structure, "added"):
        response = acting.post(_url("careteam:add_manual", dossier), {**MANUAL, "roles": [carer.pk]})
    assert response.status_code == 302
    assert response["Location"] == circle_url(dossier)
    row = CircleMember.objects.get(patient=dossier, is_manual=True)
    assert (row.user_id, row.structure_id, row.is_habilitated) == (None, None, False)
    assert (row.manual_last_name, row.manual_first_name) == ("Martin", "Julie")
    assert (row.manual_phone, row.manual_mobile) == ("0493000000", "0612345678")
    assert (row.manual_commune_id, row.manual_postal_code) == ("06088", "06100")
    assert row.manual_relationship == "PARENT"
    assert list(row.roles.all()) == [carer]
    page = text(acting.get(circle_url(dossier)))
    assert "MARTIN Julie" in page and "Aucun accès" in page and "Aidant principal" in page
    assert "Parent" in page and "Mère, joignable le soir" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"manual_email": "julie.martin@"}, "Saisissez une adresse e-mail valide."),
        ({"manual_phone": "12 34"}, "Numéro de téléphone invalide : 10 chiffres commençant par 0"),
        ({"manual_mobile": "0612"}, "Numéro de téléphone invalide : 10 chiffres commençant par 0"),
        ({"manual_postal_code": "75001"}, "Ce code postal ne correspond pas à Nice."),
        ({"manual_postal_code": "061"}, "Le code postal comporte 5 chiffres."),
        ({"manual_last_name": ""}, "Veuillez indiquer le nom."),
    ],
)
def test_bad_manual_entries_are_explained_in_french_and_create_nothing(
    change: dict[str, str], message: str, acting, coordinator, structure, dossier
) -> None:
    before = rows_state(dossier)
    with records(dossier, coordinator, structure):
        response = acting.post(_url("careteam:add_manual", dossier), {**MANUAL, **change})
    assert response.status_code == 200
    assert message in text(response)
    assert rows_state(dossier) == before


def test_a_manual_person_never_gets_access_even_if_habilitation_is_posted(
    acting, dossier, coordinator, structure
) -> None:
    acting.post(_url("careteam:add_manual", dossier), MANUAL)
    row = CircleMember.objects.get(patient=dossier, is_manual=True)
    edit = member_url("member_edit", row)
    assert 'name="is_habilitated"' not in text(acting.get(edit))

    for posted in ({"is_habilitated": "on"}, {"is_habilitated": "on", "confirmed": "True"}):
        with records(dossier, coordinator, structure, "updated"):
            response = acting.post(edit, {"description": "Tentative", **posted})
        assert response.status_code == 302
        row.refresh_from_db()
        assert not row.is_habilitated
    assert "Aucun accès" in text(acting.get(circle_url(dossier)))

    # Nor behind the application's back: the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        CircleMember.objects.filter(pk=row.pk).update(is_habilitated=True)
    row.refresh_from_db()
    assert not row.is_habilitated


# --- CIR-5: editing a member --------------------------------------------------------------------


def test_member_edit_saves_roles_and_details(
    acting, coordinator, structure, dossier, pediatrician_row
) -> None:
    gp, contact = role("Médecin traitant"), role("Personne à prévenir")
    data = {
        "roles": [gp.pk, contact.pk],
        "description": "Suivi mensuel",
        "establishment": "Cabinet du Port",
        "unit": "Consultations",
        "function": "Pédiatre",
        "address": "1 quai des États-Unis",
        "is_habilitated": "on",
    }
    with records(dossier, coordinator, structure, "updated"):
        response = acting.post(member_url("member_edit", pediatrician_row), data)
    assert response.status_code == 302
    row = CircleMember.objects.get(pk=pediatrician_row.pk)
    assert set(row.roles.all()) == {gp, contact}
    assert (row.description, row.establishment, row.unit, row.function, row.address) == (
        "Suivi mensuel",
        "Cabinet du Port",
        "Consultations",
        "Pédiatre",
        "1 quai des États-Unis",
    )
    assert row.is_habilitated
    page = text(acting.get(circle_url(dossier)))
    assert "Médecin traitant" in page and "Personne à prévenir" in page and "Suivi mensuel" in page

    # Unticking every role clears them.
    acting.post(member_url("member_edit", pediatrician_row), {**data, "roles": []})
    assert not row.roles.exists()


def test_a_sharing_refusal_hides_the_dossier_from_that_professional_though_habilitated(
    acting, coordinator, structure, dossier, pediatrician, pediatrician_row, client_for
) -> None:
    own = client_for(pediatrician)
    assert own.get(detail_url(dossier)).status_code == 200
    with records(dossier, coordinator, structure, "refusal", "updated"):
        response = acting.post(
            member_url("member_edit", pediatrician_row), {"sharing_refused": "on", "is_habilitated": "on"}
        )
    assert response.status_code == 302
    row = CircleMember.objects.get(pk=pediatrician_row.pk)
    assert row.sharing_refused and row.is_habilitated
    assert own.get(detail_url(dossier)).status_code == 404
    assert own.get(circle_url(dossier)).status_code == 404
    assert "Refus de partage" in text(acting.get(circle_url(dossier)))

    with records(dossier, coordinator, structure, "refusal", "updated"):
        acting.post(member_url("member_edit", pediatrician_row), {"is_habilitated": "on"})
    assert own.get(detail_url(dossier)).status_code == 200


def test_ticking_habilite_asks_for_confirmation_then_habilitates(
    acting, coordinator, structure, dossier, pediatrician, client_for
) -> None:
    row = CircleMember.objects.create(patient=dossier, user=pediatrician, is_habilitated=False)
    own = client_for(pediatrician)
    assert own.get(detail_url(dossier)).status_code == 403
    before = rows_state(dossier)
    with records(dossier, coordinator, structure):
        asked = acting.post(member_url("member_edit", row), {"is_habilitated": "on", "description": "Ok"})
    assert asked.status_code == 200
    page = text(asked)
    assert "Voulez-vous vraiment habiliter le professionnel PETIT Paul ?" in page
    assert 'name="confirmed" value="True"' in page
    assert rows_state(dossier) == before
    assert own.get(detail_url(dossier)).status_code == 403

    with records(dossier, coordinator, structure, "habilitated", "updated"):
        done = acting.post(
            member_url("member_edit", row), {"is_habilitated": "on", "description": "Ok", "confirmed": "True"}
        )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.is_habilitated and row.description == "Ok"
    assert own.get(detail_url(dossier)).status_code == 200


# --- CIR-6: removing habilitation, deleting -----------------------------------------------------


def test_removing_the_habilitation_keeps_the_member_listed_without_access(
    acting, coordinator, structure, dossier, pediatrician, pediatrician_row, client_for
) -> None:
    with records(dossier, coordinator, structure, "habilitation_removed"):
        response = acting.post(member_url("member_remove_habilitation", pediatrician_row))
    assert response.status_code == 302
    row = CircleMember.objects.get(pk=pediatrician_row.pk)
    assert not row.is_habilitated and row.habilitation_removed_at is not None and row.removed_at is None
    event = Event.objects.get(patient=dossier, data__action="habilitation_removed")
    assert event.importance == Event.Importance.IMPORTANT
    page = text(acting.get(circle_url(dossier)))
    listed = table_row(page, "PETIT Paul")
    assert "Plus d'habilitation" in listed and "Retirer l'habilitation" not in listed
    assert client_for(pediatrician).get(detail_url(dossier)).status_code == 403


def test_removing_the_habilitation_through_the_edit_form_does_the_same(
    acting, coordinator, structure, dossier, pediatrician, pediatrician_row, client_for
) -> None:
    with records(dossier, coordinator, structure, "habilitation_removed", "updated"):
        acting.post(member_url("member_edit", pediatrician_row), {"description": "Fin de suivi"})
    row = CircleMember.objects.get(pk=pediatrician_row.pk)
    assert not row.is_habilitated and row.habilitation_removed_at is not None
    assert client_for(pediatrician).get(detail_url(dossier)).status_code == 403


def test_deleting_a_member_unlists_it_but_keeps_the_row(
    acting, coordinator, structure, dossier, pediatrician, pediatrician_row, client_for
) -> None:
    total = CircleMember.objects.filter(patient=dossier).count()
    with records(dossier, coordinator, structure, "removed"):
        response = acting.post(member_url("member_delete", pediatrician_row))
    assert response.status_code == 302
    row = CircleMember.objects.get(pk=pediatrician_row.pk)
    assert row.removed_at is not None and not row.is_habilitated
    assert CircleMember.objects.filter(patient=dossier).count() == total
    assert "PETIT Paul" not in table(text(acting.get(circle_url(dossier))))
    assert client_for(pediatrician).get(detail_url(dossier)).status_code == 404
    # A removed row can no longer be edited.
    assert acting.get(member_url("member_edit", row)).status_code == 404

    # Back in the circle later: a new row, the old one stays in the history.
    acting.post(
        _url("careteam:add_professional", dossier),
        {"professional": pediatrician.public_id, "habilitated": "0"},
    )
    assert CircleMember.objects.filter(patient=dossier, user=pediatrician).count() == 2


def test_deleting_a_manual_person_keeps_the_row(acting, coordinator, structure, dossier) -> None:
    acting.post(_url("careteam:add_manual", dossier), MANUAL)
    row = CircleMember.objects.get(patient=dossier, is_manual=True)
    with records(dossier, coordinator, structure, "removed"):
        acting.post(member_url("member_delete", row))
    row.refresh_from_db()
    assert row.removed_at is not None
    assert "MARTIN Julie" not in table(text(acting.get(circle_url(dossier))))


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("member_remove_habilitation", {}),
        ("member_delete", {}),
        ("member_edit", {"description": "Sans habilitation"}),
    ],
)
def test_the_last_habilitated_member_keeps_its_habilitation(
    view: str, data: dict[str, str], acting, coordinator, structure, dossier
) -> None:
    own_row = CircleMember.objects.get(patient=dossier, user=coordinator)
    with records(dossier, coordinator, structure, "habilitation_removed"):
        acting.post(member_url("member_remove_habilitation", own_row))
    last = CircleMember.objects.get(patient=dossier, structure=structure)
    assert list(CircleMember.objects.filter(patient=dossier, is_habilitated=True)) == [last]

    before = rows_state(dossier)
    with records(dossier, coordinator, structure):
        response = acting.post(member_url(view, last), data, follow=True)
    assert response.status_code == 200
    assert LAST_HABILITATED in text(response)
    assert rows_state(dossier) == before
    assert acting.get(detail_url(dossier)).status_code == 200


# --- Cost of the page ---------------------------------------------------------------------------


def test_the_circle_page_query_count_does_not_grow_with_members(
    acting, coordinator, structure, dossier, django_assert_max_num_queries
) -> None:
    url = circle_url(dossier) + "?taille=50"
    acting.get(url)  # warm the session and the caches a first visit fills
    with django_assert_max_num_queries(CIRCLE_PAGE_QUERIES) as small:
        assert acting.get(url).status_code == 200
    baseline = len(small.captured_queries)

    roles = list(CircleRole.objects.all())
    for n in range(20):
        if n % 4 == 0:
            row = CircleMember.objects.create(
                patient=dossier,
                structure=make_structure(name=f"Structure numéro {n}", kind=Structure.Kind.PMI),
                is_habilitated=True,
            )
        elif n % 4 == 1:
            row = CircleMember.objects.create(
                patient=dossier, is_manual=True, manual_last_name=f"Proche{n}", manual_commune_id="06088"
            )
        else:
            colleague = make_user(username=f"collegue{n}", last_name=f"Collegue{n}")
            for home in (structure, make_structure(name=f"Cabinet numéro {n}")):
                make_membership(user=colleague, structure=home)
            row = CircleMember.objects.create(
                patient=dossier, user=colleague, is_habilitated=n % 2 == 0, created_by=coordinator
            )
        row.roles.set(roles[n % len(roles) :][:2])

    with django_assert_max_num_queries(CIRCLE_PAGE_QUERIES) as large:
        response = acting.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "COLLEGUE19" in page and "PROCHE17" in page and "Structure numéro 16" in page
    assert "Cabinet numéro 18" in page
    assert page.count("Modifier<span") == 22
    assert len(large.captured_queries) == baseline


# --- issue 24: the rule holds whatever the order of changes ---------------------------------------


def _reachable(dossier: Patient) -> bool:
    live = CircleMember.objects.filter(patient=dossier, removed_at__isnull=True)
    return live.filter(is_habilitated=True, sharing_refused=False).exists()


def test_the_probe_s_order_delete_the_structure_then_refuse_one_s_own_row(
    acting, coordinator, structure, dossier
):
    own_row = CircleMember.objects.get(patient=dossier, user=coordinator)
    structure_row = CircleMember.objects.get(patient=dossier, structure=structure)
    acting.post(member_url("member_delete", structure_row), follow=True)
    structure_row.refresh_from_db()
    assert structure_row.removed_at is not None
    before = rows_state(dossier)
    response = acting.post(
        member_url("member_edit", own_row),
        {"description": "", "sharing_refused": "on", "is_habilitated": "on"},
        follow=True,
    )
    assert LAST_HABILITATED in text(response)
    assert rows_state(dossier) == before
    assert acting.get(_url("patients:detail", dossier)).status_code == 200


def test_every_order_of_circle_changes_keeps_the_dossier_reachable(coordinator, structure, dossier) -> None:
    import itertools

    from django.core.exceptions import ValidationError

    from cordee.careteam import services
    from cordee.core.actor import Actor

    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))

    def own() -> CircleMember:
        return CircleMember.objects.get(patient=dossier, user=coordinator)

    def the_structure() -> CircleMember:
        return CircleMember.objects.get(patient=dossier, structure=structure)

    def edit(row: CircleMember, *, habilitated: bool, refused: bool) -> None:
        services.update_member(
            actor, row, details={}, roles=[], habilitated=habilitated, sharing_refused=refused
        )

    changes = {
        "delete the structure": lambda: services.delete_member(actor, the_structure()),
        "unhabilitate the structure": lambda: services.remove_habilitation(actor, the_structure()),
        "refuse sharing on one's row": lambda: edit(own(), habilitated=own().is_habilitated, refused=True),
        "unhabilitate one's row": lambda: services.remove_habilitation(actor, own()),
        "delete one's row": lambda: services.delete_member(actor, own()),
    }
    initial = rows_state(dossier)
    for order in itertools.permutations(changes, 3):
        sid = transaction.savepoint()
        for step in order:
            refusal: list[str] = []
            try:
                changes[step]()
            except ValidationError as exc:
                refusal = exc.messages
            assert refusal in ([], [LAST_HABILITATED]), (order, step)
            assert _reachable(dossier), (order, step)
        transaction.savepoint_rollback(sid)
        assert rows_state(dossier) == initial
