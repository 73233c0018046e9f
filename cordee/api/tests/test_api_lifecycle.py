"""INT-1: a task's whole life driven through the API only, from what its OpenAPI schema says."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cordee.api.testing import bearer_client, make_token

pytestmark = pytest.mark.django_db


def test_a_task_lifecycle_read_from_the_schema(coordinator, structure, dossier) -> None:
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    schema = bearer_client("").get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    search = next(
        p for p, ops in paths.items() if ops.get("get", {}).get("summary") == "Rechercher dans la file active"
    )
    tasks = next(p for p, ops in paths.items() if ops.get("post", {}).get("summary") == "Créer une tâche")
    status = next(p for p in paths if p.endswith("/statut"))
    assert {"label", "type", "level", "due_at"} <= set(schema["components"]["schemas"]["TaskIn"]["required"])

    found = client.get(search, {"nom": dossier.birth_name}).json()["results"]
    dossier_id = found[0]["id"]
    due = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    task = client.post(
        tasks.format(dossier_id=dossier_id),
        {"label": "Organiser la sortie", "type": "Relance", "level": "Information", "due_at": due},
        content_type="application/json",
    )
    assert task.status_code == 201, task.content
    task = task.json()
    seen = [task["status"]]
    for target in ("IN_PROGRESS", "DONE"):
        answer = client.post(
            status.format(dossier_id=dossier_id, task_id=task["id"]),
            {"status": target, "version": task["version"]},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        task = answer.json()
        seen.append(task["status"])
    assert seen == ["TODO", "IN_PROGRESS", "DONE"]
    listed = client.get(tasks.format(dossier_id=dossier_id)).json()["results"]
    assert [(t["label"], t["status"], t["version"]) for t in listed] == [("Organiser la sortie", "DONE", 3)]
