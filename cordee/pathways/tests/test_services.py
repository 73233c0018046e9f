"""PAR-1/PAR-3 services: themes added, ordered, removed; forms saved as drafts, closed, reopened;
each write leaves a revision, an activity event and a journal row; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cordee.accounts.models import Membership
from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.core.actor import Actor
from cordee.documents.models import Document
from cordee.pathways import services
from cordee.pathways.models import DossierTheme, FormResponse, FormRevision, FormStatus, Theme
from cordee.pathways.testing import make_form, make_questionnaire

pytestmark = pytest.mark.django_db

DRAFT = {"q-date_consultation": "20/11/2026", "q-poids": "12,5", "q-taille": "90", "q-suivi": "non"}


def _save(
    actor: Actor, dossier: Any, version: Any, data: dict[str, Any], **kwargs: Any
) -> services.SaveOutcome:
    return services.save_form(actor, dossier, version, version.questionnaire.theme, data, {}, **kwargs)


def _form(actor: Actor, dossier: Any, version: Any, data: dict[str, Any], **kwargs: Any) -> FormResponse:
    outcome = _save(actor, dossier, version, data, **kwargs)
    assert outcome.response is not None, outcome.result.errors
    return outcome.response


def _state(form: FormResponse) -> tuple[Any, ...]:
    form.refresh_from_db()
    return (form.status, form.version, form.answers, form.revisions.count())


# --- themes -------------------------------------------------------------------------------------


def test_add_theme_appends_records_and_journals(actor, dossier) -> None:
    first = services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    second = services.add_theme(actor, dossier, Theme.objects.get(code="handicap"))
    assert (first.position, second.position) == (1, 2)
    assert first.created_by == actor.user and first.structure == actor.structure
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.THEME_ADDED).count() == 2
    assert Access.objects.filter(patient=dossier, action="add_theme", what="gerontologie").exists()


def test_a_theme_is_added_once(actor, dossier) -> None:
    theme = Theme.objects.get(code="gerontologie")
    services.add_theme(actor, dossier, theme)
    with pytest.raises(ValidationError, match="déjà dans le parcours"):
        services.add_theme(actor, dossier, theme)
    assert DossierTheme.objects.filter(patient=dossier, theme=theme).count() == 1


@pytest.mark.parametrize("code", ["principal", "cocon-inclusion"])
def test_default_themes_and_sub_themes_are_not_added(actor, dossier, code) -> None:
    with pytest.raises(ValidationError):
        services.add_theme(actor, dossier, Theme.objects.get(code=code))
    assert not DossierTheme.objects.filter(patient=dossier).exists()


def test_an_inactive_theme_is_not_added(actor, dossier) -> None:
    theme = Theme.objects.get(code="oncologie")
    theme.is_active = False
    theme.save()
    with pytest.raises(ValidationError):
        services.add_theme(actor, dossier, theme)


def test_a_removed_theme_can_be_added_again(actor, dossier, coordinator_role) -> None:
    theme = Theme.objects.get(code="gerontologie")
    row = services.add_theme(actor, dossier, theme)
    services.remove_theme(actor, dossier, row)
    again = services.add_theme(actor, dossier, theme)
    assert again.pk != row.pk
    assert DossierTheme.objects.filter(patient=dossier, theme=theme, removed_at__isnull=True).count() == 1


def test_remove_theme_needs_the_right(actor, dossier) -> None:
    row = services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    with pytest.raises(PermissionDenied):
        services.remove_theme(actor, dossier, row)
    row.refresh_from_db()
    assert row.removed_at is None


def test_remove_an_empty_theme_is_soft_and_recorded(actor, dossier, coordinator_role) -> None:
    row = services.add_theme(actor, dossier, Theme.objects.get(code="gerontologie"))
    services.remove_theme(actor, dossier, row)
    row.refresh_from_db()
    assert row.removed_at is not None and row.removed_by == actor.user
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.THEME_REMOVED).exists()
    assert Access.objects.filter(patient=dossier, action="remove_theme", what="gerontologie").exists()


@pytest.mark.parametrize("where", ["cocon", "cocon-cahiers"])
def test_a_theme_with_forms_stays(actor, dossier, coordinator_role, where) -> None:
    """Forms in the theme or in one of its sub-themes: the theme cannot be removed."""
    row = services.add_theme(actor, dossier, Theme.objects.get(code="cocon"))
    make_form(make_questionnaire(theme=where), dossier)
    with pytest.raises(ValidationError, match="contient des formulaires"):
        services.remove_theme(actor, dossier, row)
    row.refresh_from_db()
    assert row.removed_at is None
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.THEME_REMOVED).exists()


def test_move_theme_swaps_neighbours_and_stops_at_the_ends(actor, dossier) -> None:
    rows = [
        services.add_theme(actor, dossier, Theme.objects.get(code=code))
        for code in ("cocon", "handicap", "oncologie")
    ]

    def order() -> list[str]:
        live = DossierTheme.objects.filter(patient=dossier, removed_at__isnull=True).order_by(
            "position", "pk"
        )
        return [row.theme.code for row in live]

    services.move_theme(actor, dossier, rows[2], -1)
    assert order() == ["cocon", "oncologie", "handicap"]
    services.move_theme(actor, dossier, rows[0], 1)
    assert order() == ["oncologie", "cocon", "handicap"]
    services.move_theme(actor, dossier, rows[1], 1)  # handicap is already last
    assert order() == ["oncologie", "cocon", "handicap"]
    services.move_theme(actor, dossier, rows[1], -1)
    services.move_theme(actor, dossier, rows[1], -1)
    services.move_theme(actor, dossier, rows[1], -1)  # already first
    assert order() == ["handicap", "oncologie", "cocon"]


# --- forms ---------------------------------------------------------------------------------------


def test_a_draft_is_saved_incomplete(actor, dossier, version) -> None:
    outcome = _save(actor, dossier, version, {"q-poids": "12,5"})
    assert outcome.result.ok
    form = outcome.response
    assert form is not None and form.status == FormStatus.DRAFT and form.answers == {"poids": 12.5}
    revision = form.revisions.get()
    assert (revision.number, revision.action, revision.status, revision.answers) == (
        1,
        "CREATED",
        "DRAFT",
        {"poids": 12.5},
    )
    assert revision.saved_by == actor.user and revision.structure == actor.structure
    event = Event.objects.get(patient=dossier, kind=Event.Kind.FORM_CREATED)
    assert event.data == {"form": str(form.public_id)} and "Questionnaire de test" in event.summary
    assert Access.objects.filter(patient=dossier, action="form_created", what=str(form.public_id)).exists()


def test_every_save_keeps_a_revision_and_an_event(actor, dossier, version) -> None:
    form = _form(actor, dossier, version, DRAFT)
    assert form is not None
    _save(actor, dossier, version, {**DRAFT, "q-poids": "13"}, response=form, expected_version=1)
    _save(actor, dossier, version, {**DRAFT, "q-poids": "14"}, response=form, expected_version=2)
    form.refresh_from_db()
    assert form.version == 3 and form.answers["poids"] == 14.0
    assert list(form.revisions.values_list("number", "action")) == [
        (3, "SAVED"),
        (2, "SAVED"),
        (1, "CREATED"),
    ]
    assert [revision.answers["poids"] for revision in form.revisions.all()] == [14.0, 13.0, 12.5]
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.FORM_SAVED).count() == 2


def test_close_enforces_required_items_only_where_displayed(actor, dossier, version) -> None:
    form = _form(actor, dossier, version, {"q-poids": "12"})
    before = _state(form)
    missing = _save(
        actor, dossier, version, {"q-suivi": "oui"}, response=form, expected_version=1, closing=True
    )
    assert missing.result.errors == {
        "q-date_consultation": ["Ce champ est obligatoire."],
        "q-suivi_detail": ["Ce champ est obligatoire."],
    }
    assert _state(form) == before
    # "suivi" = non hides the required detail: closing succeeds without it.
    closed = _save(actor, dossier, version, DRAFT, response=form, expected_version=1, closing=True)
    assert closed.result.ok
    form.refresh_from_db()
    assert form.status == FormStatus.CLOSED and form.closed_by == actor.user and form.closed_at is not None
    assert form.revisions.all()[0].action == "CLOSED"
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.FORM_CLOSED).exists()


def test_a_new_form_may_be_closed_at_once(actor, dossier, version) -> None:
    form = _form(actor, dossier, version, DRAFT, closing=True)
    assert form is not None and form.is_closed
    assert list(form.revisions.values_list("action", flat=True)) == ["CLOSED"]


def test_a_closed_form_is_frozen(actor, dossier, version) -> None:
    form = _form(actor, dossier, version, DRAFT, closing=True)
    before = _state(form)
    with pytest.raises(services.ClosedFormError):
        _save(
            actor, dossier, version, {**DRAFT, "q-poids": "99"}, response=form, expected_version=form.version
        )
    assert _state(form) == before


def test_a_stale_save_changes_nothing(actor, dossier, version) -> None:
    form = _form(actor, dossier, version, DRAFT)
    _save(actor, dossier, version, {**DRAFT, "q-poids": "13"}, response=form, expected_version=1)
    before = _state(form)
    events = Event.objects.count()
    with pytest.raises(services.StaleFormError):
        _save(actor, dossier, version, {**DRAFT, "q-poids": "50"}, response=form, expected_version=1)
    assert _state(form) == before and Event.objects.count() == events


def test_a_crafted_post_changes_nothing_and_is_journaled(actor, dossier, version) -> None:
    form = _form(actor, dossier, version, DRAFT)
    before = _state(form)
    for crafted in (
        {**DRAFT, "q-inconnu": "1"},
        {**DRAFT, "q-suivi_detail": "caché"},
        {**DRAFT, "q-imc": "40"},
    ):
        with pytest.raises(services.TamperedFormError):
            _save(actor, dossier, version, crafted, response=form, expected_version=1)
    assert _state(form) == before
    refusals = Access.objects.filter(
        patient=dossier, action="save_form_refused", outcome=Access.Outcome.FORBIDDEN
    )
    assert sorted(refusals.values_list("what", flat=True)) == ["q-imc", "q-inconnu", "q-suivi_detail"]


def test_reopen_needs_the_right_and_is_recorded(actor, dossier, version, coordinator_role) -> None:
    form = _form(actor, dossier, version, DRAFT, closing=True)
    services.reopen_form(actor, dossier, form, expected_version=form.version)
    form.refresh_from_db()
    assert (form.status, form.closed_at, form.closed_by, form.version) == (FormStatus.DRAFT, None, None, 2)
    revision = form.revisions.all()[0]
    assert (revision.number, revision.action, revision.status) == (2, "REOPENED", "DRAFT")
    event = Event.objects.get(patient=dossier, kind=Event.Kind.FORM_REOPENED)
    assert event.importance == Event.Importance.IMPORTANT
    assert Access.objects.filter(patient=dossier, action="form_reopened", what=str(form.public_id)).exists()
    # A draft again: it saves.
    assert _save(
        actor, dossier, version, {**DRAFT, "q-poids": "15"}, response=form, expected_version=2
    ).result.ok


def test_reopen_without_the_right_or_stale_changes_nothing(
    actor, dossier, version, coordinator_role, circle_member
) -> None:
    form = _form(actor, dossier, version, DRAFT, closing=True)
    before = _state(form)
    with pytest.raises(PermissionDenied):
        services.reopen_form(Actor(user=circle_member), dossier, form, expected_version=form.version)
    with pytest.raises(services.StaleFormError):
        services.reopen_form(actor, dossier, form, expected_version=form.version - 1)
    assert _state(form) == before
    assert not Event.objects.filter(kind=Event.Kind.FORM_REOPENED).exists()


def test_reopen_of_a_draft_is_stale(actor, dossier, version, coordinator_role) -> None:
    form = _form(actor, dossier, version, DRAFT)
    with pytest.raises(services.StaleFormError):
        services.reopen_form(actor, dossier, form, expected_version=form.version)


def test_attachments_land_in_the_dossiers_documents(actor, dossier, version) -> None:
    pdf = SimpleUploadedFile("compte rendu.pdf", b"%PDF-1.4 contenu", content_type="application/pdf")
    outcome = services.save_form(
        actor, dossier, version, version.questionnaire.theme, DRAFT, {"q-piece": pdf}
    )
    form = outcome.response
    assert form is not None
    document = Document.objects.get(patient=dossier)
    assert (document.source, document.form, document.content_type, document.size) == (
        Document.Source.FORM,
        form,
        "application/pdf",
        len(b"%PDF-1.4 contenu"),
    )
    assert document.file.name.startswith("documents/") and "compte" not in document.file.name
    assert form.answers["piece"] == {"document": str(document.public_id), "name": "compte rendu.pdf"}
    assert form.revisions.get().answers["piece"] == form.answers["piece"]
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.DOCUMENT_ADDED).exists()
    # Saved again keeping it: no new document.
    again = _save(
        actor,
        dossier,
        version,
        {**DRAFT, "q-piece": str(document.public_id)},
        response=form,
        expected_version=1,
    )
    assert again.result.ok and Document.objects.count() == 1
    form.refresh_from_db()
    assert form.answers["piece"]["document"] == str(document.public_id)


def test_a_refused_file_is_an_error_beside_the_item_and_nothing_is_stored(actor, dossier, version) -> None:
    exe = SimpleUploadedFile("cr.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")
    outcome = services.save_form(
        actor, dossier, version, version.questionnaire.theme, DRAFT, {"q-piece": exe}
    )
    assert outcome.response is None and "Type de fichier non accepté" in outcome.result.errors["q-piece"][0]
    assert not FormResponse.objects.exists() and not Document.objects.exists()


def test_another_dossiers_document_cannot_be_kept(
    actor, dossier, dossier_of_other_structure, version
) -> None:
    other_actor = Actor(
        user=actor.user,
        membership=Membership.objects.get(
            user=actor.user, structure=dossier_of_other_structure.created_by_structure
        ),
    )
    pdf = SimpleUploadedFile("secret.pdf", b"%PDF-1.4 secret")
    other = services.save_form(
        other_actor, dossier_of_other_structure, version, version.questionnaire.theme, {}, {"q-piece": pdf}
    )
    assert other.response is not None
    foreign = other.response.answers["piece"]["document"]
    form = _form(actor, dossier, version, DRAFT)
    before = _state(form)
    with pytest.raises(services.TamperedFormError):
        _save(actor, dossier, version, {**DRAFT, "q-piece": foreign}, response=form, expected_version=1)
    assert _state(form) == before


def test_creatable_questionnaires_have_a_published_version(db) -> None:
    published = make_questionnaire(code="publie")
    draft = make_questionnaire(code="brouillon")
    draft.published_at = None
    draft.save()
    inactive = make_questionnaire(code="inactif")
    inactive.questionnaire.is_active = False
    inactive.questionnaire.save()
    rows = services.creatable_questionnaires(Theme.objects.get(code="principal"))
    assert rows == [(published.questionnaire, published)]


def test_the_context_carries_the_birth_date(dossier) -> None:
    context = services.context_for(dossier)
    assert context.birth_date == dossier.birth_date and context.gestational_age_days is None


def test_revisions_are_numbered_per_form(actor, dossier, version) -> None:
    one = _form(actor, dossier, version, DRAFT)
    two = _form(actor, dossier, version, DRAFT)
    assert one.pk != two.pk
    assert set(FormRevision.objects.values_list("response_id", "number")) == {(one.pk, 1), (two.pk, 1)}
