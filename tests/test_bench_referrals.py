"""`make bench`, the requests to the DAC (issue 19), at tiny scale: the requests spread over the
region's resource teams, the DAC receiving its share, and the runner prints its two BENCH lines
with one query count per scenario whatever the variant."""

from __future__ import annotations

import io
import re

import pytest

from bench.generate import generate
from bench.referrals import generate as generate_requests
from bench.referrals import run, the_dac
from cordee.referrals.models import Counter, Referral

pytestmark = pytest.mark.django_db


def test_the_requests_and_their_bench_lines() -> None:
    generate(200, seed=3, out=io.StringIO())
    generate_requests(300, 120, out=io.StringIO())
    dac, _ = the_dac()
    assert Referral.objects.count() == 300
    assert Referral.objects.filter(team=dac).count() == 120
    assert Referral.objects.values("team").distinct().count() > 2
    # Numbered in the order they were sent, and the counter goes on from the last.
    numbers = list(Referral.objects.order_by("created_at", "id").values_list("number", flat=True))
    assert numbers == sorted(numbers) and Counter.objects.get(pk=1).last == max(numbers)
    assert Referral.objects.filter(patient__isnull=False).exists()
    assert Referral.objects.filter(patient__isnull=True, birth_name="").exists()
    assert Referral.objects.filter(team=dac, commune__zones__isnull=False).exists()
    generate_requests(300, 120, out=io.StringIO())  # idempotent
    assert Referral.objects.count() == 300

    printed = io.StringIO()
    lines = run(3, out=printed)
    # One query count per scenario, whatever the variant (page, sort, zone, steps, dates).
    assert len(re.findall(r"queries \[\d+\]", printed.getvalue())) == 2, printed.getvalue()
    number = r"[\d.]+"
    assert [line.split()[1] for line in lines] == ["requests_dashboard", "requests_dashboard_filtered"]
    for line in lines:
        timings = rf"p50_ms={number} p95_ms={number} p99_ms={number}"
        assert re.fullmatch(rf"BENCH \w+ n=120 {timings} queries=\d+ floor_p95_ms={number}", line), line
