"""`make bench`, the national directory part, at tiny scale: the generated extract is in the
published layout and imports cleanly, twice, and the runner prints its two BENCH lines."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bench.annuaire import generate, run
from cordee.directory.annuaire import Line, Rejected, check_extract, read_extract
from cordee.directory.models import DirectoryProfessional

pytestmark = pytest.mark.django_db


def test_the_generated_extract_reads_as_the_published_layout(tmp_path: Path) -> None:
    path = tmp_path / "extract.txt"
    assert generate(path, 500, seed=4) == 500
    assert check_extract(lambda: path.open("rb")) == 500
    items = list(read_extract(lambda: path.open("rb")))
    lines = [item for item in items if isinstance(item, Line)]
    assert len(items) == 500 and len(lines) >= 495
    assert all(
        isinstance(item, Rejected) and "Nom" in item.reason for item in items if not isinstance(item, Line)
    )
    assert len({line.national_id for line in lines}) < len(lines)  # several activities each


def test_the_bench_lines() -> None:
    out = io.StringIO()
    lines = run(300, out=out, isolated=False)
    assert [line.split()[1] for line in lines] == ["annuaire_import", "annuaire_reimport"]
    for line in lines:
        assert re.fullmatch(r"BENCH annuaire_\w+ rows=300 seconds=[\d.]+ peak_mb=\d+", line)
    assert DirectoryProfessional.objects.exists()
