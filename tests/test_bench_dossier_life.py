"""`make bench`, the dossier's life (issue 15), at tiny scale: the big dossier gets its events,
notes, memos, tasks and stays spread over two years, and the runner prints its four BENCH lines
with one query count per scenario whatever the variant."""

from __future__ import annotations

import io
import re

import pytest

from bench.documents import big_dossier
from bench.dossier_life import generate as generate_life
from bench.dossier_life import run
from bench.generate import generate
from cordee.activity.models import Event, Note
from cordee.memos.models import Memo
from cordee.patients.models import Hospitalisation

pytestmark = pytest.mark.django_db


def test_the_dossier_life_and_its_bench_lines() -> None:
    generate(200, seed=3, out=io.StringIO())
    generate_life(400, 40, 9, out=io.StringIO())
    patient, _ = big_dossier()
    assert Event.objects.filter(patient=patient, summary__contains="bench").count() == 360
    assert Note.objects.filter(event__patient=patient).count() == 40
    assert Event.objects.filter(patient=patient, importance=Event.Importance.VERY_IMPORTANT).count() == 4
    assert Memo.objects.filter(patient=patient).values("visibility").distinct().count() == 3
    assert Hospitalisation.objects.filter(patient=patient).exists()
    generate_life(400, 40, 9, out=io.StringIO())  # idempotent
    assert Note.objects.filter(event__patient=patient).count() == 40

    lines = run(3, out=io.StringIO())
    number = r"[\d.]+"
    names = ["feed_dossier", "feed_dossier_very_important", "memos_dossier", "lifeline_year"]
    assert [line.split()[1] for line in lines] == names
    for line in lines:
        timings = rf"p50_ms={number} p95_ms={number} p99_ms={number}"
        assert re.fullmatch(rf"BENCH \w+ n=\d+ {timings} queries=\d+ floor_p95_ms={number}", line), line
    assert "n=9 " in lines[2]
