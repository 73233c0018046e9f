"""`make bench`, the requests to the DAC (issue 19), at tiny scale: the requests spread over the
region's resource teams, the DAC receiving its share, one professional sending many (their "Mes
demandes"), and the runner prints its three BENCH lines with one query count per scenario
whatever the variant."""

from __future__ import annotations

import io
import re

import pytest

from bench.generate import generate
from bench.referrals import generate as generate_requests
from bench.referrals import run, the_dac, the_requester
from cordee.referrals.models import Counter, Referral

pytestmark = pytest.mark.django_db


def test_the_requests_and_their_bench_lines() -> None:
    generate(200, seed=3, out=io.StringIO())
    generate_requests(300, 120, 40, out=io.StringIO())
    dac, _ = the_dac()
    requester, structure = the_requester()
    assert Referral.objects.count() == 300
    assert Referral.objects.filter(team=dac).count() == 120
    assert Referral.objects.values("team").distinct().count() > 2
    # Numbered in the order they were sent, and the counter goes on from the last.
    numbers = list(Referral.objects.order_by("created_at", "id").values_list("number", flat=True))
    assert numbers == sorted(numbers) and Counter.objects.get(pk=1).last == max(numbers)
    assert Referral.objects.filter(patient__isnull=False).exists()
    assert Referral.objects.filter(patient__isnull=True, birth_name="").exists()
    assert Referral.objects.filter(team=dac, commune__zones__isnull=False).exists()
    # The requester's share, drawn among the others' (teams, dates and kinds as theirs).
    theirs = Referral.objects.filter(requester=requester)
    assert theirs.count() == 40 and theirs.values("team").distinct().count() > 1
    assert set(theirs.values_list("requester_structure", flat=True)) == {structure.pk}
    generate_requests(300, 120, 40, out=io.StringIO())  # idempotent
    assert Referral.objects.count() == 300 and theirs.count() == 40
    generate_requests(300, 120, 60, out=io.StringIO())  # a region generated before: topped up
    assert Referral.objects.count() == 300 and theirs.count() == 60

    printed = io.StringIO()
    lines = run(3, out=printed)
    # One query count per scenario, whatever the variant (page, sort, zone, steps, dates).
    assert len(re.findall(r"queries \[\d+\]", printed.getvalue())) == 3, printed.getvalue()
    number = r"[\d.]+"
    names = ["requests_dashboard", "requests_dashboard_filtered", "requests_mine"]
    assert [line.split()[1] for line in lines] == names
    for line, held in zip(lines, [120, 120, 60], strict=True):
        timings = rf"p50_ms={number} p95_ms={number} p99_ms={number}"
        assert re.fullmatch(rf"BENCH \w+ n={held} {timings} queries=\d+ floor_p95_ms={number}", line), line
