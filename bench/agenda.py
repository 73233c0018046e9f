"""`make bench`, the agenda part (issue 18, AGD-1): a region's appointments, the DAC's week, a feed.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.agenda generate [--appointments 500000]
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.agenda run [--requests 200]

`generate`, on top of the benchmark region: APPOINTMENTS appointments over three years (two
back, one ahead), by COPY. A tenth sit in the agenda of the DAC's MEMBERS members (the DAC
topped up to that many active members; a fifth of them with a second member, a third naming a
dossier the DAC follows), a few in the DAC's own agenda (meetings, RCP), the rest in the agendas
of the region's other professionals; SERIES_SHARE of them are weekly or monthly series (a few
endless, some with an occurrence taken out); a tenth private, 5 % cancelled, 2 % deleted.
Lines printed by `run`:

    BENCH agenda_week_structure n=<appointments> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n> floor_p95_ms=<x>
    BENCH ical_feed_year n=<the person's appointments> … (the same fields)

`agenda_week_structure`: the coordinator acting as her DAC opens its week with every member's
agenda shown beside the DAC's (this week, the next, one a year back), through the views (goal:
p95 ≤ 100 ms and the floor rule of `bench.run`). `ical_feed_year`: the coordinator's personal
iCalendar feed (its window: three months back, a year ahead), fetched by its secret URL as a
calendar application does (goal: p95 ≤ 150 ms).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
import uuid
from typing import Any, TextIO

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bench.cocon import _json
from bench.generate import _next_id, _reset_sequences, existing_region, load
from bench.run import Scenario, measure, percentile
from cordee.accounts.models import Membership, Structure, User
from cordee.agenda import ical, recurrence
from cordee.agenda.models import Appointment, EventType, Participant
from cordee.careteam.access import visible_dossiers
from cordee.core import clock
from cordee.core.actor import Actor

APPOINTMENTS = 500_000
MEMBERS = 20
# A DAC's case manager: about three appointments a working day (50,000 for the 20 over three
# years); the DAC's own agenda about one meeting a working day.
DAC_SHARE = 0.1
STRUCTURE_SHARE = 0.002
# Series: 1 % of the rows, most of them a few weeks to six months long, one in twenty endless —
# each row is many occurrences (about six standing series per member at any time).
SERIES_SHARE = 0.01
ENDLESS_SHARE = 0.05
YEARS_BACK, YEARS_AHEAD = 2, 1
GOAL_WEEK_MS = 100.0
GOAL_FEED_MS = 150.0
MEMBER_PREFIX = "bench.agenda"
BATCH = 20_000
TITLES = [
    "Visite à domicile",
    "Réunion de coordination",
    "Synthèse",
    "Consultation",
    "Entretien famille",
    "Point téléphonique",
    "Évaluation",
    "Staff",
]

APPOINTMENT_COLUMNS = [
    *("id", "public_id", "created_at", "updated_at", "created_by", "title", "event_type"),
    *("starts_at", "ends_at", "all_day", "place_kind", "address", "commune", "patient"),
    *("is_private", "notes", "status", "structure", "repeat", "repeat_until", "exdates"),
    *("last_ends_at", "deleted_at", "deleted_by", "version"),
]
PARTICIPANT_COLUMNS = ["id", "appointment", "user", "structure", "starts_at", "last_ends_at", "is_live"]


def _region() -> Any:
    region = existing_region()
    if region is None:
        raise SystemExit("No benchmark region in this database: run `python -m bench.generate` first.")
    return region


def members(dac: Structure, count: int = MEMBERS) -> list[User]:
    """The DAC's agenda team: its active members (the coordinator first), topped up to `count`."""
    mine = list(
        User.objects.filter(memberships__structure=dac, memberships__is_active=True, is_active=True).order_by(
            "pk"
        )
    )
    for n in range(len(mine), count):
        user, _ = User.objects.get_or_create(
            username=f"{MEMBER_PREFIX}{n:02d}",
            defaults={
                "last_name": f"Agenda{n:02d}",
                "first_name": "Bench",
                "email": f"{MEMBER_PREFIX}{n:02d}@bench.example",
            },
        )
        Membership.objects.get_or_create(user=user, structure=dac, defaults={"is_active": True})
        mine.append(user)
    return mine[:count]


