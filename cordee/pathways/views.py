"""The dossier's Parcours tab (PAR-1) and its forms (PAR-2..4). Every page starts at the access
policy; a theme the rights matrix closes to the actor is neither listed nor served."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.activity.feed import feed_page
from cordee.careteam.access import Perm, can, get_dossier, theme_rights
from cordee.core import clock
from cordee.core.http import AuthedRequest, parse_uuid, typed_text
from cordee.core.text import search_key
from cordee.pathways import rendering, services
from cordee.pathways.answers import Result, read_post, to_raw, validate
from cordee.pathways.models import (
    DossierTheme,
    FormResponse,
    Questionnaire,
    QuestionnaireVersion,
    Theme,
)
from cordee.patients.models import Patient


@dataclass
class Branch:
    """A theme or sub-theme on the tab: its forms and what may be created there."""

    theme: Theme
    forms: list[FormResponse] = field(default_factory=list)
    creatable: list[tuple[Questionnaire, QuestionnaireVersion]] = field(default_factory=list)
    children: list[Branch] = field(default_factory=list)


@dataclass
class ThemeOnTab:
    branch: Branch
    row: DossierTheme | None
    can_write: bool
    form_count: int = 0


def _tab(request: AuthedRequest, patient: Patient) -> tuple[list[ThemeOnTab], set[int]]:
    """The tab's themes as the actor may read them, and the ids of every theme the dossier has
    (those "+ Ajouter une thématique" no longer offers)."""
    rows = list(DossierTheme.objects.filter(patient=patient, removed_at__isnull=True).select_related("theme"))
    defaults = list(Theme.objects.filter(is_default=True, is_active=True, parent__isnull=True))
    roots: list[tuple[Theme, DossierTheme | None]] = [(theme, None) for theme in defaults]
    roots += [(row.theme, row) for row in rows if row.theme.is_active]
    root_ids = [theme.pk for theme, _ in roots]
    # The parent comes along: theme_rights() looks at it (a reserved parent closes its children).
    children = list(Theme.objects.filter(parent_id__in=root_ids, is_active=True).select_related("parent"))
    all_ids = root_ids + [child.pk for child in children]
    forms = list(
        FormResponse.objects.filter(patient=patient, theme_id__in=all_ids)
        .select_related("questionnaire_version__questionnaire", "created_by", "closed_by")
        .order_by("-updated_at")
    )
    versions = (
        QuestionnaireVersion.objects.filter(published_at__isnull=False)
        .order_by("questionnaire_id", "-number")
        .only("pk", "number", "questionnaire_id")
    )
    questionnaires = list(
        Questionnaire.objects.filter(theme_id__in=all_ids, is_active=True).prefetch_related(
            Prefetch("versions", queryset=versions, to_attr="published")
        )
    )
    today = clock.today()
    questionnaires = [q for q in questionnaires if q.max_age_allows(patient.birth_date, today)]
    tab = []
    for theme, row in roots:
        read, write = theme_rights(request.actor, patient, theme)
        if not read:
            continue
        branch = _branch(theme, forms, questionnaires if write else [])
        branch.children = [
            _branch(child, forms, questionnaires if write else [])
            for child in children
            if child.parent_id == theme.pk and theme_rights(request.actor, patient, child)[0]
        ]
        count = len(branch.forms) + sum(len(child.forms) for child in branch.children)
        tab.append(ThemeOnTab(branch=branch, row=row, can_write=write, form_count=count))
    return tab, {row.theme_id for row in rows}


def _branch(theme: Theme, forms: list[FormResponse], questionnaires: Sequence[Questionnaire]) -> Branch:
    return Branch(
        theme=theme,
        forms=[form for form in forms if form.theme_id == theme.pk],
        creatable=[
            (questionnaire, questionnaire.published[0])  # type: ignore[attr-defined]
            for questionnaire in questionnaires
            if questionnaire.theme_id == theme.pk and questionnaire.published  # type: ignore[attr-defined]
        ],
    )


def tab(request: AuthedRequest, public_id: str) -> HttpResponse:
    """PAR-1: thématique → sous-thématiques → formulaires; add, order, search themes."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_PATHWAYS, what="parcours")
    themes, present = _tab(request, patient)
    query = typed_text(request.GET.get("q"))
    if query:
        key = search_key(query)
        themes = [
            entry
            for entry in themes
            if key in search_key(entry.branch.theme.label)
            or any(key in search_key(child.theme.label) for child in entry.branch.children)
        ]
    addable = [
        theme
        for theme in Theme.objects.filter(parent__isnull=True, is_default=False, is_active=True)
        if theme.pk not in present and theme_rights(request.actor, patient, theme)[1]
    ]
    # PAR-1: the "Fil d'actualité" theme shows the feed's latest items, as the viewer may read them.
    events = (
        [item.event for item in feed_page(request.actor, patient, size=10).items]
        if can(request.actor, Perm.VIEW_FEED, patient)
        else None
    )
    # AGD-1: the "RDV patient" theme lists the dossier's appointments (coming, then recent).
    from cordee.agenda.patients import upcoming_and_recent

    upcoming, recent = upcoming_and_recent(request.actor, patient)
    context = {
        "patient": patient,
        "themes": themes,
        "upcoming": upcoming,
        "recent": recent,
        "addable": addable,
        "query": query,
        "events": events,
        "can_remove": can(request.actor, Perm.REMOVE_THEME, patient),
        "movable": [entry for entry in themes if entry.row is not None],
    }
    return render(request, "pathways/tab.html", context)


