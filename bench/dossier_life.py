"""`make bench`, the dossier's life (issue 15: ACT-1 feed, ACT-2 memos, ACT-3 life line).

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.dossier_life generate
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.dossier_life run [--requests 200]

`generate`, on top of the benchmark region: the dossier the region's coordinator opens first
(the documents bench's big dossier) gets two years of life — EVENTS events of every kind
(NOTES of them notes written in the feed, a tenth of those "très important"), MEMOS memos
(public, shared with the coordinator, private to her DAC), TASKS tasks due over the two years
and STAYS hospital stays — and its creation date moved two years back. Lines printed by `run`:

    BENCH feed_dossier n=<events> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n> floor_p95_ms=<x>
    BENCH feed_dossier_very_important …
    BENCH memos_dossier n=<memos> …
    BENCH lifeline_year n=<events> …

Each through the real views, opened by the coordinator acting as her DAC (goal: p95 ≤ 100 ms,
the floor rule of `bench.run`, one query count whatever the variant). Forms are not generated
here (the Cocon bench fills the forms' tables); the life line draws the dossier's own.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import uuid
from typing import Any, TextIO

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench.cocon import _json
from bench.documents import big_dossier
from bench.generate import _next_id, _reset_sequences, existing_region, load
from bench.run import GOAL_MS, Scenario, measure, percentile
from cordee.activity.models import Event, Note
from cordee.activity.services import SECTION_OF_KIND
from cordee.careteam.models import CircleMember
from cordee.core import clock
from cordee.memos.models import Memo, MemoShare, Visibility
from cordee.patients.models import Hospitalisation, Patient
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType

EVENTS = 5000
NOTES = 300
MEMOS = 50
TASKS = 200
STAYS = 24
YEARS = 2


def _life_kinds() -> list[str]:
    """The kinds a dossier's life is made of (notes and memos are written with their rows)."""
    memo_kinds = {Event.Kind.MEMO_ADDED, Event.Kind.MEMO_CHANGED, Event.Kind.MEMO_DELETED}
    return [kind for kind in SECTION_OF_KIND if kind != Event.Kind.NOTE and kind not in memo_kinds]


def generate(
    events: int = EVENTS,
    notes: int = NOTES,
    memos: int = MEMOS,
    *,
    seed: int = 15,
    out: TextIO = sys.stdout,
) -> None:
    """Idempotent: a dossier that already holds its notes is left as it is."""
    if existing_region() is None:
        raise SystemExit("No benchmark region in this database: run `python -m bench.generate` first.")
    patient, actor = big_dossier()
    if Note.objects.filter(event__patient=patient).count() >= notes:
        print("dossier life: already generated", file=out)
        return
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    now = timezone.now()
    span = datetime.timedelta(days=365 * YEARS)
    Patient.objects.filter(pk=patient.pk).update(created_at=now - span - datetime.timedelta(days=1))
    kinds = _life_kinds()
    importance = Event.Importance
    first_event = _next_id(Event)
    event_rows: list[list[Any]] = []
    note_rows: list[list[Any]] = []
    first_note = _next_id(Note)
    for n in range(events):
        at = now - span * rng.random()
        is_note = n < notes
        kind = Event.Kind.NOTE if is_note else rng.choice(kinds)
        level = (
            importance.VERY_IMPORTANT
            if is_note and n % 10 == 0
            else importance.IMPORTANT
            if is_note and n % 10 == 1
            else importance.NORMAL
        )
        summary = f"Note {n} du fil" if is_note else f"{Event.Kind(kind).label} (bench {n})"
        event_rows.append(
            [
                first_event + n,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                at,
                at,
                actor.user.pk,
                patient.pk,
                kind,
                summary,
                _json({}),
                level,
                actor.structure.pk if actor.structure else None,
                SECTION_OF_KIND[kind],
                None,
            ]
        )
        if is_note:
            note_rows.append(
                [
                    first_note + n,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    at,
                    at,
                    actor.user.pk,
                    first_event + n,
                    f"Note {n} : appel de la famille, point sur la situation au domicile.",
                    1,
                ]
            )
    load(
        Event,
        [
            "id",
            "public_id",
            "created_at",
            "updated_at",
            "created_by",
            "patient",
            "kind",
            "summary",
            "data",
            "importance",
            "structure",
            "section",
            "theme",
        ],
        event_rows,
    )
    load(
        Note,
        ["id", "public_id", "created_at", "updated_at", "created_by", "event", "text", "version"],
        note_rows,
    )
    _reset_sequences(Event, Note)
    _memos(patient, actor, memos, rng, now, span)
    _tasks_and_stays(patient, actor, rng, now, span)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Event, Note, Memo, Task, Hospitalisation):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    print(
        f"dossier life: {events} events ({notes} notes), {memos} memos, {TASKS} tasks, {STAYS} stays",
        file=out,
    )


