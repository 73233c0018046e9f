"""ACT-1: the events recorded before the feed read the rights matrix get their section (and a
form's event its theme), so the feed hides them from who may not read them, as it hides the new
ones; the creation event says what happened, the actor being named by the feed (issue 23)."""

from __future__ import annotations

import uuid

from django.db import migrations

SECTION_OF_KIND = {
    "IDENTITY": ["CREATED", "IDENTITY_CHANGED", "IDENTITY_VALIDATED", "MERGED"],
    "STATUS": ["STATUS_CHANGED", "DEATH_DECLARED"],
    "CONSENT": ["CONSENT_GIVEN", "CONSENT_WITHDRAWN"],
    "HOSPITALISATIONS": ["HOSPITALISATION_ADDED", "HOSPITALISATION_CHANGED"],
    "LINKS": ["LINK_ADDED", "LINK_REMOVED"],
    "CIRCLE": ["CIRCLE_CHANGED"],
    "TASKS": ["TASK_CREATED", "TASK_CHANGED"],
    "PATHWAYS": [
        "THEME_ADDED",
        "THEME_REMOVED",
        "FORM_CREATED",
        "FORM_SAVED",
        "FORM_CLOSED",
        "FORM_REOPENED",
        "COCON_INCLUDED",
        "COCON_CHANGED",
        "COCON_ENDED",
    ],
    "DOCUMENTS": ["DOCUMENT_ADDED"],
    "FEED": ["NOTE"],
}
FORM_KINDS = ["FORM_CREATED", "FORM_SAVED", "FORM_CLOSED", "FORM_REOPENED"]
BATCH = 2000


def _form_id(data):  # type: ignore[no-untyped-def]
    try:
        return uuid.UUID(str((data or {}).get("form")))
    except ValueError:
        return None


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Event = apps.get_model("activity", "Event")
    FormResponse = apps.get_model("pathways", "FormResponse")
    Theme = apps.get_model("pathways", "Theme")
    for section, kinds in SECTION_OF_KIND.items():
        Event.objects.filter(kind__in=kinds, section="").update(section=section)
    Event.objects.filter(kind="CREATED", summary__startswith="Dossier créé par ").update(
        summary="Dossier créé"
    )
    # Forms: the theme of the form each event tells of, a batch at a time (set in SQL per theme).
    last = 0
    while True:
        rows = list(
            Event.objects.filter(kind__in=FORM_KINDS, pk__gt=last, theme__isnull=True)
            .order_by("pk")
            .values_list("pk", "data")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1][0]
        wanted = {pk: _form_id(data) for pk, data in rows}
        themes = dict(
            FormResponse.objects.filter(public_id__in={f for f in wanted.values() if f}).values_list(
                "public_id", "theme_id"
            )
        )
        by_theme: dict[int, list[int]] = {}
        for pk, form in wanted.items():
            if form in themes:
                by_theme.setdefault(themes[form], []).append(pk)
        for theme, pks in by_theme.items():
            Event.objects.filter(pk__in=pks).update(theme_id=theme)
    # Themes added or removed: named in the summary.
    for prefix, kind in (
        ("Thématique ajoutée au parcours : ", "THEME_ADDED"),
        ("Thématique retirée du parcours : ", "THEME_REMOVED"),
    ):
        for pk, label in Theme.objects.values_list("pk", "label"):
            Event.objects.filter(kind=kind, summary=prefix + label, theme__isnull=True).update(theme_id=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0006_feed_notes"),
        ("pathways", "0003_questionnaire_max_age_months"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
