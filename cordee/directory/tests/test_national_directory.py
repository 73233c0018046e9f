"""DIR-1 finds the national directory's professionals, DIR-3 invites them pre-filled, ACC-1
matches a registration by its RPPS."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Profession, RegistrationRequest
from cordee.accounts.services import validate_registration
from cordee.core.identifiers import rpps_with_key
from cordee.directory.importer import Importer
from cordee.directory.models import DirectoryProfessional, Invitation
from cordee.directory.tests.extract import SAMPLE, opener, professional, text
from tests.factories import make_user

PEDIATRICIAN_RPPS = rpps_with_key("1009900001")


@pytest.fixture
def national(db: None) -> None:
    Importer(opener(SAMPLE.read_bytes()), departements=frozenset({"04", "05", "06", "13", "83", "84"})).run()


def _rows(response: Any) -> list[tuple[str, bool]]:
    return [
        (p.last_name, bool(getattr(p, "is_directory_entry", False)))
        for p in response.context["page"].object_list
    ]


def test_search_finds_imported_professionals_marked_non_inscrit(national, member, client_for) -> None:
    client = client_for(member)
    response = client.get(reverse("directory:search"), {"nom": "aubert lenoir"})
    assert _rows(response) == [("AUBERT-LENOIR", True)]
    page = response.content.decode()
    assert "non inscrit" in page and "Pédiatrie" in page and "CENTRE HOSPITALIER DES OLIVIERS" in page
    by_city = _rows(client.get(reverse("directory:search"), {"ville": "toulon"}))
    assert ("BÉRAUD", True) in by_city
    by_profession = _rows(client.get(reverse("directory:search"), {"profession": "masseur-kinesitherapeute"}))
    assert by_profession == [("CHASSAGNE", True)]


def test_registered_professionals_come_first_and_a_linked_entry_is_not_listed_twice(
    national, member, client_for
) -> None:
    user = make_user(
        username="aubert", last_name="Aubert-Lenoir", first_name="Camille", rpps=PEDIATRICIAN_RPPS
    )
    Importer(opener(SAMPLE.read_bytes())).run()  # links the account
    assert DirectoryProfessional.objects.get(rpps=PEDIATRICIAN_RPPS).user == user
    rows = _rows(client_for(member).get(reverse("directory:search"), {"nom": "aubert"}))
    assert rows == [("Aubert-Lenoir", False)]


def test_inactive_entries_are_not_found(national, member, client_for) -> None:
    Importer(opener(text(professional("1000000001", "AUTRE")))).run()
    assert _rows(client_for(member).get(reverse("directory:search"), {"nom": "aubert"})) == []


def test_the_mixed_list_paginates_with_a_constant_query_count(
    db, member, client_for, django_assert_max_num_queries
) -> None:
    lines = [professional(f"20000{i:05d}", f"NOM{i:03d}") for i in range(30)]
    Importer(opener(text(*lines))).run()
    client = client_for(member)
    with django_assert_max_num_queries(17):
        first = client.get(reverse("directory:search"))
    names = [p.last_name for p in first.context["page"].object_list]
    assert len(names) == 20 and names[0] == "Membre" and names[1] == "NOM000"
    with django_assert_max_num_queries(17):
        second = client.get(reverse("directory:search"), {"page": "2"})
    assert second.context["page"].object_list[0].last_name == "NOM019"
    assert second.context["page"].paginator.count == 31


def test_the_entry_page_and_its_invitation_prefilled(
    national, member, structure, client_for, django_capture_on_commit_callbacks, settings
) -> None:
    settings.CORDEE_SITE_URL = "http://testserver"
    entry = DirectoryProfessional.objects.get(last_name="BÉRAUD")
    client = client_for(member, acting_as=structure)
    page = client.get(reverse("directory:entry", kwargs={"public_id": entry.public_id})).content.decode()
    assert "non inscrit" in page and entry.rpps in page and "Inviter ce professionnel" in page
    form = client.get(reverse("directory:invite"), {"professionnel": str(entry.public_id)}).context["form"]
    assert form.initial == {"last_name": "BÉRAUD", "first_name": "ÉLODIE", "email": "contact@cigales.example"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("directory:invite"),
            {"professionnel": str(entry.public_id), "email": "elodie@example.org", "last_name": "Béraud"},
        )
    invitation = Invitation.objects.get()
    assert invitation.professional == entry
    link = re.search(r"http://testserver(/inscription/\?invitation=\S+)", str(mail.outbox[0].body))
    assert link is not None
    initial = Client().get(link.group(1)).context["form"].initial
    assert initial["rpps"] == entry.rpps and initial["specialty"] == "Médecine générale"
    assert initial["profession"] == Profession.objects.get(code="medecin").pk


def test_an_unknown_or_malformed_professional_prefills_nothing(national, member, client_for) -> None:
    client = client_for(member)
    for value in ["pas-un-uuid", "00000000-0000-0000-0000-000000000000", "\x00"]:
        response = client.get(reverse("directory:invite"), {"professionnel": value})
        assert response.status_code == 200 and response.context["form"].initial == {}
    missing = client.get(
        reverse("directory:entry", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})
    )
    assert missing.status_code == 404


def test_a_registration_is_matched_to_the_directory_by_its_rpps(national, admin_user, client_for) -> None:
    entry = DirectoryProfessional.objects.get(rpps=PEDIATRICIAN_RPPS)
    registration = RegistrationRequest.objects.create(
        profession=Profession.objects.get(code="medecin"),
        rpps=PEDIATRICIAN_RPPS,
        last_name="Aubert-Lenoir",
        first_name="Camille",
        email="camille@example.org",
    )
    client = client_for(admin_user)
    page = client.get(reverse("accounts:registration_detail", kwargs={"public_id": registration.public_id}))
    assert page.context["directory_entry"] == entry and page.context["directory_same_name"]
    assert "Le numéro RPPS correspond à" in page.content.decode()
    user = validate_registration(registration, admin=admin_user)
    entry.refresh_from_db()
    assert entry.user == user


def test_a_registration_whose_name_differs_or_number_is_unknown_is_flagged(
    national, admin_user, client_for
) -> None:
    client = client_for(admin_user)
    other = RegistrationRequest.objects.create(
        profession=Profession.objects.get(code="medecin"),
        rpps=PEDIATRICIAN_RPPS,
        last_name="Usurpateur",
        first_name="Jean",
        email="jean@example.org",
    )
    page = client.get(reverse("accounts:registration_detail", kwargs={"public_id": other.public_id}))
    assert "Le nom de la demande diffère" in page.content.decode()
    unknown = RegistrationRequest.objects.create(
        profession=Profession.objects.get(code="medecin"),
        rpps=rpps_with_key("1000000777"),
        last_name="Inconnu",
        first_name="Jean",
        email="inconnu@example.org",
    )
    page = client.get(reverse("accounts:registration_detail", kwargs={"public_id": unknown.public_id}))
    assert "Aucun professionnel de l'annuaire national importé n'a ce numéro." in page.content.decode()