class _Generator:
    def __init__(self, total: int, seed: int, out: TextIO) -> None:
        region = _region()
        self.total, self.out = total, out
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.dac = region.big_structure
        self.team = members(self.dac)
        coordinator_membership = Membership.objects.select_related("structure").get(
            user=region.coordinator, structure=self.dac
        )
        self.dossiers = list(
            visible_dossiers(Actor(region.coordinator, coordinator_membership)).values_list("pk", flat=True)[
                :2000
            ]
        )
        team_ids = {user.pk for user in self.team}
        self.others = [
            pk for pk in User.objects.order_by("pk").values_list("pk", flat=True) if pk not in team_ids
        ]
        self.types = list(EventType.objects.values_list("pk", flat=True))
        today = clock.today()
        self.first_day = today - datetime.timedelta(days=365 * YEARS_BACK)
        self.days = 365 * (YEARS_BACK + YEARS_AHEAD)
        self.now = timezone.now()
        self.next_appointment = _next_id(Appointment)
        self.next_participant = _next_id(Participant)
        self.appointments: list[list[Any]] = []
        self.participants: list[list[Any]] = []

    def _moment(self) -> tuple[datetime.datetime, datetime.datetime, bool]:
        """A working day's slot (8:00–18:45 on the Paris clock), or now and then a whole day."""
        day = self.first_day + datetime.timedelta(days=self.rng.randrange(self.days))
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        if self.rng.random() < 0.02:
            return clock.start_of_day(day), clock.start_of_day(day + datetime.timedelta(days=1)), True
        start = clock.at(day, datetime.time(self.rng.randrange(8, 18), self.rng.choice((0, 15, 30, 45))))
        return start, start + datetime.timedelta(minutes=self.rng.choice((30, 45, 60, 60, 90))), False

    def _row(self, author: int, user_ids: list[int], structure_id: int | None, patient: bool) -> None:
        rng, pk = self.rng, self.next_appointment
        self.next_appointment += 1
        starts_at, ends_at, all_day = self._moment()
        repeat, until, exdates = "", None, []
        if rng.random() < SERIES_SHARE and not all_day:
            repeat = Appointment.Repeat.WEEKLY if rng.random() < 0.8 else Appointment.Repeat.MONTHLY
            if rng.random() >= ENDLESS_SHARE:
                until = clock.date_of(starts_at) + datetime.timedelta(days=rng.randrange(21, 183))
            if rng.random() < 0.3:
                exdates = [
                    (clock.date_of(starts_at) + datetime.timedelta(days=7 * rng.randrange(1, 5))).isoformat()
                ]
        draft = Appointment(starts_at=starts_at, ends_at=ends_at, repeat=repeat, repeat_until=until)
        last_ends_at = recurrence.last_end(draft) if repeat else ends_at
        draw = rng.random()
        deleted = draw < 0.02
        status = Appointment.Status.CANCELLED if 0.02 <= draw < 0.07 else Appointment.Status.CONFIRMED
        created = starts_at - datetime.timedelta(days=rng.randrange(1, 60))
        self.appointments.append(
            [
                pk,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                created,
                created,
                author,
                rng.choice(TITLES),
                rng.choice(self.types),
                starts_at,
                ends_at,
                all_day,
                Appointment.Place.TELECONSULTATION if rng.random() < 0.15 else Appointment.Place.ADDRESS,
                "",
                None,
                rng.choice(self.dossiers) if patient and self.dossiers else None,
                rng.random() < 0.1,
                "",
                status,
                structure_id if structure_id is not None and rng.random() < 0.5 else None,
                repeat,
                until,
                _json(exdates),  # type: ignore[arg-type]
                last_ends_at,
                created + datetime.timedelta(days=1) if deleted else None,
                author if deleted else None,
                1,
            ]
        )
        for user_id in user_ids:
            self._participant(pk, user_id, None, starts_at, last_ends_at, not deleted)
        if structure_id is not None and not user_ids:
            self._participant(pk, None, structure_id, starts_at, last_ends_at, not deleted)

    def _participant(
        self,
        appointment: int,
        user: int | None,
        structure: int | None,
        starts_at: datetime.datetime,
        last_ends_at: datetime.datetime,
        live: bool,
    ) -> None:
        self.participants.append(
            [self.next_participant, appointment, user, structure, starts_at, last_ends_at, live]
        )
        self.next_participant += 1

    def _flush(self) -> None:
        load(Appointment, APPOINTMENT_COLUMNS, self.appointments)
        load(Participant, PARTICIPANT_COLUMNS, self.participants)
        self.appointments, self.participants = [], []

    def run(self) -> None:
        team = [user.pk for user in self.team]
        dac_count = int(self.total * DAC_SHARE)
        structure_count = max(1, int(self.total * STRUCTURE_SHARE))
        for n in range(self.total):
            rng = self.rng
            if n < structure_count:  # the DAC's own agenda: meetings, RCP
                self._row(rng.choice(team), [], self.dac.pk, patient=False)
            elif n < structure_count + dac_count:
                who = rng.sample(team, 2 if rng.random() < 0.2 else 1)
                self._row(who[0], who, self.dac.pk, patient=rng.random() < 0.3)
            else:
                self._row(rng.choice(self.others), [rng.choice(self.others)], None, patient=False)
            if len(self.appointments) >= BATCH:
                self._flush()
        self._flush()
        _reset_sequences(Appointment, Participant)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Appointment, Participant):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")


