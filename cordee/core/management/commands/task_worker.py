from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("cordee.worker")


def requeue_orphans(worker_id: str) -> int:
    """Tasks this worker held when it was killed (SIGKILL, a machine's death) go back to the queue:
    restarted under the same id, it runs them again. Cordée's tasks are written to be run twice
    safely (mails are claimed row by row, imports are idempotent)."""
    running = DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids")
    mine = [task.pk for task in running if task.worker_ids and task.worker_ids[-1] == worker_id]
    return DBTaskResult.objects.filter(pk__in=mine, status="RUNNING").update(status="READY", started_at=None)


class Command(BaseCommand):
    help = (
        "Le worker des tâches de Cordée (courriels, imports…) : celui de django-tasks-db, qui reprend "
        "les tâches qu'il tenait quand il a été arrêté brutalement et survit à un redémarrage de la base."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        slot = os.environ.get("CORDEE_WORKER_SLOT", "1")
        parser.add_argument(
            "--worker-id",
            default=os.environ.get("CORDEE_WORKER_ID", f"{socket.gethostname()}-{slot}"),
            help="identifiant stable et unique de ce worker (défaut : <machine>-$CORDEE_WORKER_SLOT)",
        )
        parser.add_argument("--interval", type=float, default=1.0, help="secondes entre deux recherches")
        parser.add_argument("--queue-name", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=options["worker_id"][:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        while True:
            try:
                taken_back = requeue_orphans(worker.worker_id)
                if taken_back:
                    logger.warning("%s tâche(s) interrompue(s) remise(s) en file", taken_back)
                worker.run()
                return
            except (OperationalError, InterfaceError) as exc:
                # The database restarts or fails over: wait for it rather than die with it.
                logger.warning("base de données injoignable (%s) : nouvel essai dans 2 s", type(exc).__name__)
                close_old_connections()
                time.sleep(2)
