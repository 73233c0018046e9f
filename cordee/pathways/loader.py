"""PAR-2: questionnaires shipped as JSON files with the project (``questionnaires/*.json``).

Loading is idempotent: a questionnaire whose file changed gets a new published version; forms
filled against the earlier versions keep them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cordee.pathways.definition import DefinitionError, parse_definition
from cordee.pathways.models import Questionnaire, QuestionnaireVersion, Theme, definition_hash

# The engine's own questionnaires, then each programme's (the Cocon notebooks).
SHIPPED = [
    Path(__file__).resolve().parent / "questionnaires",
    Path(__file__).resolve().parent.parent / "cocon" / "notebooks",
]


@dataclass(frozen=True)
class Loaded:
    code: str
    version: int
    created: bool


def load_file(path: Path) -> Loaded:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    try:
        parse_definition(data.get("definition"))
    except DefinitionError as exc:
        raise DefinitionError([f"{path.name} : {problem}" for problem in exc.problems]) from exc
    theme = Theme.objects.filter(code=data.get("theme")).first()
    if theme is None or not data.get("code") or not data.get("title"):
        raise DefinitionError(
            [f"{path.name} : « code », « title » et une thématique existante (« theme ») sont requis."]
        )
    with transaction.atomic():
        questionnaire, _ = Questionnaire.objects.update_or_create(
            code=data["code"],
            defaults={
                "title": data["title"],
                "theme": theme,
                "ordering": data.get("ordering", 100),
                "max_age_months": data.get("max_age_months"),
            },
        )
        versions = QuestionnaireVersion.objects.select_for_update().filter(questionnaire=questionnaire)
        latest = versions.filter(published_at__isnull=False).order_by("-number").first()
        if latest is not None and latest.digest == definition_hash(data["definition"]):
            return Loaded(code=questionnaire.code, version=latest.number, created=False)
        number = (versions.aggregate(top=Max("number"))["top"] or 0) + 1
        QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            number=number,
            definition=data["definition"],
            notes=data.get("notes", ""),
            published_at=timezone.now(),
        )
    return Loaded(code=questionnaire.code, version=number, created=True)


def load_shipped(directories: list[Path] | None = None) -> list[Loaded]:
    return [
        load_file(path)
        for directory in (SHIPPED if directories is None else directories)
        for path in sorted(directory.glob("*.json"))
    ]
