"""CIR-1 / CIR-2 / SEC-1 through HTTP: each persona × each dossier section and action.

The table below is the expected outcome of every (persona, action) pair with the default
matrix: 200 for a page served, 302 for a write done, 403 for a listed member lacking the
right, 404 for whoever the dossier must not exist for. Every refusal is journaled and leaves
the database as it was; every allowed write does what it says.

Then the matrix's own rules: what a profession may read but not write, a section taken away
from a profession, a right tied to a role, and the rights of a structure's members.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Membership, Profession, Structure, User
from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam import services
from cordee.careteam.access import visible_dossiers
from cordee.careteam.models import CircleMember, CircleRole, RightsRule, Section
from cordee.core.actor import Actor
from cordee.patients.models import (
    Consent,
    DossierStatus,
    Hospitalisation,
    Patient,
    PatientLink,
    RelationType,
)
from cordee.patients.testing import create_test_patient
from tests.factories import accept_current_terms, make_membership, make_structure, make_user

# --- The world every persona meets --------------------------------------------------------------


@dataclass(frozen=True)
class World:
    dossier: Patient
    brother: Patient  # a second dossier, to link to
    consent: Consent
    target: CircleMember  # the circle row the member_edit action edits
    coordinator_client: Client


@dataclass(frozen=True)
class Persona:
    user: User
    client: Client


@pytest.fixture
def world(coordinator: User, structure: Structure, dossier: Patient, client_for: Any) -> World:
    brother = create_test_patient(coordinator, structure, first_name="Hugo", sex="M")
    return World(
        dossier=dossier,
        brother=brother,
        consent=dossier.consents.get(),
        target=CircleMember.objects.get(patient=dossier, user=coordinator),
        coordinator_client=client_for(coordinator, acting_as=structure),
    )


def _professional(username: str, last_name: str, first_name: str, profession: str, **extra: Any) -> User:
    user = make_user(
        username=username,
        last_name=last_name,
        first_name=first_name,
        profession=Profession.objects.get(code=profession),
        **extra,
    )
    accept_current_terms(user)
    return user


def _habilitate(user_or_structure: User | Structure, *patients: Patient, **extra: Any) -> None:
    key = "user" if isinstance(user_or_structure, User) else "structure"
    for patient in patients:
        CircleMember.objects.create(patient=patient, is_habilitated=True, **{key: user_or_structure}, **extra)


# --- Personas -------------------------------------------------------------------------------------


@pytest.fixture
def pediatre_habilite(world: World, client_for: Any) -> Persona:
    """A pediatrician habilitated on the dossier (and on the brother's, to link them)."""
    user = _professional("pediatre", "Petit", "Paul", "medecin", specialty="Pédiatrie")
    _habilitate(user, world.dossier, world.brother)
    return Persona(user, client_for(user))


@pytest.fixture
def membre_non_habilite(world: World, client_for: Any) -> Persona:
    """Listed in the circle, not habilitated: knows the dossier exists, opens nothing."""
    user = _professional("infirmiere", "Soin", "Inès", "infirmier")
    CircleMember.objects.create(patient=world.dossier, user=user, is_habilitated=False)
    return Persona(user, client_for(user))


@pytest.fixture
def professionnel_refuse(world: World, client_for: Any) -> Persona:
    """Habilitated, but the patient refused sharing with them: the dossier does not exist."""
    user = _professional("kine", "Kiné", "Karim", "masseur-kinesitherapeute")
    _habilitate(user, world.dossier, world.brother, sharing_refused=True)
    return Persona(user, client_for(user))


@pytest.fixture
def pmi(world: World) -> Structure:
    """A structure habilitated on both dossiers."""
    pmi = make_structure(name="PMI du Littoral", kind=Structure.Kind.PMI)
    _habilitate(pmi, world.dossier, world.brother)
    return pmi


@pytest.fixture
def membre_structure_habilitee(pmi: Structure, client_for: Any) -> Persona:
    """A plain member of the habilitated PMI, acting as the PMI."""
    user = _professional("puericultrice", "Puer", "Pauline", "infirmier-puericulteur")
    make_membership(user=user, structure=pmi, role=Membership.Role.USER)
    return Persona(user, client_for(user, acting_as=pmi))


@pytest.fixture
def personne_ajoutee_manuellement(world: World, client_for: Any) -> Persona:
    """The mother, added to the circle by hand. A manual row has no account behind it: she
    also happens to have one, and it must give her nothing."""
    user = _professional("julie", "Martin", "Julie", "infirmier", email="julie.martin@example.org")
    CircleMember.objects.create(
        patient=world.dossier,
        is_manual=True,
        manual_last_name="Martin",
        manual_first_name="Julie",
        manual_email="julie.martin@example.org",
        manual_relationship="PARENT",
    )
    return Persona(user, client_for(user))


@pytest.fixture
def etranger(world: World, stranger: User, client_for: Any) -> Persona:
    return Persona(stranger, client_for(stranger))


@pytest.fixture
def admin_plateforme(world: World, admin_user: User, client_for: Any) -> Persona:
    """The platform administrator: staff and superuser of the application, not in the circle."""
    return Persona(admin_user, client_for(admin_user))


# --- Sections and actions --------------------------------------------------------------------------


def _url(name: str, patient: Patient, **extra: Any) -> str:
    return reverse(name, kwargs={"public_id": patient.public_id, **extra})


def _fresh(patient: Patient) -> Patient:
    return Patient.objects.get(pk=patient.pk)


def _as_posted(value: Any) -> str | None:
    """What a browser sends back for a rendered field (None: an unticked checkbox)."""
    if value is None:
        return ""
    if value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _identity_payload(w: World) -> dict[str, str]:
    """The identity form as the coordinator's page renders it, with the used name retyped."""
    form = w.coordinator_client.get(_url("patients:identity_edit", w.dossier)).context["form"]
    data = {}
    for name in form.fields:
        posted = _as_posted(form[name].value())
        if posted is not None:
            data[form.add_prefix(name)] = posted
    return {**data, "used_name": "Dupont"}


@dataclass(frozen=True)
class Action:
    label: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    done: Callable[[World], bool] | None = None  # for a write: did it happen?


ACTIONS = [
    Action("dossier", "GET", lambda w: _url("patients:detail", w.dossier)),
    Action("identite_get", "GET", lambda w: _url("patients:identity_edit", w.dossier)),
    Action(
        "identite_post",
        "POST",
        lambda w: _url("patients:identity_edit", w.dossier),
        _identity_payload,
        lambda w: _fresh(w.dossier).used_name == "Dupont",
    ),
    Action(
        "statut",
        "POST",
        lambda w: _url("patients:status", w.dossier),
        lambda w: {"status": DossierStatus.ARCHIVED, "version": _fresh(w.dossier).version},
        lambda w: _fresh(w.dossier).status == DossierStatus.ARCHIVED,
    ),
    Action(
        "deces",
        "POST",
        lambda w: _url("patients:death", w.dossier),
        lambda w: {
            "death_date_unknown": "on",
            "declared_on": timezone.localdate().isoformat(),
            "country": "99100",
            "place": "DOMICILE",
            "version": _fresh(w.dossier).version,
        },
        lambda w: _fresh(w.dossier).status == DossierStatus.DECEASED,
    ),
    Action(
        "hospitalisation",
        "POST",
        lambda w: _url("patients:hospitalisation_add", w.dossier),
        lambda w: {"establishment_name": "CHU de Nice", "start_date": "2024-03-14"},
        lambda w: Hospitalisation.objects.filter(
            patient=w.dossier, establishment_name="CHU de Nice"
        ).exists(),
    ),
    Action(
        "consentement_annulation",
        "POST",
        lambda w: _url("patients:consent_withdraw", w.dossier, consent_id=w.consent.public_id),
        lambda w: {"reason": "Les parents retirent leur accord."},
        lambda w: not Consent.objects.get(pk=w.consent.pk).is_active,
    ),
    Action(
        "lien",
        "POST",
        lambda w: _url("patients:link_add", w.dossier),
        lambda w: {"other": w.brother.public_id, "relation": RelationType.objects.get(label="Parent").pk},
        lambda w: PatientLink.objects.filter(from_patient=w.dossier, to_patient=w.brother).exists(),
    ),
    Action("journal_des_acces", "GET", lambda w: _url("patients:access_journal", w.dossier)),
    Action("cercle", "GET", lambda w: _url("careteam:circle", w.dossier)),
    Action(
        "cercle_ajout_manuel",
        "POST",
        lambda w: _url("careteam:add_manual", w.dossier),
        lambda w: {
            "manual_last_name": "Durand",
            "manual_first_name": "Marie",
            "manual_relationship": "FAMILLE",
        },
        lambda w: CircleMember.objects.filter(patient=w.dossier, manual_last_name="Durand").exists(),
    ),
    Action(
        "cercle_modification",
        "POST",
        lambda w: _url("careteam:member_edit", w.dossier, member_id=w.target.public_id),
        lambda w: {"description": "Référente du parcours", "is_habilitated": "on"},
        lambda w: CircleMember.objects.get(pk=w.target.pk).description == "Référente du parcours",
    ),
]

PERSONAS = [
    "pediatre_habilite",
    "membre_non_habilite",
    "professionnel_refuse",
    "membre_structure_habilitee",
    "personne_ajoutee_manuellement",
    "etranger",
    "admin_plateforme",
]

# Columns, in ACTIONS order: dossier page (dos), identity form GET (idG) and POST (idP), status (sta),
# death (déc), add a stay (hos), withdraw the consent (con), link a dossier (lie), access journal (jou),
# circle page (cer), add a person by hand (man), edit a circle member (mod).
# fmt: off
TABLE: dict[str, tuple[int, ...]] = {
    #                                 dos  idG  idP  sta  déc  hos  con  lie  jou  cer  man  mod
    "pediatre_habilite":             (200, 200, 302, 302, 302, 302, 302, 302, 200, 200, 302, 302),
    "membre_non_habilite":           (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "professionnel_refuse":          (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "membre_structure_habilitee":    (200, 200, 302, 302, 302, 302, 302, 302, 200, 200, 302, 302),
    "personne_ajoutee_manuellement": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "etranger":                      (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "admin_plateforme":              (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
}
# fmt: on

JOURNALED = {
    200: Access.Outcome.ALLOWED,
    302: Access.Outcome.ALLOWED,
    403: Access.Outcome.FORBIDDEN,
    404: Access.Outcome.NOT_FOUND,
}


def snapshot(w: World) -> dict[str, object]:
    """Everything the actions could touch (the access journal aside: it records each knock)."""
    patient = w.dossier
    circle = CircleMember.objects.filter(patient=patient).order_by("pk")
    return {
        "patient": Patient.objects.filter(pk=patient.pk).values().get(),
        "stays": list(Hospitalisation.objects.filter(patient=patient).order_by("pk").values()),
        "consents": list(Consent.objects.filter(patient=patient).order_by("pk").values()),
        "links": list(
            PatientLink.objects.filter(Q(from_patient=patient) | Q(to_patient=patient))
            .order_by("pk")
            .values()
        ),
        "circle": list(circle.values()),
        "roles": list(
            CircleMember.roles.through.objects.filter(circlemember__patient=patient)
            .order_by("pk")
            .values_list("circlemember_id", "circlerole_id")
        ),
        "events": list(Event.objects.filter(patient=patient).order_by("pk").values_list("pk", flat=True)),
    }


def test_the_table_covers_every_persona_and_action() -> None:
    assert set(TABLE) == set(PERSONAS)
    assert all(len(row) == len(ACTIONS) for row in TABLE.values())
    assert len({action.label for action in ACTIONS}) == len(ACTIONS)


@pytest.mark.parametrize("action", ACTIONS, ids=[action.label for action in ACTIONS])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_on_each_section_and_action(
    persona: str, action: Action, world: World, request: pytest.FixtureRequest
) -> None:
    who: Persona = request.getfixturevalue(persona)
    expected = TABLE[persona][ACTIONS.index(action)]
    url, data = action.url(world), action.data(world)
    before = snapshot(world)
    last_access = Access.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = who.client.get(url) if action.method == "GET" else who.client.post(url, data)

    assert response.status_code == expected, response.content.decode()[:2000]
    knock = Access.objects.filter(pk__gt=last_access).order_by("pk").first()
    assert knock is not None, "every knock on a dossier is journaled"
    assert (knock.user_id, knock.patient_id, knock.outcome) == (
        who.user.pk,
        world.dossier.pk,
        JOURNALED[expected],
    )
    if expected in (403, 404):
        assert snapshot(world) == before, "a refusal changes nothing"
        assert action.done is None or not action.done(world)
        assert "Léa" not in html.unescape(response.content.decode()), "a refusal shows nothing of the dossier"
    elif action.method == "GET":
        assert snapshot(world) == before
        assert "MARTIN Léa" in html.unescape(response.content.decode())
    else:
        assert action.done is not None and action.done(world)
        assert snapshot(world) != before
        assert Event.objects.filter(patient=world.dossier, created_by=who.user).exists()


def test_the_active_file_lists_the_dossier_only_for_the_personas_who_open_it(
    world: World, request: pytest.FixtureRequest
) -> None:
    for persona in PERSONAS:
        who: Persona = request.getfixturevalue(persona)
        listing = html.unescape(who.client.get(reverse("patients:list")).content.decode())
        opens = TABLE[persona][0] == 200
        assert (str(world.dossier.public_id) in listing) == opens, persona


# --- The manual person, at the model level ---------------------------------------------------------


def test_a_manual_row_can_never_be_habilitated(personne_ajoutee_manuellement: Persona, world: World) -> None:
    row = CircleMember.objects.get(patient=world.dossier, is_manual=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CircleMember.objects.filter(pk=row.pk).update(is_habilitated=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CircleMember.objects.create(
            patient=world.dossier, is_manual=True, manual_last_name="Autre", is_habilitated=True
        )
    coordinator = world.target.user
    assert coordinator is not None
    with pytest.raises(ValidationError, match="ne peut pas être habilitée"):
        services.update_member(
            Actor(user=coordinator),
            row,
            details={},
            roles=[],
            habilitated=True,
            sharing_refused=False,
        )
    row.refresh_from_db()
    assert not row.is_habilitated


def test_the_named_manual_person_cannot_be_made_a_user_row(
    personne_ajoutee_manuellement: Persona, world: World
) -> None:
    julie = personne_ajoutee_manuellement.user
    row = CircleMember.objects.get(patient=world.dossier, is_manual=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CircleMember.objects.filter(pk=row.pk).update(user=julie)
    with pytest.raises(IntegrityError), transaction.atomic():
        CircleMember.objects.create(patient=world.dossier, is_manual=True, user=julie)
    row.refresh_from_db()
    assert row.user_id is None
    assert not visible_dossiers(Actor(user=julie)).exists()


# --- The matrix's own rules ------------------------------------------------------------------------


def _page(client: Client, name: str, patient: Patient) -> tuple[int, str]:
    response = client.get(_url(name, patient))
    return response.status_code, html.unescape(response.content.decode())


STAY = {"establishment_name": "Hôpital Lenval", "start_date": "2024-03-20"}


def test_a_social_worker_reads_the_stays_but_may_not_add_one(
    world: World, pediatre_habilite: Persona, client_for: Any
) -> None:
    dossier = world.dossier
    Hospitalisation.objects.create(
        patient=dossier, establishment_name="CHU de Nice", start_date=datetime.date(2024, 3, 14)
    )
    social = _professional("social", "Social", "Sophie", "assistant-service-social")
    _habilitate(social, dossier)
    client = client_for(social)

    status, page = _page(client, "patients:detail", dossier)
    assert status == 200
    assert "3. Hospitalisations" in page and "CHU de Nice" in page
    assert "Ajouter une hospitalisation" not in page
    assert client.get(_url("patients:hospitalisation_add", dossier)).status_code == 403
    before = snapshot(world)
    assert client.post(_url("patients:hospitalisation_add", dossier), STAY).status_code == 403
    assert snapshot(world) == before
    refusal = Access.objects.filter(user=social).order_by("-pk").first()
    assert refusal is not None
    assert (refusal.action, refusal.outcome) == ("manage_hospitalisations", Access.Outcome.FORBIDDEN)

    # A physician may.
    doctor = pediatre_habilite.client
    status, page = _page(doctor, "patients:detail", dossier)
    assert "Ajouter une hospitalisation" in page
    assert doctor.post(_url("patients:hospitalisation_add", dossier), STAY).status_code == 302
    assert Hospitalisation.objects.filter(patient=dossier).count() == 2


def _without_consent_for(code: str) -> None:
    """The matrix edited: the consent section for every profession but one."""
    RightsRule.objects.filter(profession=None, role=None, section=Section.CONSENT).delete()
    RightsRule.objects.bulk_create(
        RightsRule(profession=profession, section=Section.CONSENT, can_read=True, can_write=True)
        for profession in Profession.objects.exclude(code=code)
    )


def test_a_profession_without_the_consent_section_sees_neither_it_nor_the_document(
    world: World, pediatre_habilite: Persona, client_for: Any
) -> None:
    dossier = world.dossier
    _without_consent_for("psychologue")
    psychologist = _professional("psy", "Psy", "Pierre", "psychologue")
    _habilitate(psychologist, dossier)
    client = client_for(psychologist)

    status, page = _page(client, "patients:detail", dossier)
    assert status == 200
    assert 'id="s-consent"' not in page and "Document de consentement" not in page
    assert "Annuler ce consentement" not in page
    document = client.get(_url("patients:consent_document", dossier))
    assert document.status_code == 403
    refusal = Access.objects.filter(user=psychologist).order_by("-pk").first()
    assert refusal is not None
    assert (refusal.action, refusal.outcome) == ("view_consent", Access.Outcome.FORBIDDEN)
    before = snapshot(world)
    withdraw = _url("patients:consent_withdraw", dossier, consent_id=world.consent.public_id)
    assert client.post(withdraw, {"reason": "Refus"}).status_code == 403
    assert snapshot(world) == before

    # The rest of the dossier stays open to them, and other professions keep the section.
    assert "3. Hospitalisations" in page and "5. Cercle de soins" in page
    status, page = _page(pediatre_habilite.client, "patients:detail", dossier)
    assert 'id="s-consent"' in page
    document = pediatre_habilite.client.get(_url("patients:consent_document", dossier))
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"


def test_a_rule_tied_to_a_role_grants_its_right_only_to_members_holding_that_role(
    world: World, pediatre_habilite: Persona, client_for: Any
) -> None:
    dossier = world.dossier
    gp = CircleRole.objects.get(label="Médecin traitant")
    RightsRule.objects.filter(profession=None, role=None, section=Section.ACCESS_JOURNAL).delete()
    RightsRule.objects.create(role=gp, section=Section.ACCESS_JOURNAL, can_read=True)
    other_doctor = _professional("generaliste", "Gené", "Gaston", "medecin")
    _habilitate(other_doctor, dossier)
    pediatrician_row = CircleMember.objects.get(patient=dossier, user=pediatre_habilite.user)
    pediatrician_row.roles.add(gp)

    journal = _url("patients:access_journal", dossier)
    assert pediatre_habilite.client.get(journal).status_code == 200
    assert client_for(other_doctor).get(journal).status_code == 403
    # Same profession, same dossier: only the role differs. The rest is open to both.
    assert client_for(other_doctor).get(_url("patients:detail", dossier)).status_code == 200

    # The coordinator moves the role from one to the other in the circle: the right follows.
    edit = lambda row: _url("careteam:member_edit", dossier, member_id=row.public_id)  # noqa: E731
    coordinator = world.coordinator_client
    assert coordinator.post(edit(pediatrician_row), {"is_habilitated": "on"}).status_code == 302
    other_row = CircleMember.objects.get(patient=dossier, user=other_doctor)
    assert coordinator.post(edit(other_row), {"is_habilitated": "on", "roles": [gp.pk]}).status_code == 302
    assert pediatre_habilite.client.get(journal).status_code == 403
    assert client_for(other_doctor).get(journal).status_code == 200


def test_a_structure_member_gets_the_rights_of_their_own_profession(
    world: World, pmi: Structure, client_for: Any
) -> None:
    dossier = world.dossier
    social = _professional("social", "Social", "Sophie", "assistant-service-social")
    doctor = _professional("medpmi", "Médecin", "Mathilde", "medecin")
    for user in (social, doctor):
        make_membership(user=user, structure=pmi, role=Membership.Role.USER)
    as_social, as_doctor = client_for(social, acting_as=pmi), client_for(doctor, acting_as=pmi)

    status, page = _page(as_social, "patients:detail", dossier)
    assert status == 200 and "3. Hospitalisations" in page
    assert "Ajouter une hospitalisation" not in page
    before = snapshot(world)
    assert as_social.post(_url("patients:hospitalisation_add", dossier), STAY).status_code == 403
    assert snapshot(world) == before
    # Outside the structure, the same person has no standing at all.
    assert client_for(social).get(_url("patients:detail", dossier)).status_code == 404

    status, page = _page(as_doctor, "patients:detail", dossier)
    assert "Ajouter une hospitalisation" in page
    assert as_doctor.post(_url("patients:hospitalisation_add", dossier), STAY).status_code == 302
    stay = Hospitalisation.objects.get(patient=dossier)
    assert stay.establishment_name == "Hôpital Lenval"


def test_a_read_only_circle_shows_no_circle_actions_and_refuses_changes(
    world: World, pediatre_habilite: Persona, client_for: Any
) -> None:
    dossier = world.dossier
    RightsRule.objects.filter(profession=None, role=None, section=Section.CIRCLE).update(can_write=False)
    RightsRule.objects.create(
        profession=Profession.objects.get(code="medecin"), section=Section.CIRCLE, can_write=True
    )
    secretary = _professional("secretaire", "Secret", "Sarah", "secretaire-medical")
    _habilitate(secretary, dossier)
    client = client_for(secretary)

    status, page = _page(client, "careteam:circle", dossier)
    assert status == 200 and "PETIT Paul" in page
    assert '<th scope="col">Actions</th>' not in page
    assert "Ajouter un professionnel ou un aidant" not in page
    before = snapshot(world)
    manual = {"manual_last_name": "Durand"}
    assert client.post(_url("careteam:add_manual", dossier), manual).status_code == 403
    target = _url("careteam:member_delete", dossier, member_id=world.target.public_id)
    assert client.post(target).status_code == 403
    assert snapshot(world) == before

    status, page = _page(pediatre_habilite.client, "careteam:circle", dossier)
    assert '<th scope="col">Actions</th>' in page
    assert pediatre_habilite.client.post(_url("careteam:add_manual", dossier), manual).status_code == 302


def test_the_access_journal_link_is_shown_only_to_who_may_open_the_journal(
    world: World, pediatre_habilite: Persona, client_for: Any
) -> None:
    dossier = world.dossier
    RightsRule.objects.filter(profession=None, role=None, section=Section.ACCESS_JOURNAL).delete()
    RightsRule.objects.create(
        profession=Profession.objects.get(code="medecin"), section=Section.ACCESS_JOURNAL, can_read=True
    )
    nurse = _professional("ide", "Infi", "Irène", "infirmier")
    _habilitate(nurse, dossier)
    journal = _url("patients:access_journal", dossier)

    _, page = _page(client_for(nurse), "patients:detail", dossier)
    assert "Fil d'actualité" in page
    assert journal not in page
    assert client_for(nurse).get(journal).status_code == 403

    _, page = _page(pediatre_habilite.client, "patients:detail", dossier)
    assert journal in page
    assert pediatre_habilite.client.get(journal).status_code == 200