def _theme_on_dossier(patient: Patient, theme: Theme) -> bool:
    root = theme.root
    return (
        root.is_default
        or DossierTheme.objects.filter(patient=patient, theme=root, removed_at__isnull=True).exists()
    )


@require_POST
def add_theme(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.FILL_FORMS, what="ajout de thématique")
    theme_id = parse_uuid(request.POST.get("theme", ""))
    theme = Theme.objects.filter(public_id=theme_id).first() if theme_id else None
    if theme is None:
        messages.error(request, "Choisissez une thématique dans la liste.")
        return redirect("pathways:tab", public_id=patient.public_id)
    try:
        services.add_theme(request.actor, patient, theme)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"La thématique « {theme.label} » est ajoutée au parcours.")
    return redirect("pathways:tab", public_id=patient.public_id)


def _row(patient: Patient, row_id: str) -> DossierTheme:
    return get_object_or_404(
        DossierTheme.objects.select_related("theme"),
        patient=patient,
        public_id=row_id,
        removed_at__isnull=True,
    )


@require_POST
def remove_theme(request: AuthedRequest, public_id: str, row_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.REMOVE_THEME, what="suppression de thématique")
    row = _row(patient, row_id)
    try:
        services.remove_theme(request.actor, patient, row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"La thématique « {row.theme.label} » est retirée du parcours.")
    return redirect("pathways:tab", public_id=patient.public_id)