def _memos(patient: Patient, actor: Any, count: int, rng: random.Random, now: Any, span: Any) -> None:
    member = CircleMember.objects.filter(patient=patient, removed_at__isnull=True).order_by("pk").first()
    visibilities = [Visibility.PUBLIC, Visibility.SHARED, Visibility.PRIVATE]
    created = Memo.objects.bulk_create(
        [
            Memo(
                patient=patient,
                title=f"Mémo {n}",
                text="Patient résidant au 5e étage sans ascenseur ; prévenir la voisine avant la visite.",
                visibility=visibilities[n % 3] if member else Visibility.PUBLIC,
                structure=actor.structure,
                created_by=actor.user,
            )
            for n in range(count)
        ]
    )
    if member is not None:
        MemoShare.objects.bulk_create(
            [MemoShare(memo=memo, member=member) for memo in created if memo.visibility == Visibility.SHARED]
        )
    for memo in created:  # auto_now: the dates are spread afterwards
        moment = now - span * rng.random()
        Memo.objects.filter(pk=memo.pk).update(created_at=moment, updated_at=moment)


def _tasks_and_stays(patient: Patient, actor: Any, rng: random.Random, now: Any, span: Any) -> None:
    task_type, level = TaskType.objects.order_by("pk").first(), TaskLevel.objects.order_by("pk").first()
    statuses = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED]
    if task_type is not None and level is not None:
        Task.objects.bulk_create(
            [
                Task(
                    patient=patient,
                    task_type=task_type,
                    level=level,
                    label=f"Tâche de suivi {n}",
                    # Two years back, and a few months ahead: what is planned shows too.
                    due_at=now - span * rng.random() + datetime.timedelta(days=90),
                    status=statuses[n % 4],
                    structure=actor.structure,
                    created_by=actor.user,
                )
                for n in range(TASKS)
            ]
        )
    stays = []
    for n in range(STAYS):
        start = clock.date_of(now - span * rng.random())
        stays.append(
            Hospitalisation(
                patient=patient,
                establishment_name=f"Centre hospitalier {n % 4}",
                unit="Pédiatrie",
                start_date=start,
                end_date=start + datetime.timedelta(days=rng.randrange(1, 20)),
                reason="Bilan",
            )
        )
    Hospitalisation.objects.bulk_create(stays)


def scenarios() -> list[Scenario]:
    patient, actor = big_dossier()
    feed = reverse("activity:feed", kwargs={"public_id": patient.public_id})
    memos = reverse("memos:list", kwargs={"public_id": patient.public_id})
    lifeline = reverse("activity:lifeline", kwargs={"public_id": patient.public_id})
    today = clock.today()
    year_ends = [(today - datetime.timedelta(days=days)).isoformat() for days in (0, 120, 240)]
    user, structure = actor.user, actor.structure
    return [
        Scenario("feed_dossier", user, structure, [feed, f"{feed}?f=notes", f"{feed}?f=evenements"]),
        Scenario("feed_dossier_very_important", user, structure, [f"{feed}?f=tres-important"]),
        Scenario(
            "memos_dossier", user, structure, [memos, f"{memos}?visibilite=PUBLIC", f"{memos}?q=voisine"]
        ),
        Scenario(
            "lifeline_year", user, structure, [f"{lifeline}?periode=annee&fin={end}" for end in year_ends]
        ),
    ]


def run(requests: int = 200, *, out: TextIO = sys.stdout) -> list[str]:
    patient, _ = big_dossier()
    events = Event.objects.filter(patient=patient).count()
    lines = []
    for scenario in scenarios():
        size = Memo.objects.filter(patient=patient).count() if scenario.name == "memos_dossier" else events
        result = measure(scenario, size, requests)
        verdict = "ok" if result.meets_goal and len(set(result.queries)) == 1 else "MISSED"
        print(
            f"{scenario.name:28} p95 {percentile(result.timings, 95):7.1f} ms (goal {GOAL_MS:.0f}), floor "
            f"{percentile(result.floor, 95):6.1f} ms, queries {sorted(set(result.queries))} [{verdict}]",
            file=out,
            flush=True,
        )
        lines.append(result.line())
    for line in lines:
        print(line, file=out)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--events", type=int, default=EVENTS)
    measure_parser = sub.add_parser("run")
    measure_parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.events)
    else:
        run(args.requests)


if __name__ == "__main__":  # pragma: no cover
    main()
