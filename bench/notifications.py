"""`make bench`, the notifications part (NOT-1): a loaded notification centre, and the fan-out.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.notifications generate [--each 20000]
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.notifications run [--requests 200]

`generate`, on top of the benchmark region: every member of the DAC holds `--each`
notifications (a fifth unread) about dossiers they follow, over the last year; one dossier of
the DAC gets a circle of FANOUT_CIRCLE habilitated professionals. Lines printed by `run`:

    BENCH notifications_centre n=<notifications> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n> floor_p95_ms=<x>
    BENCH notify_fanout n=<circle> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n>

`notifications_centre`: the centre's first page and the bell, through the views (goal: p95 ≤ 100
ms and the floor rule of `bench.run`). `notify_fanout`: an event on that dossier told to its
circle, from the write to the notifications and their mails committed (goal: p95 ≤ 25 ms); the
rows it writes are removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
import uuid
from typing import TextIO

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bench.cocon import _json
from bench.generate import _next_id, _reset_sequences, existing_region, load
from bench.run import Scenario, measure, percentile
from cordee.accounts.models import Membership, User
from cordee.careteam.access import visible_dossiers
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.core.models import OutgoingMail
from cordee.notifications.kinds import CATALOGUE, Kind
from cordee.notifications.models import Notification
from cordee.notifications.services import announce
from cordee.patients.models import Patient

EACH = 20_000
FANOUT_CIRCLE = 40
PRODUCTION_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
GOAL_CENTRE_MS = 100.0
GOAL_FANOUT_MS = 25.0
FANOUT_USER_PREFIX = "bench-cercle-"
DOSSIER_KINDS = [kind for kind, event in CATALOGUE.items() if event.section is not None]


def _members() -> list[User]:
    region = existing_region()
    if region is None:
        raise SystemExit("No benchmark region in this database: run `python -m bench.generate` first.")
    return list(
        User.objects.filter(
            memberships__structure=region.big_structure, memberships__is_active=True
        ).order_by("pk")
    )


def generate(each: int = EACH, *, seed: int = 11, out: TextIO = sys.stdout) -> None:
    """Idempotent: a member who already holds notifications keeps them."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data
    now = timezone.now()
    for user in _members():
        if Notification.objects.filter(recipient=user).exists():
            continue
        membership = user.memberships.filter(is_active=True).select_related("structure").first()
        dossiers = list(visible_dossiers(Actor(user, membership)).values_list("pk", flat=True)[:2000])
        if not dossiers:
            continue
        via = membership.structure_id if membership else None
        rows = []
        next_id = _next_id(Notification)
        for n in range(each):
            created = now - datetime.timedelta(seconds=rng.uniform(0, 365 * 24 * 3600))
            rows.append(
                (
                    next_id + n,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    user.pk,
                    rng.choice(DOSSIER_KINDS),
                    rng.choice(dossiers),
                    via,
                    None,
                    None,
                    _json({"label": f"Tâche {n}"}),
                    created,
                    None if n % 5 == 0 else created + datetime.timedelta(hours=1),
                )
            )
        load(
            Notification,
            [
                "id",
                "public_id",
                "recipient",
                "kind",
                "patient",
                "via_structure",
                "author",
                "author_structure",
                "data",
                "created_at",
                "read_at",
            ],
            rows,
        )
        _reset_sequences(Notification)
        print(f"{each} notifications for {user.username}", file=out, flush=True)
    _fanout_circle(out)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {Notification._meta.db_table}")


def _fanout_dossier() -> Patient:
    region = existing_region()
    assert region is not None
    membership = region.coordinator.memberships.select_related("structure").get()
    return visible_dossiers(Actor(region.coordinator, membership)).order_by("pk").first()  # type: ignore[return-value]