@require_POST
def move_theme(request: AuthedRequest, public_id: str, row_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.FILL_FORMS, what="ordre des thématiques")
    row = _row(patient, row_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    services.move_theme(request.actor, patient, row, step)
    return redirect("pathways:tab", public_id=patient.public_id)


# --- forms ----------------------------------------------------------------------------------


def _form_page(
    request: AuthedRequest,
    patient: Patient,
    version: QuestionnaireVersion,
    raw: dict[str, Any],
    result: Result,
    *,
    response: FormResponse | None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    nodes = rendering.build(version.parsed(), raw, result)
    context = {
        "patient": patient,
        "questionnaire": version.questionnaire,
        "version": version,
        "response": response,
        "nodes": nodes,
        # The top-level groups: a long notebook gets a table of contents.
        "sections": [node for node in nodes if node.item.is_group],
        "error": error,
        "has_errors": bool(result.errors),
        "yes_no": [("oui", "Oui"), ("non", "Non")],
        "today": clock.today(),
        "can_reopen": response is not None
        and response.is_closed
        and can(request.actor, Perm.REOPEN_FORM, patient),
    }
    return render(request, "pathways/form.html", context, status=status)


def new_form(request: AuthedRequest, public_id: str, questionnaire_id: str) -> HttpResponse:
    """PAR-3: a new form of a questionnaire, against its latest published version."""
    patient = get_dossier(request.actor, public_id, Perm.FILL_FORMS, what="nouveau formulaire")
    questionnaire = get_object_or_404(
        Questionnaire.objects.select_related("theme__parent"), public_id=questionnaire_id, is_active=True
    )
    version = questionnaire.current_version()
    if version is None or not _theme_on_dossier(patient, questionnaire.theme):
        raise Http404
    if not questionnaire.max_age_allows(patient.birth_date, clock.today()):
        messages.error(
            request,
            f"« {questionnaire.title} » n'est proposé que jusqu'à {questionnaire.max_age_months} mois.",
        )
        return redirect("pathways:tab", public_id=patient.public_id)
    if not theme_rights(request.actor, patient, questionnaire.theme)[1]:
        raise PermissionDenied
    return _fill(request, patient, version, questionnaire.theme, None)


def _fill(
    request: AuthedRequest,
    patient: Patient,
    version: QuestionnaireVersion,
    theme: Theme,
    response: FormResponse | None,
) -> HttpResponse:
    definition = version.parsed()
    if request.method != "POST":
        raw = to_raw(definition, response.answers) if response else {}
        result = validate(
            definition, raw, services.context_for(patient), previous=response.answers if response else None
        )
        result.errors.clear()
        return _form_page(request, patient, version, raw, result, response=response)
    closing = request.POST.get("action") == "close"
    try:
        expected = int(request.POST.get("version", "0"))
    except ValueError:
        expected = -1
    raw = read_post(definition, request.POST, request.FILES)
    try:
        outcome = services.save_form(
            request.actor,
            patient,
            version,
            theme,
            request.POST,
            request.FILES,
            response=response,
            expected_version=expected,
            closing=closing,
        )
    except services.TamperedFormError as exc:
        result = validate(definition, {}, services.context_for(patient))
        raw = to_raw(definition, response.answers) if response else {}
        return _form_page(
            request, patient, version, raw, result, response=response, error=exc.message, status=400
        )
    except (services.StaleFormError, services.ClosedFormError) as exc:
        result = validate(
            definition, raw, services.context_for(patient), previous=response.answers if response else None
        )
        result.errors.clear()
        if response is not None:
            response.refresh_from_db()
        return _form_page(
            request, patient, version, raw, result, response=response, error=exc.message, status=409
        )
    if outcome.result.errors:
        return _form_page(
            request,
            patient,
            version,
            raw,
            outcome.result,
            response=response,
            error="Le formulaire contient des erreurs : corrigez les champs signalés.",
            status=400,
        )
    assert outcome.response is not None
    word = "clôturé" if closing else "enregistré"
    messages.success(request, f"Le formulaire « {version.questionnaire.title} » est {word}.")
    return redirect("pathways:form", public_id=patient.public_id, form_id=outcome.response.public_id)


def _response(patient: Patient, form_id: str) -> FormResponse:
    return get_object_or_404(
        FormResponse.objects.select_related(
            "questionnaire_version__questionnaire", "theme__parent", "created_by", "closed_by"
        ),
        patient=patient,
        public_id=form_id,
    )


def form(request: AuthedRequest, public_id: str, form_id: str) -> HttpResponse:
    """PAR-3: a draft is edited here by whoever may write its theme; otherwise it is read."""
    perm = Perm.FILL_FORMS if request.method == "POST" else Perm.VIEW_PATHWAYS
    patient = get_dossier(request.actor, public_id, perm, what=f"formulaire {form_id}")
    response = _response(patient, form_id)
    read, write = theme_rights(request.actor, patient, response.theme)
    if not read:
        raise Http404
    version = response.questionnaire_version
    if request.method == "POST" and not write:
        raise PermissionDenied
    if request.method == "POST" and response.is_closed:
        # Closed by someone else while this page was open: say so (409) and keep what was typed.
        return _fill(request, patient, version, response.theme, response)
    if response.is_closed or not write:
        context = {
            "patient": patient,
            "response": response,
            "questionnaire": version.questionnaire,
            "version": version,
            "rows": rendering.rows(version.parsed(), response.answers),
            "can_reopen": response.is_closed and write and can(request.actor, Perm.REOPEN_FORM, patient),
        }
        return render(request, "pathways/form_read.html", context)
    return _fill(request, patient, version, response.theme, response)


@require_POST
def reopen(request: AuthedRequest, public_id: str, form_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.REOPEN_FORM, what=f"réouverture {form_id}")
    response = _response(patient, form_id)
    try:
        expected = int(request.POST.get("version", "0"))
    except ValueError:
        expected = -1
    try:
        services.reopen_form(request.actor, patient, response, expected)
    except services.StaleFormError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Le formulaire est rouvert : il peut de nouveau être modifié.")
    return redirect("pathways:form", public_id=patient.public_id, form_id=response.public_id)


def _readable_response(
    request: AuthedRequest, public_id: str, form_id: str, what: str
) -> tuple[Patient, FormResponse]:
    patient = get_dossier(request.actor, public_id, Perm.VIEW_PATHWAYS, what=f"{what} {form_id}")
    response = _response(patient, form_id)
    if not theme_rights(request.actor, patient, response.theme)[0]:
        raise Http404
    return patient, response


def history(request: AuthedRequest, public_id: str, form_id: str) -> HttpResponse:
    """PAR-3: every saved version; one shown, or two compared side by side."""
    patient, response = _readable_response(request, public_id, form_id, "versions du formulaire")
    revisions = list(response.revisions.select_related("saved_by", "structure"))
    numbers = {revision.number: revision for revision in revisions}
    definition = response.questionnaire_version.parsed()
    shown = _number(request.GET.get("voir"))
    left, right = _number(request.GET.get("a")), _number(request.GET.get("b"))
    context: dict[str, Any] = {"patient": patient, "response": response, "revisions": revisions}
    if shown in numbers:
        context["shown"] = numbers[shown]
        context["rows"] = rendering.rows(definition, numbers[shown].answers)
    elif left in numbers and right in numbers:
        context["left"], context["right"] = numbers[left], numbers[right]
        context["comparison"] = rendering.rows(definition, numbers[left].answers, numbers[right].answers)
        context["changes"] = sum(1 for row in context["comparison"] if row.changed)
    elif (shown, left, right) != (None, None, None):
        context["error"] = "Cette version n'existe pas."
    return render(request, "pathways/history.html", context)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 7 else None


@require_POST
def computed(request: AuthedRequest, public_id: str, version_id: str) -> JsonResponse:
    """PAR-2 live: the computed values (BMI, ages, growth z-scores and centiles) of a form being
    filled, from what the page posts — the same code and references as the saved form, so the
    figure shown while typing is the one stored. Nothing is saved; answers never travel in a URL."""
    patient = get_dossier(request.actor, public_id, Perm.FILL_FORMS, what="calcul de formulaire")
    version = get_object_or_404(
        QuestionnaireVersion.objects.select_related("questionnaire__theme__parent"), public_id=version_id
    )
    if not _theme_on_dossier(patient, version.questionnaire.theme):
        raise Http404
    if not theme_rights(request.actor, patient, version.questionnaire.theme)[1]:
        raise PermissionDenied
    definition = version.parsed()
    raw = read_post(definition, request.POST, {})
    result = validate(definition, raw, services.context_for(patient))
    values = {
        node.dom_id: node.display or "—"
        for node in rendering.computed_nodes(rendering.build(definition, raw, result))
    }
    return JsonResponse({"computed": values})
