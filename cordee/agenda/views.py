"""The agenda's pages (AGD-1): the calendar (week, day, month), an appointment's page and form."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import http_date, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from cordee.agenda import feed as feeds
from cordee.agenda import grid, ical, recurrence, services
from cordee.agenda.agendas import Agenda, Reach, sees_details
from cordee.agenda.forms import AppointmentForm
from cordee.agenda.models import Appointment, EventType, FeedToken, Participant
from cordee.audit.services import journal, journal_many
from cordee.careteam.access import Perm, can, get_dossier
from cordee.core import clock
from cordee.core.forms import EARLIEST_DAY, LATEST_DAY
from cordee.core.http import AuthedRequest, parse_uuid, safe_next, typed_text
from cordee.patients.active_file import visible_named

VIEWS = {"jour": "Jour", "semaine": "Semaine", "mois": "Mois"}


def _day(value: str | None) -> datetime.date:
    """The day asked for, or today: a tampered date never reaches year 1 or 9999 (issue 24)."""
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return clock.today()
    return min(max(day, EARLIEST_DAY + datetime.timedelta(days=7)), LATEST_DAY - datetime.timedelta(days=40))


def _step(view: str, day: datetime.date, direction: int) -> datetime.date:
    if view == "jour":
        return day + datetime.timedelta(days=direction)
    if view == "mois":
        first = day.replace(day=1)
        if direction > 0:
            return (first + datetime.timedelta(days=32)).replace(day=1)
        return (first - datetime.timedelta(days=1)).replace(day=1)
    return day + datetime.timedelta(days=7 * direction)


def _journal_patients(request: AuthedRequest, found: list[grid.Item]) -> None:
    """The dossiers named on the page, journaled once each (SEC-2)."""
    patients = {i.appointment.patient_id: i.appointment.patient for i in found if i.patient_name}
    if patients:
        journal_many(request.actor, patients.values(), "view", what="agenda")


def calendar_page(request: AuthedRequest) -> HttpResponse:
    reach = Reach(request.actor)
    view = request.GET.get("vue", "semaine")
    view = view if view in VIEWS else "semaine"
    day = _day(request.GET.get("date"))
    shown = reach.pick(request.GET.getlist("voir")) or reach.default()
    if view == "jour":
        days = [day]
        first, last = day, day + datetime.timedelta(days=1)
    elif view == "mois":
        first, last = grid.month_of(day)
        days = []
    else:
        first, last = grid.week_of(day)
        days = [first + datetime.timedelta(days=n) for n in range(7)]
    found = grid.items(request.actor, shown, first, last)
    _journal_patients(request, found)
    keys = [agenda.key for agenda in shown]

    def link(**changes: Any) -> str:
        params = {"vue": view, "date": day.isoformat(), **changes}
        return "?" + urlencode([*params.items(), *[("voir", key) for key in keys]])

    context: dict[str, Any] = {
        "view": view,
        "views": [(code, label, link(vue=code)) for code, label in VIEWS.items()],
        "day": day,
        "title": grid.title_of(view, day),
        "shown": shown,
        "agendas": reach.agendas,
        "keys": keys,
        # The shown agendas in a link's query, written once: the week's 7 day headings and the
        # month's 42 days each repeated a loop over the keys (as the template wrote them).
        "voir": mark_safe("".join(f"&amp;voir={escape(key)}" for key in keys)),  # noqa: S308 - escaped
        "today_link": link(date=clock.today().isoformat()),
        "previous_link": link(date=_step(view, day, -1).isoformat()),
        "next_link": link(date=_step(view, day, 1).isoformat()),
        "hours": grid.hours(),
        "first_row": grid.FIRST_SHOWN_HOUR * 4,
        "new_link": reverse("agenda:create") + "?" + urlencode([("agenda", k) for k in keys]),
        "count": len(found),
        "legend": list(EventType.objects.filter(is_active=True).values_list("colour", "label")),
    }
    if view == "mois":
        context["month_days"] = grid.month_days(found, first, last, day.month)
        context["day_names"] = grid.DAY_NAMES
        context["day_link"] = lambda d: link(vue="jour", date=d.isoformat())
    else:
        context["columns"] = grid.columns(found, days, shown if view == "jour" else None)
        context["show_who"] = len(shown) > 1 and view != "jour"
    return render(request, "agenda/calendar.html", context)


def _appointment(request: AuthedRequest, appointment_id: Any, reach: Reach) -> tuple[Appointment, set[int]]:
    """The appointment if it sits in an agenda within the actor's reach (else 404, as a dossier);
    with the ids of the persons taking part."""
    appointment = (
        Appointment.objects.select_related("event_type", "patient", "commune", "created_by", "structure")
        .filter(public_id=appointment_id, deleted_at__isnull=True)
        .first()
    )
    if appointment is None:
        raise Http404
    rows = list(Participant.objects.filter(appointment=appointment).values_list("user_id", "structure_id"))
    users = {user for user, _ in rows if user is not None}
    structures = {structure for _, structure in rows if structure is not None}
    if not reach.reaches(appointment, users, structures):
        raise Http404
    return appointment, users


def _keys_of(attendees: services.Attendees) -> list[str]:
    return [Agenda(user=u).key for u in attendees.users] + [
        Agenda(structure=s).key for s in attendees.structures
    ]


def _attendees(reach: Reach, keys: list[str]) -> services.Attendees:
    chosen = reach.pick(keys)
    return services.Attendees(
        [a.user for a in chosen if a.user is not None],
        [a.structure for a in chosen if a.structure is not None],
    )


def _warn(request: AuthedRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, f"Chevauchement : {warning} Le rendez-vous est tout de même enregistré.")


def _back(appointment: Appointment, keys: list[str]) -> str:
    day = clock.date_of(appointment.starts_at).isoformat()
    return reverse("agenda:calendar") + "?" + urlencode([("date", day), *[("voir", k) for k in keys]])


def create(request: AuthedRequest) -> HttpResponse:
    reach = Reach(request.actor)
    asked = reach.pick(request.GET.getlist("agenda")) or reach.default()
    start = _start_asked(request.GET.get("debut"))
    initial: dict[str, Any] = {
        "starts_at": start,
        "ends_at": start + datetime.timedelta(minutes=30),
        "participants": [a.key for a in asked],
    }
    patient_id = parse_uuid(request.GET.get("patient"))
    if patient_id is not None:
        # Taking an appointment from a dossier: opened through the policy, journaled.
        initial["patient"] = get_dossier(request.actor, patient_id, Perm.VIEW, what="rendez-vous").public_id
    form = AppointmentForm(
        request.POST if request.method == "POST" else None, initial=initial, actor=request.actor, reach=reach
    )
    if request.method == "POST" and form.is_valid():
        appointment = form.save(commit=False)
        keys = form.cleaned_data["participants"]
        try:
            warnings = services.create_appointment(request.actor, appointment, _attendees(reach, keys), reach)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"Le rendez-vous « {appointment.title} » est enregistré.")
            _warn(request, warnings)
            return redirect(safe_next(request, fallback=_back(appointment, keys)))
    return render(request, "agenda/appointment_form.html", {"form": form, "appointment": None})


def _start_asked(value: str | None) -> datetime.datetime:
    """The slot clicked in the grid ("2027-01-12T10:00"), or the next round half hour."""
    try:
        asked = datetime.datetime.fromisoformat(str(value))
        if EARLIEST_DAY <= clock.wall_date(asked) <= LATEST_DAY:
            return clock.at(clock.wall_date(asked), asked.time().replace(second=0, microsecond=0))
    except ValueError:
        pass
    now = clock.now().replace(second=0, microsecond=0)
    return now + datetime.timedelta(minutes=30 - now.minute % 30)


def _errors(form: AppointmentForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def detail(request: AuthedRequest, appointment_id: str) -> HttpResponse:
    """The appointment's page, its form for who may change it (a private one: its people only)."""
    reach = Reach(request.actor)
    appointment, users = _appointment(request, appointment_id, reach)
    details = sees_details(request.actor, appointment, users)
    patient_visible = appointment.patient is not None and can(request.actor, Perm.VIEW, appointment.patient)
    if patient_visible and details:
        journal(
            request.actor, appointment.patient, str(Perm.VIEW), what=f"rendez-vous {appointment.public_id}"
        )
    attendees = services.attendees_of(appointment)
    occurrence = _occurrence_asked(request, appointment)
    initial: dict[str, Any] = {"participants": _keys_of(attendees)}
    if occurrence is not None:  # the form shows the occurrence clicked, not the series' first
        initial.update(starts_at=occurrence.starts_at, ends_at=occurrence.ends_at)
    form = None
    if details:
        form = AppointmentForm(
            request.POST if request.method == "POST" else None,
            instance=appointment,
            initial=initial,
            actor=request.actor,
            reach=reach,
        )
        if not patient_visible and appointment.patient_id is not None:
            # A patient the editor may not see stays as it is, unnamed (the field is not offered).
            del form.fields["patient"]
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None and form.is_valid():
        keys = form.cleaned_data["participants"]
        changes = {name: form.cleaned_data[name] for name in services.EDITABLE if name in form.cleaned_data}
        fresh = Appointment.objects.select_related("patient").get(pk=appointment.pk)
        scope = request.POST.get(
            "portee", services.Scope.ONE if appointment.is_override else services.Scope.ALL
        )
        try:
            if appointment.is_override and scope in (services.Scope.FOLLOWING, services.Scope.ALL):
                fresh, warnings = _from_override(request, reach, fresh, form, changes, keys, scope)
            elif occurrence is not None:
                fresh, warnings = services.edit_occurrence(
                    request.actor,
                    fresh,
                    occurrence.day,
                    changes,
                    _attendees(reach, keys),
                    form.cleaned_data.get("version") or 0,
                    reach,
                    scope=scope,
                )
            else:
                warnings = services.edit_appointment(
                    request.actor,
                    fresh,
                    changes,
                    _attendees(reach, keys),
                    form.cleaned_data.get("version") or 0,
                    reach,
                )
        except services.StaleAppointmentError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Le rendez-vous est mis à jour.")
            _warn(request, warnings)
            return redirect(_back(fresh, keys))
    series_version = (
        Appointment.objects.filter(pk=appointment.series_id or 0).values_list("version", flat=True).first()
        if appointment.is_override and form is not None
        else None
    )
    context = {
        "appointment": appointment,
        "series_version": series_version,
        "details": details,
        "patient_visible": patient_visible,
        "attendees": attendees,
        "form": form,
        "occurrence": occurrence,
        "scopes": services.Scope.CHOICES,
        "scope": request.POST.get("portee", services.Scope.ONE),
        "next": request.GET.get("next", ""),
        "back": _back(appointment, _keys_of(attendees)),
    }
    return render(request, "agenda/appointment_detail.html", context)


