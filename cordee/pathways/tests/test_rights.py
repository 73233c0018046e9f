"""CIR-2 on the Parcours tab: rights by theme (a reserved theme needs a rule naming it), the
specific rights (removing a theme, reopening a form), and refusals that change nothing: a
stranger gets 404, an unhabilitated member 403 (SEC-1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cordee.accounts.models import Profession
from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.access import theme_rights
from cordee.careteam.models import CircleMember, CircleRole, RightsRule, Section
from cordee.core.actor import Actor
from cordee.documents.models import Document
from cordee.pathways import services
from cordee.pathways.models import DossierTheme, FormResponse, FormStatus, Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.pathways.tests.conftest import COORDINATOR_ROLE, form_url, new_url, page_of, url

pytestmark = pytest.mark.django_db

DRAFT = {"version": "1", "action": "save", "q-poids": "50"}


def _snapshot(dossier: Any) -> tuple[Any, ...]:
    forms = tuple(
        FormResponse.objects.filter(patient=dossier)
        .values_list("pk", "status", "version", "answers")
        .order_by("pk")
    )
    themes = tuple(
        DossierTheme.objects.filter(patient=dossier)
        .values_list("pk", "position", "removed_at")
        .order_by("pk")
    )
    return (forms, themes, Event.objects.filter(patient=dossier).count(), Document.objects.count())


@pytest.fixture
def reserved(actor, dossier) -> Theme:
    """ "Santé mentale" reserved, already on the dossier (added by someone the matrix lets in)."""
    theme = Theme.objects.get(code="sante-mentale")
    theme.is_restricted = True
    theme.save()
    DossierTheme.objects.create(patient=dossier, theme=theme, position=1)
    return theme


@pytest.fixture
def reserved_form(reserved, dossier) -> FormResponse:
    version = make_questionnaire(code="psy", theme="sante-mentale", title="Bilan psychologique")
    return make_form(version, dossier, {"poids": 60})


def _open(theme: Theme, *, write: bool = True, profession: Profession | None = None) -> RightsRule:
    return RightsRule.objects.create(
        section=Section.PATHWAYS, theme=theme, profession=profession, can_read=True, can_write=write
    )


def test_a_reserved_theme_is_hidden_and_its_forms_not_found(
    acting, actor, dossier, reserved, reserved_form
) -> None:
    assert theme_rights(actor, dossier, reserved) == (False, False)
    page = page_of(acting.get(url("tab", dossier)))
    assert 'id="theme-sante-mentale"' not in page and "Bilan psychologique" not in page
    assert ">Santé mentale</option>" not in page
    assert acting.get(form_url(dossier, reserved_form)).status_code == 404
    assert acting.get(url("history", dossier, form_id=reserved_form.public_id)).status_code == 404
    before = _snapshot(dossier)
    assert acting.post(form_url(dossier, reserved_form), DRAFT).status_code == 404
    assert (
        acting.post(url("reopen", dossier, form_id=reserved_form.public_id), {"version": "1"}).status_code
        == 403
    )
    # Creating a form there is refused too (403: the questionnaire is not dossier data).
    new = new_url(dossier, reserved_form.questionnaire_version)
    assert acting.get(new).status_code in (403, 404)
    assert acting.post(new, {"version": "0", "q-poids": "1"}).status_code in (403, 404)
    assert _snapshot(dossier) == before


def test_a_reserved_theme_is_not_added_without_a_rule(acting, actor, dossier) -> None:
    theme = Theme.objects.get(code="oncologie")
    theme.is_restricted = True
    theme.save()
    assert ">Oncologie</option>" not in page_of(acting.get(url("tab", dossier)))
    assert acting.post(url("add_theme", dossier), {"theme": str(theme.public_id)}).status_code == 403
    assert not DossierTheme.objects.filter(patient=dossier).exists()
    _open(theme)
    assert ">Oncologie</option>" in page_of(acting.get(url("tab", dossier)))
    assert acting.post(url("add_theme", dossier), {"theme": str(theme.public_id)}).status_code == 302
    assert DossierTheme.objects.filter(patient=dossier, theme=theme).exists()


def test_a_rule_naming_the_theme_opens_it(acting, dossier, reserved, reserved_form) -> None:
    _open(reserved)
    page = page_of(acting.get(url("tab", dossier)))
    assert 'id="theme-sante-mentale"' in page and "Bilan psychologique" in page
    assert acting.get(form_url(dossier, reserved_form)).status_code == 200
    assert acting.post(form_url(dossier, reserved_form), DRAFT).status_code == 302
    reserved_form.refresh_from_db()
    assert reserved_form.answers == {"poids": 50.0}


def test_a_read_only_rule_shows_the_form_but_refuses_writes(acting, dossier, reserved, reserved_form) -> None:
    _open(reserved, write=False)
    page = page_of(acting.get(form_url(dossier, reserved_form)))
    assert "(lecture seule)" in page and 'name="q-poids"' not in page
    before = _snapshot(dossier)
    assert acting.post(form_url(dossier, reserved_form), DRAFT).status_code == 403
    assert acting.get(new_url(dossier, reserved_form.questionnaire_version)).status_code == 403
    assert _snapshot(dossier) == before
    # No "create" buttons in a theme one only reads.
    assert new_url(dossier, reserved_form.questionnaire_version) not in page_of(
        acting.get(url("tab", dossier))
    )


def test_a_rule_for_another_profession_does_not_open_it(acting, dossier, reserved, reserved_form) -> None:
    _open(reserved, profession=Profession.objects.exclude(code="medecin").first())
    assert acting.get(form_url(dossier, reserved_form)).status_code == 404


def test_a_rule_for_a_role_opens_it_to_that_role_only(
    acting, dossier, reserved, reserved_form, structure, coordinator_role
) -> None:
    RightsRule.objects.create(
        section=Section.PATHWAYS,
        theme=reserved,
        role=CircleRole.objects.get(label=COORDINATOR_ROLE),
        can_read=True,
    )
    assert acting.get(form_url(dossier, reserved_form)).status_code == 200
    CircleMember.objects.get(patient=dossier, structure=structure).roles.clear()
    assert acting.get(form_url(dossier, reserved_form)).status_code == 404


def test_sub_themes_of_a_reserved_theme_are_reserved(acting, actor, dossier) -> None:
    cocon = Theme.objects.get(code="cocon")
    services.add_theme(actor, dossier, cocon)
    form = make_form(make_questionnaire(code="cahier", theme="cocon-cahiers", title="Cahier"), dossier)
    assert acting.get(form_url(dossier, form)).status_code == 200
    cocon.is_restricted = True
    cocon.save()
    assert acting.get(form_url(dossier, form)).status_code == 404
    assert "Cahier" not in page_of(acting.get(url("tab", dossier)))


def test_a_document_of_a_reserved_form_is_not_found(acting, actor, dossier, reserved) -> None:
    _open(reserved)
    version = make_questionnaire(code="psy", theme="sante-mentale", title="Bilan psychologique")
    pdf = SimpleUploadedFile("bilan.pdf", b"%PDF-1.4 bilan")
    outcome = services.save_form(actor, dossier, version, reserved, {}, {"q-piece": pdf})
    document = Document.objects.get(form=outcome.response)
    download = reverse(
        "documents:download", kwargs={"public_id": dossier.public_id, "document_id": document.public_id}
    )
    assert acting.get(download).status_code == 200
    RightsRule.objects.filter(theme=reserved).delete()
    assert acting.get(download).status_code == 404


# --- specific rights ------------------------------------------------------------------------------


def test_a_member_without_the_coordinator_role_cannot_reopen(
    dossier, version, actor, circle_member, client_for, coordinator_role
) -> None:
    form = services.save_form(
        actor,
        dossier,
        version,
        version.questionnaire.theme,
        {"q-date_consultation": "2026-01-01"},
        {},
        closing=True,
    ).response
    assert form is not None
    client = client_for(circle_member)
    page = page_of(client.get(form_url(dossier, form)))
    assert "Clôturé" in page and "Rouvrir le formulaire" not in page
    before = _snapshot(dossier)
    assert (
        client.post(
            url("reopen", dossier, form_id=form.public_id), {"version": str(form.version)}
        ).status_code
        == 403
    )
    assert _snapshot(dossier) == before
    form.refresh_from_db()
    assert form.status == FormStatus.CLOSED
    assert Access.objects.filter(
        user=circle_member, patient=dossier, action="reopen_form", outcome=Access.Outcome.FORBIDDEN
    ).exists()


def test_a_member_without_the_coordinator_role_cannot_remove_a_theme(
    dossier, actor, circle_member, client_for, coordinator_role
) -> None:
    row = services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    client = client_for(circle_member)
    assert url("remove_theme", dossier, row_id=row.public_id) not in page_of(client.get(url("tab", dossier)))
    before = _snapshot(dossier)
    assert client.post(url("remove_theme", dossier, row_id=row.public_id)).status_code == 403
    assert _snapshot(dossier) == before


def test_a_plain_member_fills_forms(dossier, version, circle_member, client_for) -> None:
    client = client_for(circle_member)
    response = client.post(new_url(dossier, version), {"version": "0", "action": "save", "q-poids": "70"})
    assert response.status_code == 302
    form = FormResponse.objects.get(patient=dossier)
    assert form.created_by == circle_member and form.structure is None


# --- strangers and unhabilitated members: POSTs refused, nothing changed ----------------------------


@pytest.fixture
def world(actor, dossier, version, coordinator_role) -> dict[str, Any]:
    row = services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    draft = services.save_form(
        actor, dossier, version, version.questionnaire.theme, {"q-poids": "10"}, {}
    ).response
    closed = services.save_form(
        actor,
        dossier,
        version,
        version.questionnaire.theme,
        {"q-poids": "11", "q-date_consultation": "01/02/2026"},
        {},
        closing=True,
    ).response
    assert closed is not None and closed.is_closed
    return {"row": row, "draft": draft, "closed": closed, "version": version}


def _posts(dossier: Any, world: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (url("add_theme", dossier), {"theme": str(Theme.objects.get(code="handicap").public_id)}),
        (url("remove_theme", dossier, row_id=world["row"].public_id), {}),
        (url("move_theme", dossier, row_id=world["row"].public_id), {"direction": "up"}),
        (new_url(dossier, world["version"]), {"version": "0", "action": "save", "q-poids": "99"}),
        (form_url(dossier, world["draft"]), {"version": "1", "action": "save", "q-poids": "99"}),
        (form_url(dossier, world["draft"]), {"version": "1", "action": "close", "q-poids": "99"}),
        (url("reopen", dossier, form_id=world["closed"].public_id), {"version": "1"}),
    ]


def test_a_stranger_gets_404_on_every_post_and_nothing_changes(dossier, world, stranger, client_for) -> None:
    client = client_for(stranger)
    before = _snapshot(dossier)
    for target, data in _posts(dossier, world):
        assert client.post(target, data).status_code == 404, target
    assert _snapshot(dossier) == before
    assert Access.objects.filter(user=stranger, outcome=Access.Outcome.NOT_FOUND).count() == len(
        _posts(dossier, world)
    )


def test_an_unhabilitated_member_gets_403_on_every_post_and_nothing_changes(
    dossier, world, member, client_for
) -> None:
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=False)
    client = client_for(member)
    before = _snapshot(dossier)
    for target, data in _posts(dossier, world):
        assert client.post(target, data).status_code == 403, target
    assert _snapshot(dossier) == before


def test_a_member_whose_sharing_the_patient_refused_gets_404(dossier, world, member, client_for) -> None:
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=True, sharing_refused=True)
    client = client_for(member)
    before = _snapshot(dossier)
    assert client.get(url("tab", dossier)).status_code == 404
    for target, data in _posts(dossier, world):
        assert client.post(target, data).status_code == 404, target
    assert _snapshot(dossier) == before


def test_a_form_of_another_dossier_is_not_found(acting, actor, dossier, version) -> None:
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(dossier.created_by, dossier.created_by_structure, birth_name="Autre")
    form = make_form(version, other, {"poids": 1})
    for name in ("form", "history"):
        assert acting.get(url(name, dossier, form_id=form.public_id)).status_code == 404
    assert acting.post(form_url(dossier, form), DRAFT).status_code == 404
    form.refresh_from_db()
    assert form.answers == {"poids": 1}


def test_the_actor_of_a_structure_only_dossier(actor) -> None:
    assert isinstance(actor, Actor)
