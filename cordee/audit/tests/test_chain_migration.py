"""Issue 22: migrations run forward on real data — a journal written before the seal existed is
sealed by migration 0004, in the order it was written, and verifies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cordee.accounts.models import User
from cordee.audit import chain
from cordee.audit.models import Access

BEFORE = [("audit", "0003_append_only")]


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "audit"]


# Migrations run outside a test transaction. No reference data needed (a flush ends the test).
@pytest.mark.usefixtures("transactional_db")
def test_the_journal_written_before_the_seal_is_sealed_and_verifies() -> None:
    coordinator = User.objects.create(username="avant.le.sceau")
    latest = _latest()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("audit", "Access")
        for n in range(5):
            old.objects.create(
                at=timezone.now(), user_id=coordinator.pk, action="view", what=f"avant {n}", outcome="ALLOWED"
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    sealed = list(Access.objects.filter(what__startswith="avant").order_by("id"))
    assert [(row.chain, row.seq) for row in sealed] == [(0, n) for n in range(1, 6)]
    assert chain.verify().intact
    # New rows follow the sealed ones on their chain.
    Access.objects.create(user=coordinator, action="view", what="après", outcome="ALLOWED")
    assert chain.verify().intact