def _from_override(
    request: AuthedRequest,
    reach: Reach,
    override: Appointment,
    form: AppointmentForm,
    changes: dict[str, Any],
    keys: list[str],
    scope: str,
) -> tuple[Appointment, list[str]]:
    """An occurrence changed on its own, its page asking for "et les suivantes" or "toute la
    série": the change goes to its series from the occurrence it replaces. Both versions are
    checked (the page showed the occurrence and was given its series' version)."""
    assert override.series_id is not None and override.recurrence_id is not None
    series, _ = _appointment(request, Appointment.objects.get(pk=override.series_id).public_id, reach)
    try:
        series_version = int(request.POST.get("version_serie", ""))
    except ValueError:
        series_version = -1
    if form.cleaned_data.get("version") != override.version:
        raise services.StaleAppointmentError
    return services.edit_occurrence(
        request.actor,
        series,
        clock.date_of(override.recurrence_id),
        changes,
        _attendees(reach, keys),
        series_version,
        reach,
        scope=scope,
    )


def _occurrence_asked(request: AuthedRequest, appointment: Appointment) -> recurrence.Occurrence | None:
    """The occurrence of a series named by the page (`?occurrence=2027-01-12`), if it has one."""
    asked = request.POST.get("occurrence") or request.GET.get("occurrence") or ""
    if not appointment.is_recurring:
        return None
    try:
        day = datetime.date.fromisoformat(asked)
    except ValueError:
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return recurrence.occurrence_on(appointment, day)


