"""The feed page (ACT-1): the story of the dossier, filters, "voir plus", notes."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cordee.activity import lifeline, services
from cordee.activity.feed import TOGGLES, FeedFilters, feed_page
from cordee.activity.forms import NoteCorrectionForm, NoteForm, NoteWithdrawForm
from cordee.activity.models import Note
from cordee.careteam.access import Perm, can, get_dossier
from cordee.core.http import AuthedRequest, parse_uuid, wants_partial
from cordee.patients.models import Patient


def feed_context(
    request: AuthedRequest, patient: Patient, *, form: NoteForm | None = None
) -> dict[str, object]:
    """The feed's first page, as the feed page and the dossier page show it."""
    filters = FeedFilters.from_query(request.GET)
    page = feed_page(request.actor, patient, filters, parse_uuid(request.GET.get("apres")))
    may_write = can(request.actor, Perm.WRITE_NOTES, patient)
    return {
        "patient": patient,
        "feed": page,
        "filters": filters,
        "toggles": TOGGLES,
        "may_write_notes": may_write,
        "note_form": (form or NoteForm()) if may_write else None,
        "me": request.user.pk,
    }


def feed(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.VIEW_FEED, what="fil d'actualité")
    context = feed_context(request, patient)
    if wants_partial(request):
        # "Voir plus" appends the next items; a filter replaces the list.
        template = "activity/_feed_items.html" if request.GET.get("apres") else "activity/_feed_list.html"
        return render(request, template, context)
    return render(request, "activity/feed.html", context)


@require_POST
def note_add(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.WRITE_NOTES, what="note du fil d'actualité")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.write_note(
                request.actor, patient, form.cleaned_data["text"], form.cleaned_data["importance"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "La note est ajoutée au fil d'actualité.")
            return redirect("activity:feed", public_id=patient.public_id)
    return render(request, "activity/feed.html", feed_context(request, patient, form=form))


def _note(patient: Patient, note_id: str) -> Note:
    wanted = parse_uuid(note_id)
    if wanted is None:
        raise Http404
    note = (
        Note.objects.select_related("event", "event__patient", "event__created_by", "event__structure")
        .filter(public_id=wanted, event__patient=patient)
        .first()
    )
    if note is None:
        raise Http404
    note.event.patient = patient  # the dossier as the policy served it
    return note


def note_edit(request: AuthedRequest, public_id: str, note_id: str) -> HttpResponse:
    """ACT-1: the author corrects the note; the earlier text stays in its history."""
    patient = get_dossier(request.actor, public_id, Perm.WRITE_NOTES, what="correction d'une note")
    note = _note(patient, note_id)
    if note.created_by_id != request.user.pk or note.is_withdrawn:
        raise PermissionDenied
    initial = {"text": note.text, "importance": note.event.importance, "version": note.version}
    form = NoteCorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_note(
                request.actor, note, data["text"], data["importance"], expected_version=data["version"]
            )
        except services.StaleNoteError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "La note est corrigée.")
            return redirect("activity:feed", public_id=patient.public_id)
    return render(request, "activity/note_edit.html", {"patient": patient, "note": note, "form": form})


@require_POST
def note_withdraw(request: AuthedRequest, public_id: str, note_id: str) -> HttpResponse:
    """ACT-1: the author withdraws the note: kept, journaled, shown as "note retirée"."""
    patient = get_dossier(request.actor, public_id, Perm.WRITE_NOTES, what="retrait d'une note")
    note = _note(patient, note_id)
    form = NoteWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "La note n'a pas été retirée : rechargez la page et recommencez.")
        return redirect("activity:feed", public_id=patient.public_id)
    try:
        services.withdraw_note(request.actor, note, expected_version=form.cleaned_data["version"])
    except services.StaleNoteError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "La note est retirée du fil d'actualité.")
    return redirect("activity:feed", public_id=patient.public_id)


def note_history(request: AuthedRequest, public_id: str, note_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.VIEW_FEED, what="historique d'une note")
    note = _note(patient, note_id)
    revisions = list(note.revisions.select_related("created_by")) if not note.is_withdrawn else []
    return render(
        request, "activity/note_history.html", {"patient": patient, "note": note, "revisions": revisions}
    )


def lifeline_context(request: AuthedRequest, patient: Patient) -> dict[str, object]:
    """ACT-3: the window asked for (period, end date), its facts and its picture."""
    end = None
    raw = request.GET.get("fin", "")[:10]
    if raw:
        try:
            end = datetime.date.fromisoformat(raw)
        except ValueError:
            end = None
    shown = lifeline.window(patient, request.GET.get("periode"), end)
    found = lifeline.facts(request.actor, patient, shown)
    return {
        "patient": patient,
        "shown": shown,
        "facts": found,
        "picture": lifeline.picture(shown, found),
        "periods": lifeline.PERIODS,
        "earlier": shown.shifted(-1).isoformat(),
        "later": shown.shifted(1).isoformat(),
    }


def life_line(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.VIEW, what="ligne de vie")
    context = lifeline_context(request, patient)
    if wants_partial(request):
        return render(request, "activity/_lifeline.html", context)
    return render(request, "activity/lifeline.html", context)
