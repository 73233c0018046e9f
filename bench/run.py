"""Measure the active file, the search before creation and the tasks dashboard through the real views.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.run [--requests 200] [--explain]

Each scenario is a list of URLs (the same page with a few variants: other names, zones…)
requested with django.test.Client — URL resolution, every middleware, the view, the template —
by a signed-in professional who accepted the CGU (the session holds the structure acted for).
For each scenario:

1. warm-up: every variant a few times;
2. timed: `--requests` requests cycling through the variants (p50, p95, p99);
3. captured: every variant once under CaptureQueriesContext (queries per request, their SQL);
4. floor: the captured SQL replayed alone on the raw psycopg connection (no ORM, no view, no
   template), as many times as the timed requests; its p95 is what the database alone costs.

A scenario whose requests take seconds stops its timed loop after SCENARIO_SECONDS, once
MIN_REQUESTS requests were timed (the floor then replays as many).

Goal: p95 ≤ 100 ms, and p95 ≤ max(3 × floor, floor + 30 ms) — what the view adds beyond its
queries stays small. The run ends with one line per scenario:

    BENCH <scenario> n=<dossiers> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n> floor_p95_ms=<x>

`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of each scenario's slowest statements.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import math
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlencode

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.generate import COORDINATOR, PEDIATRICIAN, ZONE_PREFIX, existing_region
from cordee.accounts.models import Structure, TermsVersion, User
from cordee.accounts.services import accept_terms
from cordee.careteam.access import visible_dossiers
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from cordee.patients.models import Patient
from cordee.tasks.models import OPEN_STATUSES, Task
from cordee.territory.models import Zone

REQUESTS = 200
GOAL_MS = 100.0
# A scenario whose requests take seconds (a goal far missed) is measured on fewer requests: the
# timed loop, and the floor, stop after this long, once MIN_REQUESTS requests were timed.
SCENARIO_SECONDS = 60.0
MIN_REQUESTS = 20
# Typed as a hurried coordinator would: no accents, a letter off (Lefèvre, Dupont, Girard…).
FUZZY_NAMES = ["lefevre", "dupomt", "girrard", "bernadr", "rousau", "guerin", "fontenne", "mercie"]
# The first keystrokes of a search (SRCH-2 "in a few keystrokes"): two or three letters, the
# frequent ones — "ma" names 64,000 dossiers of the region, 3,200 of the DAC's.
FIRST_LETTERS = ["ma", "le", "du", "be", "gi", "mar", "ber", "rou"]
# Statements that only make sense inside the request's transaction.
_NOT_REPLAYED = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)", re.IGNORECASE)
# A server-side cursor (QuerySet.iterator(), e.g. a form's choices) is logged as its DECLARE:
# replayed as the query it wraps, all rows fetched.
_DECLARE = re.compile(r'^\s*DECLARE\s+"[^"]+"\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+', re.I | re.S)


@dataclass
class Scenario:
    name: str
    user: User
    structure: Structure | None
    urls: list[str]
    note: str = ""
    # Request headers, e.g. HX-Request for the fragment htmx asks when a filter changes.
    headers: dict[str, str] = field(default_factory=dict)
    # When given, each request POSTs one of these to urls[0] (identity traits never go in a URL).
    posts: list[dict[str, str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.posts) or len(self.urls)


@dataclass
class Result:
    scenario: Scenario
    dossiers: int
    timings: list[float]
    queries: list[int]
    floor: list[float]
    statements: list[list[str]] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"BENCH {self.scenario.name} n={self.dossiers} p50_ms={percentile(self.timings, 50):.1f} "
            f"p95_ms={percentile(self.timings, 95):.1f} p99_ms={percentile(self.timings, 99):.1f} "
            f"queries={max(self.queries)} floor_p95_ms={percentile(self.floor, 95):.1f}"
        )

    @property
    def meets_goal(self) -> bool:
        p95, floor = percentile(self.timings, 95), percentile(self.floor, 95)
        return p95 <= GOAL_MS and p95 <= max(3 * floor, floor + 30)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds (values are seconds)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


def _url(name: str, params: dict[str, Any] | None = None, **kwargs: str) -> str:
    base = reverse(name, kwargs=kwargs or None)
    return f"{base}?{urlencode(params, doseq=True)}" if params else base


def _typo_free_prefix(patient: Patient) -> str:
    name = patient.used_name or patient.birth_name
    return name[: min(len(name), 4)]


def scenarios(region_dossiers: int, seed: int = 7) -> list[Scenario]:
    rng = random.Random(seed)  # noqa: S311 - reproducible choice of variants
    coordinator = User.objects.get(username=COORDINATOR)
    pediatrician = User.objects.get(username=PEDIATRICIAN)
    membership = coordinator.memberships.select_related("structure").get()
    structure = membership.structure
    as_structure = Actor(user=coordinator, membership=membership)

    children = list(visible_dossiers(Actor(user=pediatrician)).order_by("pk")[:500])
    prefixes = sorted({_typo_free_prefix(p).lower() for p in rng.sample(children, min(20, len(children)))})

    zones = list(Zone.objects.filter(name__startswith=ZONE_PREFIX).order_by("name"))
    chosen = [zones[i] for i in sorted(rng.sample(range(len(zones)), min(4, len(zones))))]
    flags = [("hospitalisation", "non"), ("favoris", "non"), ("decedes", "non"), ("hospitalisation", "oui")]
    statuses = [["ACTIVE"], ["ACTIVE", "DISCHARGED"], ["ACTIVE"], ["DISCHARGED", "DECEASED"]]
    combined = [
        {
            "zone": str(zone.public_id),
            "statut": statuses[n % 4],
            flags[n % 4][0]: flags[n % 4][1],
            "tri": "-maj",
        }
        for n, zone in enumerate(chosen)
    ]

    # Search before creation: people already known (typed with accents dropped or a letter
    # swapped) and people who are not (their traits shuffled from several dossiers).
    known = Patient.objects.filter(pk__in=_sample_ids(10, rng)).values(
        "birth_name", "first_name", "birth_date", "sex", "birth_commune_id"
    )
    traits = []
    for n, values in enumerate(known):
        birth_name = values["birth_name"]
        if n % 2:
            birth_name = _swap_two_letters(birth_name, rng)
        traits.append(
            {
                "birth_name": birth_name.lower(),
                "first_name": values["first_name"],
                "birth_date": values["birth_date"].isoformat(),
                "sex": values["sex"],
                "birth_country_code": "99100",
                "birth_commune": values["birth_commune_id"],
            }
        )
    for n in range(len(traits)):
        other = traits[(n + 3) % len(traits)]
        traits.append({**traits[n], "first_name": other["first_name"], "birth_date": other["birth_date"]})

    visible = visible_dossiers(as_structure).count()
    # The tasks dashboard (issue 6): the structure's open tasks, then by zone and due range.
    today = clock.today()
    ranges = [(-30, 0), (0, 30), (-7, 7), (30, 90)]
    task_filters = [
        {
            "zone": str(zone.public_id),
            "debut": (today + datetime.timedelta(days=ranges[n % 4][0])).isoformat(),
            "fin": (today + datetime.timedelta(days=ranges[n % 4][1])).isoformat(),
        }
        for n, zone in enumerate(chosen)
    ]
    received = (
        Task.objects.filter(recipients__structure=structure, status__in=OPEN_STATUSES).distinct().count()
    )
    # INT-1, INT-2: software holding the DAC's token searches its active file by a name prefix,
    # and FHIR Patient by family name and birth date (dossiers it may open).
    bearer = {"Authorization": f"Bearer {_bench_token(coordinator, membership)}"}
    first_opened = list(
        visible_dossiers(as_structure).order_by("pk").values("birth_name", "birth_date")[:500]
    )
    opened = first_opened[:: max(1, len(first_opened) // 10)][:10]
    return [
        Scenario(
            "active_file_structure", coordinator, structure, [_url("patients:list")], f"{visible} dossiers"
        ),
        Scenario(
            "name_prefix_pediatrician",
            pediatrician,
            None,
            [_url("patients:list", {"nom": prefix}) for prefix in prefixes],
            f"{len(children)} dossiers, prefixes {', '.join(prefixes[:5])}…",
        ),
        Scenario(
            "name_prefix_structure",
            coordinator,
            structure,
            [_url("patients:list", {"nom": letters}) for letters in FIRST_LETTERS],
            f"{visible} dossiers, {', '.join(FIRST_LETTERS)}",
        ),
        Scenario(
            "fuzzy_name",
            coordinator,
            structure,
            [_url("patients:list", {"nom": name}) for name in FUZZY_NAMES],
            f"{visible} dossiers, {', '.join(FUZZY_NAMES)}",
        ),
        Scenario(
            "combined_filters",
            coordinator,
            structure,
            [_url("patients:list", params) for params in combined],
            f"{visible} dossiers, zones {', '.join(z.name for z in chosen)}",
        ),
        Scenario(
            "search_before_create",
            coordinator,
            structure,
            [_url("patients:search_before_create")],
            f"{region_dossiers} dossiers, {len(traits)} identities (posted)",
            posts=traits,
        ),
        Scenario(
            "task_dashboard_structure",
            coordinator,
            structure,
            [_url("tasks:dashboard")],
            f"{received} open tasks received by the structure",
        ),
        Scenario(
            "task_zone_due_range",
            coordinator,
            structure,
            [_url("tasks:dashboard", params) for params in task_filters],
            f"{received} open tasks, zones {', '.join(z.name for z in chosen)}, due ranges {ranges}",
        ),
        Scenario(
            "task_zone_due_range_htmx",
            coordinator,
            structure,
            [_url("tasks:dashboard", params) for params in task_filters],
            "the same filters as htmx sends them from the page: the results fragment only",
            headers={"HX-Request": "true"},
        ),
        Scenario(
            "task_patient_picker",
            coordinator,
            structure,
            [_url("tasks:picker", {"q": letters}, field="patients") for letters in FIRST_LETTERS],
            'the dashboard\'s "Patient(s)" picker as one types: the dossiers of my tasks named so',
            headers={"HX-Request": "true"},
        ),
        Scenario(
            "api_dossier_search",
            coordinator,
            structure,
            ["/api/v1/dossiers?" + urlencode({"nom": letters}) for letters in FIRST_LETTERS],
            f"{visible} dossiers, the DAC's token, {', '.join(FIRST_LETTERS)}",
            headers=bearer,
        ),
        Scenario(
            "fhir_patient_search",
            coordinator,
            structure,
            [
                "/fhir/Patient?"
                + urlencode({"family": row["birth_name"], "birthdate": row["birth_date"].isoformat()})
                for row in opened
            ],
            f"{visible} dossiers, the DAC's token, {len(opened)} family + birthdate",
            headers=bearer,
        ),
    ]


def _bench_token(user: User, membership: Any) -> str:
    """A read token of the DAC's coordinator acting as the DAC, made for this run."""
    from cordee.api.models import ApiToken
    from cordee.api.tokens import issue_token

    _, raw = issue_token(
        user,
        name="bench",
        scope=ApiToken.Scope.READ,
        expires_at=clock.now() + datetime.timedelta(days=1),
        membership=membership,
    )
    return raw