def _write(request: AuthedRequest, appointment_id: str) -> tuple[Appointment, int]:
    reach = Reach(request.actor)
    appointment, users = _appointment(request, appointment_id, reach)
    if not sees_details(request.actor, appointment, users):
        raise PermissionDenied
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = -1
    return appointment, expected


def _act(request: AuthedRequest, appointment_id: str, action: str) -> HttpResponse:
    appointment, expected = _write(request, appointment_id)
    done = {
        "annuler": (services.cancel_appointment, "Le rendez-vous est annulé."),
        "retablir": (services.restore_appointment, "Le rendez-vous est rétabli."),
        "supprimer": (services.delete_appointment, "Le rendez-vous est supprimé."),
    }[action]
    try:
        done[0](request.actor, appointment, expected)
    except services.StaleAppointmentError as exc:
        messages.error(request, exc.message)
        return redirect("agenda:detail", appointment_id=appointment.public_id)
    messages.success(request, done[1])
    if action == "supprimer":
        return redirect(_back(appointment, []))
    return redirect("agenda:detail", appointment_id=appointment.public_id)


@require_POST
def cancel(request: AuthedRequest, appointment_id: str) -> HttpResponse:
    return _act(request, appointment_id, "annuler")


@require_POST
def restore(request: AuthedRequest, appointment_id: str) -> HttpResponse:
    return _act(request, appointment_id, "retablir")