def _fanout_circle(out: TextIO) -> None:
    dossier = _fanout_dossier()
    live = CircleMember.objects.filter(patient=dossier, removed_at__isnull=True, is_habilitated=True)
    missing = FANOUT_CIRCLE - live.count()
    for n in range(max(missing, 0)):
        user, _ = User.objects.get_or_create(
            username=f"{FANOUT_USER_PREFIX}{n}",
            defaults={"last_name": f"Cercle{n}", "first_name": "Bench", "email": f"cercle{n}@example.org"},
        )
        CircleMember.objects.get_or_create(
            patient=dossier, user=user, removed_at=None, defaults={"is_habilitated": True}
        )
    print(f"fan-out dossier: {live.count()} habilitated members in its circle", file=out, flush=True)


def run(requests: int = 200, *, out: TextIO = sys.stdout) -> list[str]:
    region = existing_region()
    if region is None:
        raise SystemExit("No benchmark region in this database: run `python -m bench.generate` first.")
    coordinator = region.coordinator
    membership = Membership.objects.select_related("structure").get(user=coordinator)
    held = Notification.objects.filter(recipient=coordinator).count()
    urls = [reverse("notifications:centre"), reverse("notifications:centre") + "?page=2"]
    centre = measure(
        Scenario("notifications_centre", coordinator, membership.structure, urls, f"{held} notifications"),
        held,
        requests,
    )
    bell = measure(
        Scenario("notifications_bell", coordinator, membership.structure, [reverse("notifications:bell")]),
        held,
        requests,
    )
    lines = []
    for result, goal in ((centre, GOAL_CENTRE_MS), (bell, GOAL_CENTRE_MS)):
        p95 = percentile(result.timings, 95)
        verdict = "ok" if result.meets_goal and p95 <= goal else "MISSED"
        print(
            f"{result.scenario.name:26} p95 {p95:7.1f} ms, floor {percentile(result.floor, 95):6.1f} ms, "
            f"{max(result.queries)} queries [{verdict}] — {result.scenario.note}",
            file=out,
            flush=True,
        )
        lines.append(result.line())
    lines.append(_fanout(requests, out))
    for line in lines:
        print(line, file=out)
    return lines


def _fanout(requests: int, out: TextIO) -> str:
    """An event told to the dossier's circle: the transaction that announces it, and the fan-out
    its commit runs (notifications and mails inserted, committed)."""
    region = existing_region()
    assert region is not None
    dossier = _fanout_dossier()
    actor = Actor(region.pediatrician)
    first_notification = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_mail = (OutgoingMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def once() -> None:
        with transaction.atomic():
            data = {"previous": "Actif", "status": "Sortie"}
            announce(Kind.DOSSIER_STATUS, actor, patient=dossier, circle=True, data=data)

    # The mails leave through the task worker, as in production: the commit enqueues one job (a
    # row of the database backend). The bench's settings run tasks at once, which would time
    # the delivery of every mail inside the write.
    started_at = timezone.now()
    with override_settings(TASKS=PRODUCTION_TASKS):
        for _ in range(3):
            once()
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            once()
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as context:
            once()
    told = Notification.objects.filter(pk__gte=first_notification).count() // (requests + 4)
    # The bench's own rows go: the centre's figures stay those of the generated data.
    Notification.objects.filter(pk__gte=first_notification).delete()
    OutgoingMail.objects.filter(pk__gte=first_mail).delete()
    DBTaskResult.objects.filter(enqueued_at__gte=started_at, task_path__endswith=".send_mails").delete()
    p95 = percentile(timings, 95)
    verdict = "ok" if p95 <= GOAL_FANOUT_MS else "MISSED"
    print(
        f"{'notify_fanout':26} p95 {p95:7.1f} ms, {len(context.captured_queries)} queries, "
        f"{told} told each time [{verdict}]",
        file=out,
        flush=True,
    )
    return (
        f"BENCH notify_fanout n={told} p50_ms={percentile(timings, 50):.1f} p95_ms={p95:.1f} "
        f"p99_ms={percentile(timings, 99):.1f} queries={len(context.captured_queries)}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--each", type=int, default=int(os.environ.get("BENCH_NOTIFICATIONS_EACH", EACH)))
    measure_parser = sub.add_parser("run")
    measure_parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.each)
    else:
        run(args.requests)


if __name__ == "__main__":  # pragma: no cover
    main()