def _sample_ids(count: int, rng: random.Random) -> list[int]:
    """Dossiers born in France, drawn from the whole region (a block sample on PostgreSQL)."""
    ids: list[int] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM patients_patient TABLESAMPLE SYSTEM (1) REPEATABLE (7) "
                "WHERE birth_commune_id IS NOT NULL AND merged_into_id IS NULL LIMIT 200"
            )
            ids = [row[0] for row in cursor.fetchall()]
    if len(ids) < count:  # a small region: any of them
        eligible = Patient.objects.filter(birth_commune__isnull=False, merged_into__isnull=True)
        ids = list(eligible.order_by("pk").values_list("pk", flat=True)[:5000])
    return rng.sample(ids, min(count, len(ids)))


def _swap_two_letters(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def client_for(user: User, structure: Structure | None) -> Client:
    terms = TermsVersion.current()
    if terms is not None:
        accept_terms(user, terms)
    client = Client()
    client.force_login(user)
    if structure is not None:
        session = client.session
        session[ACTING_STRUCTURE_KEY] = str(structure.public_id)
        session.save()
    return client


def _get(client: Client, url: str, headers: dict[str, str] | None = None) -> None:
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")


def _send(client: Client, scenario: Scenario, n: int) -> None:
    """The scenario's n-th request (round robin): a GET of a URL, or a POST of a form."""
    if not scenario.posts:
        _get(client, scenario.urls[n % len(scenario.urls)], scenario.headers)
        return
    response = client.post(
        scenario.urls[0], scenario.posts[n % len(scenario.posts)], headers=scenario.headers
    )
    if response.status_code != 200:
        raise RuntimeError(f"POST {scenario.urls[0]} answered {response.status_code}")


def replayable_sql(statements: list[str]) -> list[str]:
    """A request's captured SQL as it can run alone: savepoints dropped, cursors unwrapped."""
    return [_DECLARE.sub("", sql) for sql in statements if not _NOT_REPLAYED.match(sql)]


def replay(statements: list[str]) -> float:
    """Run one request's SQL alone on the raw driver connection; seconds."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    started = time.perf_counter()
    with raw.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)  # no parameters: sent as captured, no placeholder parsing
            if cursor.description is not None:
                cursor.fetchall()
    return time.perf_counter() - started


# Rewritten by every request (the journal's chain heads, the session's "last seen", a token's
# rate window): a few rows each, which autovacuum keeps small on a server in service.
HOT_TABLES = ("audit_chainhead", "django_session", "api_apitoken")


def vacuum_hot_tables() -> None:
    """This machine's PostgreSQL runs without autovacuum (its CI configuration): the journal's 8
    chain heads had grown to 31 MB after 279,000 updates, and every journaled request of the
    later scenarios paid for it. Vacuumed before each scenario, as autovacuum would have."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in HOT_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def measure(scenario: Scenario, dossiers: int, requests: int, warmup: int = 3) -> Result:
    vacuum_hot_tables()
    client = client_for(scenario.user, scenario.structure)
    started_all = time.perf_counter()
    for round_ in range(warmup):
        if round_ and time.perf_counter() - started_all > SCENARIO_SECONDS / 4:
            break
        for n in range(scenario.size):
            _send(client, scenario, n)
    # As config/wsgi.py does in a server process once started.
    gc.freeze()
    timings: list[float] = []
    started_all = time.perf_counter()
    for n in range(requests):
        if n >= MIN_REQUESTS and time.perf_counter() - started_all > SCENARIO_SECONDS:
            break
        started = time.perf_counter()
        _send(client, scenario, n)
        timings.append(time.perf_counter() - started)
    captured: list[list[str]] = []
    _send(client, scenario, 0)  # the session's once-a-minute "last seen" write happens here, not below
    for n in range(scenario.size):
        with CaptureQueriesContext(connection) as context:
            _send(client, scenario, n)
        captured.append([q["sql"] for q in context.captured_queries])
    replayable = [
        [_DECLARE.sub("", sql) for sql in statements if not _NOT_REPLAYED.match(sql)]
        for statements in captured
    ]
    floor = []
    if connection.vendor == "postgresql":
        for statements in replayable:  # warm-up, as for the requests
            replay(statements)
        floor = [replay(replayable[n % len(replayable)]) for n in range(len(timings))]
    else:  # the fallback (tests at tiny scale): the same, through Django's cursor
        for n in range(len(timings)):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for sql in replayable[n % len(replayable)]:
                    cursor.execute(sql)
            floor.append(time.perf_counter() - started)
    return Result(scenario, dossiers, timings, [len(c) for c in captured], floor, captured)


def explain(result: Result, out: TextIO, top: int = 3) -> None:
    if connection.vendor != "postgresql":
        return
    statements = [sql for sql in result.statements[0] if sql.lstrip().upper().startswith("SELECT")]
    costs = sorted(((replay([sql]), sql) for sql in statements), reverse=True)[:top]
    for seconds, sql in costs:
        print(f"--- {result.scenario.name}: {seconds * 1000:.1f} ms\n{sql}", file=out)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            for (line,) in cursor.fetchall():
                print(f"    {line}", file=out)


def run(
    requests: int = REQUESTS,
    *,
    warmup: int = 3,
    out: TextIO = sys.stdout,
    show_explain: bool = False,
    only: Callable[[str], bool] = lambda name: True,
) -> list[Result]:
    region = existing_region()
    if region is None:
        raise SystemExit("No benchmark region in this database: run `python -m bench.generate` first.")
    dossiers = Patient.objects.count()
    results = []
    for scenario in scenarios(dossiers):
        if not only(scenario.name):
            continue
        result = measure(scenario, dossiers, requests, warmup)
        results.append(result)
        verdict = "ok" if result.meets_goal else "MISSED"
        print(
            f"{scenario.name:26} p95 {percentile(result.timings, 95):7.1f} ms, floor "
            f"{percentile(result.floor, 95):6.1f} ms, {max(result.queries)} queries, "
            f"{scenario.size} variants, {len(result.timings)} requests [{verdict}] — {scenario.note}",
            file=out,
            flush=True,
        )
        if len(set(result.queries)) > 1:
            print(f"    queries per variant differ: {result.queries}", file=out)
        if show_explain:
            explain(result, out)
    for result in results:
        print(result.line(), file=out)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", REQUESTS)))
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statements")
    parser.add_argument("--only", nargs="*", help="scenario names")
    args = parser.parse_args(argv)
    wanted = set(args.only or [])
    run(args.requests, show_explain=args.explain, only=lambda name: not wanted or name in wanted)


if __name__ == "__main__":  # pragma: no cover
    main()