@require_POST
def delete(request: AuthedRequest, appointment_id: str) -> HttpResponse:
    return _act(request, appointment_id, "supprimer")


def _start_posted(request: AuthedRequest) -> datetime.datetime:
    """The new start: a day and a time ("Déplacer" form, a drop in the grid), or one `debut`."""
    text = request.POST.get("debut") or f"{request.POST.get('jour', '')}T{request.POST.get('heure', '')}"
    asked = datetime.datetime.fromisoformat(text)
    if not EARLIEST_DAY <= clock.wall_date(asked) <= LATEST_DAY:
        raise ValueError
    return clock.at(clock.wall_date(asked), asked.time().replace(second=0, microsecond=0))


@require_POST
def move(request: AuthedRequest, appointment_id: str) -> HttpResponse:
    """Move to another start (same duration): the "Déplacer" form or a drag in the week or day
    view. One occurrence of a series (`occurrence`) moves alone ("cette occurrence"); through
    the same service as an edit: version check, overlaps warned, journal, notifications."""
    appointment, expected = _write(request, appointment_id)
    fallback = reverse("agenda:detail", kwargs={"appointment_id": appointment.public_id})
    back = safe_next(request, fallback=fallback)
    try:
        starts_at = _start_posted(request)
    except ValueError:
        messages.error(request, "Nouvelle date invalide : indiquez un jour et une heure existants.")
        return redirect(back)
    occurrence = request.POST.get("occurrence", "")
    try:
        if appointment.is_recurring and occurrence:
            try:
                day = datetime.date.fromisoformat(occurrence)
            except ValueError:
                raise ValidationError({"occurrence": services.NO_OCCURRENCE}) from None
            _, warnings = services.move_occurrence(request.actor, appointment, day, starts_at, expected)
        else:
            warnings = services.move_appointment(request.actor, appointment, starts_at, expected)
    except services.StaleAppointmentError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, f"Le rendez-vous est déplacé au {clock.local(starts_at):%d/%m/%Y à %H:%M}.")
        _warn(request, warnings)
    return redirect(back)


@require_POST
def remove_occurrence(request: AuthedRequest, appointment_id: str) -> HttpResponse:
    """Cancel from one occurrence of a series: that one only (RFC 5545 EXDATE), it and the
    following ones (the series ends the day before), or the whole series (`portee`)."""
    appointment, expected = _write(request, appointment_id)
    scope = request.POST.get("portee", services.Scope.ONE)
    try:
        day = datetime.date.fromisoformat(request.POST.get("occurrence", ""))
        services.cancel_occurrences(request.actor, appointment, day, expected, scope=scope)
    except (ValueError, ValidationError):
        messages.error(request, "Ce rendez-vous n'a pas d'occurrence ce jour-là.")
    except services.StaleAppointmentError as exc:
        messages.error(request, exc.message)
    else:
        done = {
            services.Scope.ONE: f"L'occurrence du {day:%d/%m/%Y} est retirée de la série.",
            services.Scope.FOLLOWING: f"La série est annulée à partir du {day:%d/%m/%Y}.",
        }
        messages.success(request, done.get(scope, "La série est annulée."))
        return redirect(reverse("agenda:calendar") + "?" + urlencode({"date": day.isoformat()}))
    return redirect("agenda:detail", appointment_id=appointment.public_id)


