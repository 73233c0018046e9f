"""NOT-1: the notification centre, the bell and the preferences of the personal profile."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.audit.services import journal_many
from cordee.core.http import AuthedRequest
from cordee.notifications import services
from cordee.notifications.entries import entries
from cordee.notifications.kinds import CATALOGUE, GROUPS
from cordee.notifications.models import Notification

PAGE_SIZE = 30


def centre(request: AuthedRequest) -> HttpResponse:
    """The list, newest first; each entry written for the reader now (`entries`)."""
    notifications = Notification.objects.filter(recipient=request.user).select_related(
        "patient", "author", "author_structure", "via_structure"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    # One's structures, read once for the top bar's switch and for the entries below.
    choices = getattr(request, "acting_memberships", None)
    if choices is None:
        choices = list(
            request.user.memberships.filter(is_active=True)
            .select_related("structure")
            .order_by("structure__name")
        )
    acting = request.actor.structure.pk if request.actor.structure is not None else None
    switch = {m.structure_id: str(m.structure.public_id) for m in choices if m.structure_id != acting}
    # An item reached through a structure opens as that structure (a team's request, a task
    # received by the DAC): its entry switches first — a POST, as the top bar's switch.
    shown = [
        replace(entry, switch_to=switch[entry.notification.via_structure_id])
        if entry.url and entry.notification.via_structure_id in switch
        else entry
        for entry in entries(request.user, list(page.object_list))
    ]
    # Issue 24: the patients named on the page, journaled in one statement.
    journal_many(
        request.actor,
        [entry.notification.patient for entry in shown if entry.names_patient],
        "list_notifications",
        what="centre de notifications",
    )
    return render(
        request,
        "notifications/centre.html",
        {
            "page": page,
            "entries": shown,
            "acting_choices": choices,
            "unread": services.unread_count(request.user),
        },
    )


def bell(request: AuthedRequest) -> HttpResponse:
    """The top bar's count, asked by the page once loaded (no query added to the pages)."""
    return render(request, "notifications/_bell.html", {"unread": services.unread_count(request.user)})


def open_entry(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Marks the entry read and leads to its item — if the reader may still see it."""
    notification = get_object_or_404(
        Notification.objects.select_related("patient", "author", "author_structure", "via_structure"),
        recipient=request.user,
        public_id=public_id,
    )
    services.mark_read(request.user, notification)
    entry = entries(request.user, [notification])[0]
    if entry.url:
        return redirect(entry.url)
    messages.info(request, entry.text)
    return redirect("notifications:centre")


@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, "Toutes vos notifications sont marquées comme lues.")
    return redirect("notifications:centre")


def preferences(request: AuthedRequest) -> HttpResponse:
    """The seed's table: one Mail and one Application switch per event, saved at once.

    With htmx each switch posts the table with its own `kind` and `channel`, and only that one is
    saved; without script, the whole table is saved by its button."""
    user = request.user
    if request.method == "POST":
        if request.htmx:
            return _save_rhythm(request) if request.POST.get("setting") == "rhythm" else _save_one(request)
        if request.POST.get("rhythm") in RHYTHMS:
            services.set_daily_digest(user, request.POST["rhythm"] == "daily")
        for kind in _kinds_for(request):
            for channel in ("mail", "app"):
                services.set_preference(user, kind, channel, request.POST.get(f"{kind}:{channel}") == "on")
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("notifications:preferences")
    chosen = services.preferences_of(user)
    groups = [
        (
            group,
            [
                (event, chosen[kind][0], chosen[kind][1])
                for kind, event in CATALOGUE.items()
                if event.group == group and (user.is_staff or not event.staff_only)
            ],
        )
        for group in GROUPS
    ]
    return render(
        request, "notifications/preferences.html", {"groups": groups, "daily": services.daily_digest(user)}
    )


RHYTHMS = {"each": "un e-mail à chaque notification", "daily": "un récapitulatif par jour, à 7 h"}


def _save_rhythm(request: AuthedRequest) -> HttpResponse:
    rhythm = request.POST.get("rhythm", "")
    if rhythm not in RHYTHMS:
        return render(
            request,
            "notifications/_saved.html",
            {"error": "Choix inconnu : rien n'a été changé."},
            status=400,
        )
    services.set_daily_digest(request.user, rhythm == "daily")
    return render(request, "notifications/_saved.html", {"message": f"Enregistré : {RHYTHMS[rhythm]}."})


def _kinds_for(request: AuthedRequest) -> list[str]:
    return [kind for kind, event in CATALOGUE.items() if request.user.is_staff or not event.staff_only]


def _save_one(request: AuthedRequest) -> HttpResponse:
    kind, channel = request.POST.get("kind", ""), request.POST.get("channel", "")
    if kind not in _kinds_for(request) or channel not in ("mail", "app"):
        return render(
            request,
            "notifications/_saved.html",
            {"error": "Préférence inconnue : rien n'a été changé."},
            status=400,
        )
    enabled = request.POST.get(f"{kind}:{channel}") == "on"
    services.set_preference(request.user, kind, channel, enabled)
    event = CATALOGUE[kind]
    what = "Mail" if channel == "mail" else "Application"
    state = "activée" if enabled else "désactivée"
    return render(
        request,
        "notifications/_saved.html",
        {"message": f"Enregistré : « {event.kind.label} » — {what} {state}."},
    )