def generate(appointments: int = APPOINTMENTS, *, seed: int = 18, out: TextIO = sys.stdout) -> None:
    """Idempotent: a region that already holds its appointments keeps them."""
    _region()
    if Appointment.objects.count() >= appointments:
        print("agenda: already generated", file=out)
        return
    _Generator(appointments, seed, out).run()
    series = Appointment.objects.exclude(repeat="").count()
    print(
        f"agenda: {Appointment.objects.count()} appointments, "
        f"{Participant.objects.count()} participant rows, {series} series",
        file=out,
        flush=True,
    )


def scenarios() -> list[Scenario]:
    region = _region()
    dac, coordinator = region.big_structure, region.coordinator
    shown = [f"s-{dac.public_id}"] + [
        f"p-{user.public_id}"
        for user in User.objects.filter(
            memberships__structure=dac, memberships__is_active=True, is_active=True
        ).order_by("pk")
    ]
    today = clock.today()
    weeks = [today, today + datetime.timedelta(days=7), today - datetime.timedelta(days=364)]
    week_urls = [
        reverse("agenda:calendar")
        + "?"
        + urlencode([("vue", "semaine"), ("date", day.isoformat()), *[("voir", key) for key in shown]])
        for day in weeks
    ]
    # A new secret each run (the previous one stops working): the feed as a calendar fetches it.
    feed = reverse("agenda:feed", kwargs={"token": ical.issue_token(coordinator.pk)})
    return [
        Scenario("agenda_week_structure", coordinator, dac, week_urls, f"{len(shown)} agendas"),
        Scenario("ical_feed_year", coordinator, None, [feed], "the coordinator's feed"),
    ]


def run(requests: int = 200, *, out: TextIO = sys.stdout) -> list[str]:
    region = _region()
    total = Appointment.objects.count()
    own = Participant.objects.filter(user=region.coordinator).count()
    lines = []
    for scenario in scenarios():
        week = scenario.name == "agenda_week_structure"
        result = measure(scenario, total if week else own, requests)
        p95 = percentile(result.timings, 95)
        goal = GOAL_WEEK_MS if week else GOAL_FEED_MS
        verdict = "ok" if p95 <= goal and (result.meets_goal or not week) else "MISSED"
        floor = percentile(result.floor, 95)
        print(
            f"{scenario.name:26} p95 {p95:7.1f} ms (goal {goal:.0f}), floor {floor:6.1f} ms, "
            f"queries {sorted(set(result.queries))} [{verdict}] — {scenario.note}",
            file=out,
            flush=True,
        )
        lines.append(result.line())
    cold = feed_cold(region.coordinator, max(5, requests // 10))
    print(
        f"{'ical_feed_year_cold':26} p95 {percentile(cold, 95):7.1f} ms — the body built again each time "
        "(the cache emptied before each request: what a change to the agenda costs the next poll)",
        file=out,
        flush=True,
    )
    p50, p95 = percentile(cold, 50), percentile(cold, 95)
    lines.append(f"BENCH ical_feed_year_cold n={own} p50_ms={p50:.1f} p95_ms={p95:.1f}")
    for line in lines:
        print(line, file=out)
    return lines


def feed_cold(user: User, requests: int) -> list[float]:
    """The feed fetched with its cache emptied before each request (seconds)."""
    url = reverse("agenda:feed", kwargs={"token": ical.issue_token(user.pk)})
    client = Client()
    timings = []
    for _ in range(requests):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument(
        "--appointments", type=int, default=int(os.environ.get("BENCH_APPOINTMENTS", APPOINTMENTS))
    )
    measure_parser = sub.add_parser("run")
    measure_parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.appointments)
    else:
        run(args.requests)


if __name__ == "__main__":  # pragma: no cover
    main()
