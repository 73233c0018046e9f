"""`make bench`, the notifications part, at tiny scale: the DAC's members hold their notifications,
the fan-out dossier its circle, and the runner prints its BENCH lines and leaves no row behind."""

from __future__ import annotations

import io
import re

import pytest

from bench.generate import generate
from bench.notifications import FANOUT_CIRCLE, run
from bench.notifications import generate as generate_notifications
from cordee.core.models import OutgoingMail
from cordee.notifications.models import Notification


# Transactional: the fan-out runs when the announcing transaction commits, as in the bench.
@pytest.mark.django_db(transaction=True)
def test_the_notifications_bench_lines(reloaded_reference_data: None) -> None:
    region = generate(200, seed=4, out=io.StringIO())
    generate_notifications(300, out=io.StringIO())
    held = Notification.objects.filter(recipient=region.coordinator)
    assert held.count() == 300
    assert held.filter(read_at__isnull=True).count() == 60
    generate_notifications(300, out=io.StringIO())  # kept, not doubled
    assert held.count() == 300
    before = (Notification.objects.count(), OutgoingMail.objects.count())

    out = io.StringIO()
    lines = run(2, out=out)

    assert [line.split()[1] for line in lines] == [
        "notifications_centre",
        "notifications_bell",
        "notify_fanout",
    ]
    assert re.match(
        r"^BENCH notifications_centre n=300 p50_ms=[\d.]+ p95_ms=[\d.]+ .*floor_p95_ms=[\d.]+$", lines[0]
    )
    fanout = re.match(
        r"^BENCH notify_fanout n=(\d+) p50_ms=[\d.]+ p95_ms=[\d.]+ p99_ms=[\d.]+ queries=(\d+)$", lines[2]
    )
    assert fanout is not None and int(fanout.group(1)) >= FANOUT_CIRCLE
    # The mails are queued for the worker (one job), not sent inside the write: sending them
    # would cost three queries a recipient.
    assert int(fanout.group(2)) < 20
    assert (Notification.objects.count(), OutgoingMail.objects.count()) == before