def patient_search(request: AuthedRequest) -> HttpResponse:
    """Options for the patient picker: dossiers the actor may see, by name (two letters at least)."""
    typed = next((request.GET.get(key, "") for key in request.GET if key.endswith("_search")), "")
    query = typed_text(request.GET.get("q", typed))
    patients = list(visible_named(request.actor, query).order_by("birth_name", "first_name")[:20])
    return render(request, "agenda/patient_options.html", {"patients": patients, "query": query})


def ics(request: AuthedRequest, appointment_id: str) -> HttpResponse:
    """One appointment as an .ics file, to add to one's own calendar (no patient named)."""
    reach = Reach(request.actor)
    appointment, users = _appointment(request, appointment_id, reach)
    details = sees_details(request.actor, appointment, users) and not appointment.is_private
    calendar = ical.new_calendar("Cordée")
    base = request.build_absolute_uri("/")[:-1]
    # A series travels with its occurrences changed on their own (RECURRENCE-ID); one such
    # occurrence downloaded alone is an appointment of its own.
    overrides = (
        list(
            Appointment.objects.filter(series=appointment, deleted_at__isnull=True).select_related(
                "event_type", "commune", "series"
            )
        )
        if appointment.is_recurring
        else []
    )
    days = {clock.date_of(o.recurrence_id).isoformat() for o in overrides if o.recurrence_id is not None}
    calendar.add_component(
        ical.vevent(appointment, details=details, base_url=base, overridden=days, as_override=False)
    )
    for override in overrides:
        calendar.add_component(
            ical.vevent(override, details=details and not override.is_private, base_url=base)
        )
    response = HttpResponse(ical.finish(calendar), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rendez-vous.ics"'
    return response


def feed_settings(request: AuthedRequest) -> HttpResponse:
    """The personal iCalendar feed: create (or regenerate: the old address stops working), revoke,
    and whether the patient's initials go with the title. The secret address is shown once."""
    holder = FeedToken.objects.filter(user=request.user).first()
    token = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("generer", "regenerer"):
            token = ical.issue_token(request.user.pk)
            holder = FeedToken.objects.get(user=request.user)
            messages.success(
                request,
                "Nouvelle adresse créée : copiez-la maintenant, elle ne sera plus affichée."
                + (" L'ancienne adresse ne fonctionne plus." if action == "regenerer" else ""),
            )
        elif action == "revoquer" and holder is not None:
            ical.revoke_token(request.user.pk)
            holder = None
            messages.success(
                request, "L'adresse du flux est révoquée : les agendas abonnés ne se mettent plus à jour."
            )
            return redirect("agenda:feed_settings")
        elif action == "initiales" and holder is not None:
            holder.show_initials = request.POST.get("initiales") == "oui"
            holder.save(update_fields=["show_initials"])
            messages.success(request, "Préférence enregistrée.")
            return redirect("agenda:feed_settings")
        elif action == "structures" and holder is not None:
            holder.with_structures = request.POST.get("structures") == "oui"
            holder.save(update_fields=["with_structures"])
            messages.success(request, "Préférence enregistrée.")
            return redirect("agenda:feed_settings")
    url = request.build_absolute_uri(reverse("agenda:feed", kwargs={"token": token})) if token else ""
    return render(request, "agenda/feed_settings.html", {"holder": holder, "url": url})


@login_not_required
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's agenda as an iCalendar feed, read-only, opened by its secret alone (calendar
    software cannot sign in). A wrong or revoked secret gets 404, like an unknown page. A poll
    naming the current ETag gets 304 (`agenda.feed`: the body is rebuilt only when it changes)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    holder = ical.holder_of(token)
    if holder is None:
        raise Http404
    base = request.build_absolute_uri("/")[:-1]
    current = feeds.state(holder, base)
    etag = f'"{current.etag}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        built = feeds.build(holder, base, current)
        FeedToken.objects.filter(pk=holder.pk).update(last_used_at=clock.now())
        response = HttpResponse(built.body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="cordee.ics"'
    response["ETag"] = etag
    if current.last_modified is not None:
        response["Last-Modified"] = http_date(current.last_modified.timestamp())
    response["Cache-Control"] = "private, no-cache"
    return response
