"""`make bench`, the documents part, at tiny scale: the documents land on the region's dossiers
(the big dossier holding its share), the tab answers with one query count whatever the variant,
and the runner prints its three BENCH lines, the upload having stored its file."""

from __future__ import annotations

import io
import re

import pytest

from bench.documents import big_dossier, run
from bench.documents import generate as generate_documents
from bench.generate import generate
from cordee.documents.models import Document

pytestmark = pytest.mark.django_db


def test_the_documents_and_their_bench_lines(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    generate(200, seed=3, out=io.StringIO())
    generate_documents(600, 150, seed=5, out=io.StringIO())
    patient, _ = big_dossier()
    assert Document.objects.count() == 600
    assert Document.objects.filter(patient=patient).count() >= 150
    assert Document.objects.filter(patient=patient, visibility=Document.Visibility.SHARED).exists()

    lines = run(3, out=io.StringIO(), isolated=False, upload_mb=2)
    number = r"[\d.]+"
    for name, line in zip(("documents_dossier", "documents_dossier_filtered"), lines, strict=False):
        timings = rf"p50_ms={number} p95_ms={number} p99_ms={number}"
        assert re.fullmatch(rf"BENCH {name} n=600 {timings} queries=\d+ floor_p95_ms={number}", line), line
    assert re.fullmatch(rf"BENCH document_upload_2mb seconds={number} peak_mb=\d+ added_mb=-?\d+", lines[2])
    uploaded = Document.objects.get(title="Imagerie (bench)")
    assert uploaded.size == 2 * 1024 * 1024 + len(b"%PDF-1.7\n")
    assert (tmp_path / uploaded.file.name).stat().st_size == uploaded.size
