"""`make bench`, the agenda part (issue 18), at tiny scale: the region's appointments with the
DAC's team of 20, series among them, and the runner's two BENCH lines through the real views."""

from __future__ import annotations

import io
import re

import pytest

from bench.agenda import MEMBERS, run
from bench.agenda import generate as generate_agenda
from bench.generate import existing_region, generate
from cordee.agenda.models import Appointment, Participant
from cordee.agenda.recurrence import last_end

pytestmark = pytest.mark.django_db


def test_the_agenda_and_its_bench_lines() -> None:
    generate(200, seed=5, out=io.StringIO())
    generate_agenda(3000, out=io.StringIO())
    region = existing_region()
    assert region is not None
    assert Appointment.objects.count() == 3000
    dac_rows = Participant.objects.filter(user__memberships__structure=region.big_structure)
    assert dac_rows.values("user").distinct().count() == MEMBERS
    assert Participant.objects.filter(structure=region.big_structure, user__isnull=True).exists()
    series = Appointment.objects.exclude(repeat="")
    assert series.exists() and series.filter(repeat_until__isnull=False).exists()
    for appointment in series[:20]:
        assert appointment.last_ends_at == last_end(appointment)
    assert Appointment.objects.filter(status=Appointment.Status.CANCELLED).exists()
    assert not Participant.objects.filter(appointment__deleted_at__isnull=False, is_live=True).exists()
    # Sequences follow the COPY: the application's next appointment gets a fresh key.
    first = Appointment.objects.select_related("event_type").order_by("pk").first()
    assert first is not None
    copy = Appointment.objects.create(
        title="Après",
        event_type=first.event_type,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        last_ends_at=first.ends_at,
    )
    assert copy.pk > first.pk
    generate_agenda(3000, out=io.StringIO())  # kept, not doubled
    assert Appointment.objects.count() == 3001

    lines = run(3, out=io.StringIO())
    number = r"[\d.]+"
    assert [line.split()[1] for line in lines] == [
        "agenda_week_structure",
        "ical_feed_year",
        "ical_feed_year_cold",
    ]
    assert re.fullmatch(rf"BENCH ical_feed_year_cold n=\d+ p50_ms={number} p95_ms={number}", lines.pop())
    for line in lines:
        timings = rf"p50_ms={number} p95_ms={number} p99_ms={number}"
        assert re.fullmatch(rf"BENCH \w+ n=\d+ {timings} queries=\d+ floor_p95_ms={number}", line), line
    assert lines[0].startswith("BENCH agenda_week_structure n=3001 ")
