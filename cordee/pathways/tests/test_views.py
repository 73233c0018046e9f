"""PAR-1..4 through the views: the tab (themes added, searched, ordered, removed), forms filled,
refused, closed, reopened, compared; concurrency (SEC-4); every read journaled; query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.core.actor import Actor
from cordee.pathways import services
from cordee.pathways.models import DossierTheme, FormResponse, FormRevision, FormStatus, Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.pathways.tests.conftest import form_url, new_url, page_of, url

pytestmark = pytest.mark.django_db

DRAFT = {
    "version": "0",
    "action": "save",
    "q-date_consultation": "2026-11-20",
    "q-poids": "12,5",
    "q-taille": "90",
    "q-suivi": "non",
}


def _create(client: Any, dossier: Any, version: Any, **changes: Any) -> FormResponse:
    response = client.post(new_url(dossier, version), {**DRAFT, **changes})
    assert response.status_code == 302, page_of(response)[:2000]
    return FormResponse.objects.filter(patient=dossier).order_by("-pk").first()  # type: ignore[return-value]


def _state(form: FormResponse) -> tuple[Any, ...]:
    form.refresh_from_db()
    return (
        form.status,
        form.version,
        form.answers,
        form.revisions.count(),
        Event.objects.filter(patient=form.patient).count(),
    )


def _version_field(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, "the form carries the version it was read at"
    return match.group(1)


# --- the tab ----------------------------------------------------------------------------------------


def test_the_tab_shows_default_themes_forms_and_creatable_questionnaires(acting, dossier, version) -> None:
    form = make_form(version, dossier, {"poids": 12.5})
    page = page_of(acting.get(url("tab", dossier)))
    assert "Principal" in page and "RDV patient" in page and "Fil d&#x27;actualité" in page
    assert form_url(dossier, form) in page and "En cours" in page
    assert new_url(dossier, version) in page
    # Themes not added are offered in the list, not shown as sections.
    assert re.search(r'<option value="[0-9a-f-]+">Gérontologie</option>', page)
    assert 'id="theme-gerontologie"' not in page


def test_add_a_theme_through_the_tab_and_not_twice(acting, dossier) -> None:
    theme = Theme.objects.get(code="gerontologie")
    response = acting.post(url("add_theme", dossier), {"theme": str(theme.public_id)}, follow=True)
    page = page_of(response)
    assert "La thématique « Gérontologie » est ajoutée au parcours." in page
    assert 'id="theme-gerontologie"' in page
    # No longer offered in the list.
    assert not re.search(r"<option[^>]*>Gérontologie</option>", page)
    again = page_of(acting.post(url("add_theme", dossier), {"theme": str(theme.public_id)}, follow=True))
    assert "Cette thématique est déjà dans le parcours du dossier." in again
    assert DossierTheme.objects.filter(patient=dossier, theme=theme).count() == 1


@pytest.mark.parametrize("posted", ["", "pas-un-uuid", "00000000-0000-0000-0000-000000000000"])
def test_add_an_unknown_theme_is_refused_in_french(acting, dossier, posted) -> None:
    page = page_of(acting.post(url("add_theme", dossier), {"theme": posted}, follow=True))
    assert "Choisissez une thématique dans la liste." in page
    assert not DossierTheme.objects.exists()


def test_add_a_sub_theme_or_default_theme_is_refused(acting, dossier) -> None:
    for code in ("principal", "cocon-cahiers"):
        page = page_of(
            acting.post(
                url("add_theme", dossier), {"theme": str(Theme.objects.get(code=code).public_id)}, follow=True
            )
        )
        assert "Choisissez une thématique de la liste." in page
    assert not DossierTheme.objects.exists()


def test_theme_search(acting, actor, dossier) -> None:
    services.add_theme(actor, dossier, Theme.objects.get(code="cocon"))
    services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    page = page_of(acting.get(url("tab", dossier), {"q": "geronto"}))
    assert (
        'id="theme-gerontologie"' in page
        and 'id="theme-cocon"' not in page
        and 'id="theme-principal"' not in page
    )
    # A sub-theme's label finds its theme; accents and case do not matter.
    page = page_of(acting.get(url("tab", dossier), {"q": "CAHIERS"}))
    assert 'id="theme-cocon"' in page and 'id="theme-gerontologie"' not in page
    page = page_of(acting.get(url("tab", dossier), {"q": "gérontologie"}))
    assert 'id="theme-gerontologie"' in page
    page = page_of(acting.get(url("tab", dossier), {"q": "zzz"}))
    assert "Aucune thématique ne correspond à « zzz »." in page


def test_move_a_theme_through_the_tab(acting, actor, dossier) -> None:
    cocon = services.add_theme(actor, dossier, Theme.objects.get(code="cocon"))
    services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    response = acting.post(url("move_theme", dossier, row_id=cocon.public_id), {"direction": "down"})
    assert response.status_code == 302
    page = page_of(acting.get(url("tab", dossier)))
    assert page.index('id="theme-gerontologie"') < page.index('id="theme-cocon"')
    acting.post(url("move_theme", dossier, row_id=cocon.public_id), {"direction": "up"})
    page = page_of(acting.get(url("tab", dossier)))
    assert page.index('id="theme-cocon"') < page.index('id="theme-gerontologie"')


def test_remove_a_theme_needs_the_right_and_an_empty_theme(acting, actor, dossier, coordinator_role) -> None:
    empty = services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    full = services.add_theme(actor, dossier, Theme.objects.get(code="cocon"))
    make_form(make_questionnaire(theme="cocon-inclusion"), dossier)
    page = page_of(acting.get(url("tab", dossier)))
    assert url("remove_theme", dossier, row_id=empty.public_id) in page
    assert url("remove_theme", dossier, row_id=full.public_id) not in page  # no button on a theme with forms
    refused = page_of(acting.post(url("remove_theme", dossier, row_id=full.public_id), follow=True))
    assert "Cette thématique contient des formulaires" in refused
    full.refresh_from_db()
    assert full.removed_at is None
    done = page_of(acting.post(url("remove_theme", dossier, row_id=empty.public_id), follow=True))
    assert "La thématique « Gérontologie » est retirée du parcours." in done
    empty.refresh_from_db()
    assert empty.removed_at is not None
    # Removed: gone from the tab, a second removal finds nothing.
    assert 'id="theme-gerontologie"' not in done
    assert acting.post(url("remove_theme", dossier, row_id=empty.public_id)).status_code == 404


def test_remove_a_theme_without_the_right_is_403_and_changes_nothing(acting, actor, dossier) -> None:
    row = services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    assert url("remove_theme", dossier, row_id=row.public_id) not in page_of(acting.get(url("tab", dossier)))
    assert acting.post(url("remove_theme", dossier, row_id=row.public_id)).status_code == 403
    row.refresh_from_db()
    assert row.removed_at is None


def test_a_row_of_another_dossier_is_not_found(acting, actor, dossier, coordinator_role) -> None:
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(dossier.created_by, dossier.created_by_structure, birth_name="Autre")
    row = services.add_theme(actor, other, Theme.objects.get(code="gerontologie"))
    assert acting.post(url("remove_theme", dossier, row_id=row.public_id)).status_code == 404
    assert (
        acting.post(url("move_theme", dossier, row_id=row.public_id), {"direction": "up"}).status_code == 404
    )
    row.refresh_from_db()
    assert row.removed_at is None


# --- filling -------------------------------------------------------------------------------------------


def test_new_form_page_hides_conditional_items_and_shows_units(acting, dossier, version) -> None:
    page = page_of(acting.get(new_url(dossier, version)))
    detail = re.search(r'<div class="q-item mb-3" data-link="suivi_detail"[^>]*>', page)
    assert detail and " hidden" in detail.group(0) and "data-enable=" in detail.group(0)
    assert re.search(r'name="q-suivi_detail"[^>]*disabled', page)
    assert '<span class="input-group-text">kg</span>' in page
    assert 'name="version" value="0"' in page


def test_new_form_needs_its_theme_on_the_dossier(acting, actor, dossier) -> None:
    version = make_questionnaire(theme="dac-evaluation")
    assert acting.get(new_url(dossier, version)).status_code == 404
    assert acting.post(new_url(dossier, version), DRAFT).status_code == 404
    services.add_theme(actor, dossier, Theme.objects.get(code="coordination-dac"))
    assert acting.get(new_url(dossier, version)).status_code == 200


def test_new_form_of_an_unpublished_questionnaire_is_not_found(acting, dossier, version) -> None:
    version.published_at = None
    version.save()
    assert acting.get(new_url(dossier, version)).status_code == 404


def test_a_draft_is_saved_incomplete_through_the_view(acting, dossier, version) -> None:
    response = acting.post(new_url(dossier, version), {"version": "0", "action": "save", "q-poids": "12,5"})
    form = FormResponse.objects.get(patient=dossier)
    assert response.status_code == 302 and response["Location"] == form_url(dossier, form)
    assert form.answers == {"poids": 12.5} and form.status == FormStatus.DRAFT
    page = page_of(acting.get(form_url(dossier, form)))
    assert 'value="12,5"' in page and 'name="version" value="1"' in page


def test_out_of_range_value_is_refused_beside_the_field_and_typed_values_kept(
    acting, dossier, version
) -> None:
    form = _create(acting, dossier, version)
    before = _state(form)
    response = acting.post(
        form_url(dossier, form), {**DRAFT, "version": "1", "q-poids": "250", "q-taille": "abc"}
    )
    assert response.status_code == 400
    page = page_of(response)
    feedback = '<div class="invalid-feedback d-block" id="id_q-{}_erreur">{}</div>'
    assert feedback.format("poids", "La valeur doit être au plus 200 kg.") in page
    assert feedback.format("taille", "Saisissez un nombre (par exemple 3,5).") in page
    assert re.search(r'id="id_q-poids" name="q-poids"[^>]*value="250"[^>]*aria-invalid="true"', page)
    assert 'value="abc"' in page
    assert "Le formulaire contient des erreurs" in page
    assert _state(form) == before


def test_close_requires_displayed_required_items_through_the_view(acting, dossier, version) -> None:
    form = _create(acting, dossier, version)
    response = acting.post(
        form_url(dossier, form), {**DRAFT, "version": "1", "action": "close", "q-suivi": "oui"}
    )
    assert response.status_code == 400
    assert 'id="id_q-suivi_detail_erreur">Ce champ est obligatoire.' in page_of(response)
    form.refresh_from_db()
    assert form.status == FormStatus.DRAFT
    closed = acting.post(form_url(dossier, form), {**DRAFT, "version": "1", "action": "close"})
    assert closed.status_code == 302
    form.refresh_from_db()
    assert form.status == FormStatus.CLOSED


@pytest.mark.parametrize(
    "crafted",
    [
        {"q-inconnu": "1"},
        {"q-suivi_detail": "réponse à une question masquée"},
        {"q-imc": "40"},
        {"q-piece": "11111111-1111-1111-1111-111111111111"},
    ],
    ids=["unknown", "hidden", "computed", "foreign-document"],
)
def test_a_crafted_post_is_refused_without_change(acting, dossier, version, crafted) -> None:
    form = _create(acting, dossier, version)
    before = _state(form)
    response = acting.post(form_url(dossier, form), {**DRAFT, "version": "1", "q-poids": "99", **crafted})
    assert response.status_code == 400
    assert "Le formulaire envoyé ne correspond pas au questionnaire" in page_of(response)
    assert _state(form) == before
    assert Access.objects.filter(patient=dossier, action="save_form_refused").count() == 1


def test_a_crafted_new_form_creates_nothing(acting, dossier, version) -> None:
    response = acting.post(new_url(dossier, version), {**DRAFT, "q-suivi_detail": "x"})
    assert response.status_code == 400
    assert not FormResponse.objects.exists() and not FormRevision.objects.exists()


def test_concurrent_edits_the_second_writer_keeps_their_input(
    acting, dossier, version, coordinator, structure, client_for
) -> None:
    form = _create(acting, dossier, version)
    other = client_for(coordinator, acting_as=structure)
    first_page = page_of(acting.get(form_url(dossier, form)))
    second_page = page_of(other.get(form_url(dossier, form)))
    assert _version_field(first_page) == _version_field(second_page) == "1"
    saved = acting.post(form_url(dossier, form), {**DRAFT, "version": "1", "q-poids": "13"})
    assert saved.status_code == 302
    after_first = _state(form)
    conflict = other.post(
        form_url(dossier, form), {**DRAFT, "version": "1", "q-poids": "14,75", "q-taille": "91"}
    )
    assert conflict.status_code == 409
    page = page_of(conflict)
    assert "enregistré par quelqu&#x27;un d&#x27;autre entre-temps" in page
    assert 'value="14,75"' in page and 'value="91"' in page
    # The page now carries the current version: a deliberate second save goes through.
    assert _version_field(page) == "2"
    assert _state(form) == after_first and form.answers["poids"] == 13.0


def test_a_garbage_version_is_stale(acting, dossier, version) -> None:
    form = _create(acting, dossier, version)
    before = _state(form)
    assert acting.post(form_url(dossier, form), {**DRAFT, "version": "abc"}).status_code == 409
    assert _state(form) == before


def test_a_closed_form_is_read_only(acting, dossier, version) -> None:
    form = _create(acting, dossier, version, action="close")
    assert form.status == FormStatus.CLOSED
    before = _state(form)
    page = page_of(acting.get(form_url(dossier, form)))
    assert "Clôturé" in page and '<form method="post" enctype' not in page and "12,5 kg" in page
    # A post (a page left open before the closing) is refused with 409, what was typed kept.
    refused = acting.post(form_url(dossier, form), {**DRAFT, "version": str(form.version), "q-poids": "50"})
    assert refused.status_code == 409
    assert 'value="50"' in page_of(refused)
    assert _state(form) == before


def test_reopen_through_the_view(acting, dossier, version, coordinator_role) -> None:
    form = _create(acting, dossier, version, action="close")
    page = page_of(acting.get(form_url(dossier, form)))
    assert "Rouvrir le formulaire" in page
    response = acting.post(
        url("reopen", dossier, form_id=form.public_id), {"version": str(form.version)}, follow=True
    )
    assert "Le formulaire est rouvert" in page_of(response)
    form.refresh_from_db()
    assert form.status == FormStatus.DRAFT
    assert form.revisions.all()[0].action == FormRevision.Action.REOPENED
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.FORM_REOPENED).exists()
    assert Access.objects.filter(
        patient=dossier, action="form_reopened", outcome=Access.Outcome.ALLOWED
    ).exists()
    # Stale: a second click with the old version changes nothing.
    before = _state(form)
    stale = acting.post(url("reopen", dossier, form_id=form.public_id), {"version": "1"}, follow=True)
    assert "enregistré par quelqu&#x27;un d&#x27;autre" in page_of(stale)
    assert _state(form) == before


def test_no_reopen_button_without_the_right(acting, dossier, version) -> None:
    form = _create(acting, dossier, version, action="close")
    assert "Rouvrir le formulaire" not in page_of(acting.get(form_url(dossier, form)))
    before = _state(form)
    assert (
        acting.post(
            url("reopen", dossier, form_id=form.public_id), {"version": str(form.version)}
        ).status_code
        == 403
    )
    assert _state(form) == before


def test_every_read_is_journaled(acting, dossier, version) -> None:
    form = _create(acting, dossier, version)
    acting.get(url("tab", dossier))
    acting.get(form_url(dossier, form))
    acting.get(url("history", dossier, form_id=form.public_id))
    reads = Access.objects.filter(patient=dossier, action="view_pathways", outcome=Access.Outcome.ALLOWED)
    whats = list(reads.values_list("what", flat=True))
    assert "parcours" in whats
    assert f"formulaire {form.public_id}" in whats
    assert f"versions du formulaire {form.public_id}" in whats


# --- history and comparison -------------------------------------------------------------------------


def test_history_shows_a_version_and_compares_two(acting, dossier, version) -> None:
    form = _create(acting, dossier, version)
    acting.post(
        form_url(dossier, form),
        {**DRAFT, "version": "1", "q-poids": "13", "q-suivi": "oui", "q-suivi_detail": "CAMSP"},
    )
    history = url("history", dossier, form_id=form.public_id)
    page = page_of(acting.get(history))
    assert "v1" in page and "v2" in page and "Création" in page and "Enregistrement" in page
    one = page_of(acting.get(history, {"voir": 1}))
    assert "Version 1 — Création" in one and "12,5 kg" in one and "CAMSP" not in one
    compared = page_of(acting.get(history, {"a": 1, "b": 2}))
    assert "4 réponses modifiées" in compared
    rows = re.findall(r"<tr( class=\"q-changed\")?><th scope=\"row\"[^>]*>([^<]+)", compared)
    changed = {label.strip() for flag, label in rows if flag}
    unchanged = {label.strip() for flag, label in rows if not flag}
    # The weight changed, so did the BMI computed from it (15,4 → 16).
    assert changed == {"Poids", "IMC", "Suivi spécialisé en place", "Par qui ?"}
    assert {"Date de la consultation", "Taille"} <= unchanged
    assert "<del>12,5 kg</del>" in compared and "<ins>13 kg</ins>" in compared
    assert "<del>—</del>" in compared and "<ins>CAMSP</ins>" in compared
    same = page_of(acting.get(history, {"a": 2, "b": 2}))
    assert "Aucune différence entre ces deux versions." in same and "q-changed" not in same


@pytest.mark.parametrize("query", [{"voir": 9}, {"a": 1, "b": 7}, {"voir": "x"}, {"a": "1" * 9, "b": 1}])
def test_history_of_a_missing_version(acting, dossier, version, query) -> None:
    form = _create(acting, dossier, version)
    response = acting.get(url("history", dossier, form_id=form.public_id), query)
    assert response.status_code == 200
    if query.get("voir") == "x":
        assert "Cette version n&#x27;existe pas." not in page_of(response)
    else:
        assert "Cette version n&#x27;existe pas." in page_of(response)


# --- query counts ---------------------------------------------------------------------------------------


def _tab_queries(client: Any, dossier: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("tab", dossier)).status_code == 200
    return len(queries)


def test_tab_query_count_does_not_grow_with_forms_or_themes(acting, actor, dossier) -> None:
    version = make_questionnaire()
    make_form(version, dossier, {"poids": 12})
    _tab_queries(acting, dossier)  # the first request of a session does more (session, terms)
    small = _tab_queries(acting, dossier)
    for code in ("cocon", "coordination-dac", "gerontologie", "handicap", "oncologie"):
        services.add_theme(actor, dossier, Theme.objects.get(code=code))
    for theme in (
        "principal",
        "rdv-patient",
        "cocon-inclusion",
        "cocon-cahiers",
        "dac-plan",
        "gerontologie",
        "oncologie",
    ):
        other = make_questionnaire(code=f"q-{theme}", theme=theme, title=f"Questionnaire {theme}")
        for _ in range(3):
            make_form(other, dossier, {"poids": 1})
    assert FormResponse.objects.filter(patient=dossier).count() == 22
    large = _tab_queries(acting, dossier)
    assert large == small, f"{small} queries with 1 theme, {large} with 5 themes and 22 forms"
    for _ in range(10):
        make_form(version, dossier)
    assert _tab_queries(acting, dossier) == large


def test_form_page_query_count_does_not_grow_with_revisions(acting, dossier, version) -> None:
    form = _create(acting, dossier, version)
    acting.get(url("history", dossier, form_id=form.public_id))
    with CaptureQueriesContext(connection) as first:
        acting.get(url("history", dossier, form_id=form.public_id), {"a": 1, "b": 1})
    for number in range(2, 8):
        acting.post(
            form_url(dossier, form), {**DRAFT, "version": str(number - 1), "q-poids": str(10 + number)}
        )
    assert form.revisions.count() == 7
    with CaptureQueriesContext(connection) as many:
        acting.get(url("history", dossier, form_id=form.public_id), {"a": 1, "b": 7})
    assert len(many) == len(first)


def test_actor_helper_is_the_coordinator(actor, coordinator) -> None:
    assert isinstance(actor, Actor) and actor.user == coordinator
