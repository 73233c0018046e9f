"""`make bench`, the FHIR Bulk Data part, at tiny scale: the DAC's Group is exported through the
kick-off and the status URL, every dossier of the Group with its circle and its tasks, the runner
prints its BENCH line and removes the export's files."""

from __future__ import annotations

import io
import re

import pytest

from bench.api import run
from bench.generate import generate
from cordee.api.bulk import group_dossiers
from cordee.api.models import BulkExport
from cordee.core.actor import Actor
from cordee.tasks.models import Task

# Transactional: the kick-off's commit hands the export to the (inline) task backend, as in
# `make bench`; inside a test's transaction it would wait for a commit that never comes.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dac_s_group_export_and_its_bench_line(reloaded_reference_data, settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    settings.CORDEE_BULK_EXPORT_CHUNK = 7  # several chunks even at this scale
    region = generate(200, seed=3, out=io.StringIO())
    coordinator = region.coordinator
    actor = Actor(user=coordinator, membership=coordinator.memberships.get())
    dossiers = group_dossiers(actor)
    assert dossiers.count() > 7

    (line,) = run(out=io.StringIO(), isolated=False)
    assert re.fullmatch(r"BENCH fhir_bulk_export resources=\d+ seconds=[\d.]+ peak_mb=\d+", line)
    # The coordinator holds every right on her DAC's dossiers: each one's Patient, CareTeam, Tasks.
    expected = 2 * dossiers.count() + Task.objects.filter(patient__in=dossiers).count()
    assert int(line.split("resources=")[1].split()[0]) == expected
    export = BulkExport.objects.get()
    assert export.status == BulkExport.Status.CANCELLED and export.outputs == []
    assert export.dossiers_done == dossiers.count()
    assert not [path for path in tmp_path.rglob("*.ndjson")]
