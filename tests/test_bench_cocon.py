"""`make bench`, the Cocon part, at tiny scale: the cohort is coherent (calendar, closed
notebooks that validate against their definition) and the runner prints its three BENCH lines."""

from __future__ import annotations

import io
import re

import pytest

from bench.cocon import generate as generate_cohort
from bench.cocon import run
from bench.generate import generate
from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.pathways.models import FormResponse, FormStatus

pytestmark = pytest.mark.django_db


def test_the_cohort_and_its_bench_lines() -> None:
    generate(200, seed=3, out=io.StringIO())
    out = io.StringIO()
    generate_cohort(40, 120, seed=5, out=out)
    assert Inclusion.objects.count() == 40
    assert ScheduledStep.objects.count() == 40 * 11
    closed = FormResponse.objects.filter(status=FormStatus.CLOSED, patient__cocon_inclusion__isnull=False)
    assert 0 < closed.count() <= 120
    # Every step marked done points at a closed notebook of that step, on its consultation date.
    for step in ScheduledStep.objects.filter(done_on__isnull=False).select_related(
        "form__questionnaire_version__questionnaire"
    )[:50]:
        assert step.form is not None and step.form.status == FormStatus.CLOSED
        assert step.form.questionnaire_version.questionnaire.code == step.step
        assert step.done_on is not None and step.form.answers["date_consultation"] == step.done_on.isoformat()
    # The notebooks' answers come from an autofilled post the engine accepted at closing: every
    # key is an item of the definition, the required ones are there.
    for form in closed.select_related("questionnaire_version")[:20]:
        definition = form.questionnaire_version.parsed()
        top_level = {item.link_id for item in definition.walk()}
        assert set(form.answers) <= top_level
        assert "date_consultation" in form.answers

    lines = run(3, out=io.StringIO(), isolated=False)
    assert re.fullmatch(r"BENCH cocon_export_csv rows=\d+ seconds=[\d.]+ peak_mb=\d+", lines[0])
    assert re.fullmatch(r"BENCH cocon_export_xlsx rows=\d+ seconds=[\d.]+ peak_mb=\d+", lines[1])
    assert re.fullmatch(
        r"BENCH cocon_dashboard n=40 p50_ms=[\d.]+ p95_ms=[\d.]+ p99_ms=[\d.]+ queries=\d+ "
        r"floor_p95_ms=[\d.]+",
        lines[2],
    )
    assert int(lines[0].split("rows=")[1].split()[0]) == closed.count()
