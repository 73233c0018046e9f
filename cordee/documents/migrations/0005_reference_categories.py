"""Reference data (ACT-4): the DMP's document classes and types, plus "Coordination"
(data/document_categories.json, sources in data/SOURCES.md); the documents already attached to
forms and tasks get a category, a title, a date and a lineage of their own."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parents[3] / "data" / "document_categories.json"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("documents", "DocumentCategory")
    Type = apps.get_model("documents", "DocumentType")
    Document = apps.get_model("documents", "Document")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    systems = data["systems"]
    for order, entry in enumerate(data["categories"], start=1):
        category, _ = Category.objects.get_or_create(
            code=entry["code"],
            defaults={
                "label": entry["label"],
                "system": systems[entry["system"]],
                "source": data["source"] if entry["system"] == "class" else "Cordée (rubrique du livret)",
                "source_version": data["source_version"] if entry["system"] == "class" else "",
                "ordering": order * 10,
                "is_restricted": entry["restricted"],
            },
        )
        for type_order, (system, code, label) in enumerate(entry["types"], start=1):
            Type.objects.get_or_create(
                category=category,
                system=systems[system],
                code=code,
                defaults={"label": label, "ordering": type_order * 10},
            )
    coordination = Category.objects.get(code="COORDINATION")
    by_source = {
        "FORM": Type.objects.get(category=coordination, code="PIECE-FORMULAIRE"),
        "TASK": Type.objects.get(category=coordination, code="PIECE-TACHE"),
    }
    paris = timezone.get_default_timezone()
    for document in Document.objects.filter(category__isnull=True):
        document.category = coordination
        document.doc_type = by_source.get(document.source)
        document.title = document.title or document.name
        document.document_date = timezone.localdate(document.created_at, paris)
        document.lineage = document.public_id
        document.save(update_fields=["category", "doc_type", "title", "document_date", "lineage"])


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_documents_space")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
