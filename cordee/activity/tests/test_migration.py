"""ACT-1, issue 23: the events recorded before the feed read the rights matrix get their section
and their form's theme, and the creation event stops naming its actor (migration 0007, run
forward on rows as the older code wrote them)."""

from __future__ import annotations

import importlib

from django.apps import apps

from cordee.activity.models import Event
from cordee.core.actor import Actor
from cordee.pathways.models import Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.patients.models import Patient


def test_older_events_get_their_section_theme_and_a_creation_without_its_actor(
    dossier: Patient, acting: Actor
) -> None:
    form = make_form(make_questionnaire(theme="handicap"), dossier, {})
    created = Event.objects.get(patient=dossier, kind=Event.Kind.CREATED)
    old = [
        Event.objects.create(
            patient=dossier,
            kind="FORM_CLOSED",
            summary="Formulaire clôturé : X",
            data={"form": str(form.public_id)},
        ),
        Event.objects.create(
            patient=dossier,
            kind="FORM_SAVED",
            summary="Formulaire enregistré : Y",
            data={"form": "pas-un-uuid"},
        ),
        Event.objects.create(
            patient=dossier, kind="THEME_ADDED", summary="Thématique ajoutée au parcours : Handicap"
        ),
        Event.objects.create(
            patient=dossier, kind="HOSPITALISATION_ADDED", summary="Hospitalisation ajoutée : CHU"
        ),
    ]
    Event.objects.filter(pk__in=[created.pk, *(e.pk for e in old)]).update(section="", theme=None)
    Event.objects.filter(pk=created.pk).update(summary="Dossier créé par DAC Test Azur (COORDIN Claire)")

    importlib.import_module("cordee.activity.migrations.0007_feed_sections").forward(apps, None)

    created.refresh_from_db()
    assert (created.summary, created.section) == ("Dossier créé", "IDENTITY")
    closed, saved, theme_added, stay = (Event.objects.get(pk=e.pk) for e in old)
    handicap = Theme.objects.get(code="handicap")
    assert (closed.section, closed.theme) == ("PATHWAYS", handicap)
    assert (saved.section, saved.theme) == ("PATHWAYS", None)  # an unreadable id is left alone
    assert theme_added.theme == handicap  # found by the label its summary names
    assert stay.section == "HOSPITALISATIONS"
