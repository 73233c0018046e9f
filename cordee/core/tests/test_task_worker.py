"""Issue 22: the task worker takes back, when restarted under its id, the tasks it held when it was
killed — and only those; the others' stay theirs."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cordee.core.management.commands.task_worker import requeue_orphans

pytestmark = pytest.mark.django_db


def _task(status: str, worker_ids: list[str]) -> DBTaskResult:  # type: ignore[type-arg]
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [[1]], "kwargs": {}},
        task_path="cordee.core.mail.send_mails",
        worker_ids=worker_ids,
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() if status == "RUNNING" else None,
    )


def test_a_restarted_worker_takes_back_only_its_own_interrupted_tasks() -> None:
    mine = _task("RUNNING", ["machine-2", "machine-1"])
    theirs = _task("RUNNING", ["machine-1", "machine-2"])  # claimed last by another worker
    done = _task("SUCCESSFUL", ["machine-1"])
    assert requeue_orphans("machine-1") == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    done.refresh_from_db()
    assert (mine.status, mine.started_at) == ("READY", None)
    assert theirs.status == "RUNNING" and done.status == "SUCCESSFUL"
    assert requeue_orphans("machine-1") == 0
