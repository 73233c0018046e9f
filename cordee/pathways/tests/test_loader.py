"""PAR-2: questionnaires loaded from JSON files, versioned: a changed file publishes a new
version, an unchanged one nothing; forms filled against v1 stay readable after v2."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cordee.pathways import services
from cordee.pathways.definition import DefinitionError
from cordee.pathways.loader import SHIPPED, load_file, load_shipped
from cordee.pathways.models import FormResponse, Questionnaire, QuestionnaireVersion
from cordee.pathways.testing import SIMPLE_DEFINITION
from cordee.pathways.tests.conftest import form_url, new_url, page_of, url

pytestmark = pytest.mark.django_db


def _write(directory: Path, definition: dict[str, Any], **extra: Any) -> Path:
    path = directory / "suivi.json"
    data = {
        "code": "suivi-test",
        "title": "Suivi de test",
        "theme": "principal",
        "definition": definition,
        **extra,
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_shipped_questionnaires_load_and_reload_without_new_versions() -> None:
    first = load_shipped()
    assert {row.code for row in first} >= {"evaluation-situation", "compte-rendu-rdv"}
    assert all(row.created and row.version == 1 for row in first)
    again = load_shipped()
    assert [(row.code, row.version, row.created) for row in again] == [
        (row.code, row.version, False) for row in first
    ]
    assert QuestionnaireVersion.objects.count() == len(first)
    evaluation = Questionnaire.objects.get(code="evaluation-situation")
    assert evaluation.title == "Évaluation de la situation" and evaluation.theme.code == "principal"
    version = evaluation.current_version()
    assert version is not None and version.is_published
    assert version.parsed().by_link["nb_chutes"].enable_when[0].question == "chutes"


def test_every_shipped_file_is_a_valid_definition() -> None:
    directories: list[Path] = list(SHIPPED) if isinstance(SHIPPED, list | tuple) else [SHIPPED]
    paths = sorted(path for directory in directories for path in directory.glob("*.json"))
    assert paths
    for path in paths:
        load_file(path)  # raises DefinitionError otherwise


def test_a_changed_file_publishes_a_new_version(tmp_path) -> None:
    path = _write(tmp_path, SIMPLE_DEFINITION)
    assert load_file(path).version == 1
    changed = copy.deepcopy(SIMPLE_DEFINITION)
    changed["items"][1]["max"] = 300
    path = _write(tmp_path, changed, title="Suivi de test (révisé)")
    loaded = load_file(path)
    assert (loaded.version, loaded.created) == (2, True)
    questionnaire = Questionnaire.objects.get(code="suivi-test")
    assert questionnaire.title == "Suivi de test (révisé)"
    assert list(questionnaire.versions.values_list("number", flat=True)) == [2, 1]
    assert questionnaire.current_version().number == 2  # type: ignore[union-attr]
    # Same content, keys in another order: not a change.
    reordered = {"items": [dict(reversed(list(item.items()))) for item in changed["items"]]}
    assert load_file(_write(tmp_path, reordered)).created is False


def test_an_invalid_file_is_refused_with_its_name_and_creates_nothing(tmp_path) -> None:
    path = _write(tmp_path, {"items": [{"linkId": "a", "type": "nope", "text": "A"}]})
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    assert caught.value.problems[0].startswith("suivi.json : ")
    assert not Questionnaire.objects.filter(code="suivi-test").exists()


def test_the_management_command(tmp_path) -> None:
    _write(tmp_path, SIMPLE_DEFINITION)
    out = StringIO()
    call_command("load_questionnaires", "--directory", str(tmp_path), stdout=out)
    assert "suivi-test : v1 (nouvelle version)" in out.getvalue()
    out = StringIO()
    call_command("load_questionnaires", "--directory", str(tmp_path), stdout=out)
    assert "suivi-test : v1 (inchangé)" in out.getvalue()
    _write(tmp_path, {"items": []})
    with pytest.raises(CommandError, match=r"suivi\.json"):
        call_command("load_questionnaires", "--directory", str(tmp_path), stdout=StringIO())


def test_a_form_filled_against_v1_stays_readable_after_v2(tmp_path, acting, actor, dossier) -> None:
    load_file(_write(tmp_path, SIMPLE_DEFINITION))
    v1 = QuestionnaireVersion.objects.get(questionnaire__code="suivi-test", number=1)
    filled = {
        "q-date_consultation": "01/03/2026",
        "q-poids": "12,5",
        "q-taille": "90",
        "q-suivi": "oui",
        "q-suivi_detail": "CAMSP",
    }
    draft = services.save_form(actor, dossier, v1, v1.questionnaire.theme, filled, {}).response
    closed = services.save_form(actor, dossier, v1, v1.questionnaire.theme, filled, {}, closing=True).response
    assert draft is not None and closed is not None
    # v2 drops "suivi_detail", renames nothing else and adds a question.
    changed = copy.deepcopy(SIMPLE_DEFINITION)
    changed["items"] = [item for item in changed["items"] if item["linkId"] != "suivi_detail"]
    changed["items"].append({"linkId": "remarque", "type": "text", "text": "Remarque nouvelle"})
    assert load_file(_write(tmp_path, changed)).version == 2
    # The closed form reads with its own version: "Par qui ?" and its answer are still there.
    page = page_of(acting.get(form_url(dossier, closed)))
    assert "version 1 du questionnaire" in page and "Par qui ?" in page and "CAMSP" in page
    assert "Remarque nouvelle" not in page
    history = page_of(acting.get(url("history", dossier, form_id=closed.public_id), {"voir": 1}))
    assert "CAMSP" in history
    # The draft is still edited against v1 and saves against v1.
    edit = page_of(acting.get(form_url(dossier, draft)))
    assert "Version 1 du questionnaire" in edit and 'name="q-suivi_detail"' in edit
    response = acting.post(
        form_url(dossier, draft), {**filled, "version": "1", "action": "save", "q-poids": "13"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.questionnaire_version == v1 and draft.answers["suivi_detail"] == "CAMSP"
    # A new form is opened against v2.
    page = page_of(acting.get(new_url(dossier, v1)))
    assert "Version 2 du questionnaire" in page and "Remarque nouvelle" in page
    acting.post(new_url(dossier, v1), {"version": "0", "action": "save", "q-remarque": "ok"})
    newest = FormResponse.objects.filter(patient=dossier).order_by("-pk").first()
    assert newest is not None and newest.questionnaire_version.number == 2
