"""`make bench`, the requests to the DAC (issue 19: DEM-1, DEM-2): REQUESTS requests over the
region, the region's DAC (the coordinator's structure) receiving DAC of them, the others spread
over a few other resource teams; then the DAC's "Tableau de bord Demandes" through the view.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.referrals generate [--requests N] [--dac N]
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.referrals run [--requests 200]

Requests are spread over three years (numbered in that order, as the counter would), a third
about a dossier of the region, a third with the identity traits typed, a third pseudonymous;
each from a professional of the region, about a commune of the region (so a zone); most still
open, some validated or cancelled; half of the DAC's assigned to one of its members, answered
when past the first step. Lines printed by `run`:

    BENCH requests_dashboard n=<the DAC's requests> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n> …
    BENCH requests_dashboard_filtered …   (zone + étape + date range)
    BENCH requests_mine n=<the requester's requests> …   ("Mes demandes")

The dashboards opened by the coordinator acting as her DAC; "Mes demandes" by one professional
of the region acting as their structure, who sent MINE of the requests (a heavy requester: the
region's requesters send about 70 each) — goal: p95 ≤ 100 ms, the floor rule of `bench.run`,
one query count whatever the variant.
"""

from __future__ import annotations

import argparse
import collections
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
from bench.generate import COORDINATOR, ZONE_PREFIX, _next_id, _reset_sequences, existing_region, load
from bench.run import GOAL_MS, Scenario, measure, percentile
from cordee.accounts.models import Membership, Structure, User
from cordee.core import clock
from cordee.directory.models import ResourceTeam
from cordee.patients.models import Patient, Sex
from cordee.referrals.models import Counter, Motif, Referral, SpecialisedService, Step
from cordee.territory.models import Zone

REQUESTS = 200_000
DAC = 30_000
MINE = 2_000
OTHER_TEAMS = 12
YEARS = 3
FIRST_NAMES = ["Jean", "Marie", "Louis", "Nathalie", "Aurore", "Paul", "Lucie", "Henri", "Rose", "Michel"]
BIRTH_NAMES = ["Martin", "Bernard", "Giraud", "Roux", "Fabre", "Blanc", "Garcia", "Mercier", "Faure", "Andre"]
DETAILS = [
    "Maintien à domicile difficile, aidant épuisé.",
    "Retour d'hospitalisation à organiser.",
    "Situation complexe : plusieurs intervenants sans coordination.",
    "Demande d'évaluation gériatrique.",
    "monsieur me demande accompagnement",
]
COLUMNS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "created_by",
    "number",
    "team",
    "requester",
    "requester_structure",
    "patient",
    "birth_name",
    "first_name",
    "birth_date",
    "sex",
    "commune",
    "motif",
    "detail",
    "answers",
    "step",
    "status",
    "assignee",
    "external",
    "specialised_service",
    "answer",
    "answered_at",
    "cancel_reason",
    "version",
]


def the_dac() -> tuple[Structure, User]:
    coordinator = User.objects.get(username=COORDINATOR)
    return coordinator.memberships.select_related("structure").get().structure, coordinator


def the_requester() -> tuple[User, Structure]:
    """The professional whose "Mes demandes" is measured: the region's first membership outside
    the DAC (by id, so the same one in `generate` and `run`), acting as that structure."""
    dac, _ = the_dac()
    membership = (
        Membership.objects.filter(is_active=True, user__is_staff=False, user__is_active=True)
        .exclude(structure=dac)
        .exclude(user__username=COORDINATOR)
        .select_related("user", "structure")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise SystemExit("No professional outside the DAC in this region.")
    return membership.user, membership.structure


def give_the_requester(mine: int, *, seed: int = 19, out: TextIO = sys.stdout) -> None:
    """The requester sends `mine` of the requests, drawn among the others' over the three years
    (idempotent; a region generated before "Mes demandes" was measured gets them too)."""
    user, structure = the_requester()
    held = Referral.objects.filter(requester=user).count()
    if held >= mine:
        return
    others = list(Referral.objects.exclude(requester=user).order_by("pk").values_list("pk", flat=True))
    chosen = random.Random(seed).sample(others, min(mine - held, len(others)))  # noqa: S311 - data
    for start in range(0, len(chosen), 5_000):
        Referral.objects.filter(pk__in=chosen[start : start + 5_000]).update(
            requester=user, requester_structure=structure, created_by=user
        )
    if connection.vendor == "postgresql":
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {Referral._meta.db_table}")
    print(f"requests: {held + len(chosen)} sent by {user.username} ({structure.name})", file=out)


def _teams(dac: Structure) -> list[Structure]:
    """The DAC and a few other structures of the region, listed as resource teams."""
    others = list(Structure.objects.exclude(pk=dac.pk).filter(is_active=True).order_by("pk")[:OTHER_TEAMS])
    for team in [dac, *others]:
        ResourceTeam.objects.update_or_create(
            structure=team, defaults={"is_listed": True, "carries_identity": True}
        )
    return others


def generate(
    requests: int = REQUESTS,
    dac_requests: int = DAC,
    mine: int = MINE,
    *,
    seed: int = 19,
    out: TextIO = sys.stdout,
) -> None:
    """Idempotent: a DAC that already holds its requests is left as it is."""
    if existing_region() is None:
        raise SystemExit("No benchmark region in this database: run `python -m bench.generate` first.")
    dac, coordinator = the_dac()
    if Referral.objects.filter(team=dac).count() >= dac_requests:
        print("requests: already generated", file=out)
        give_the_requester(mine, seed=seed, out=out)
        return
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    others = _teams(dac)
    steps = list(Step.objects.order_by("ordering").values_list("pk", flat=True))
    motifs = list(Motif.objects.values_list("pk", flat=True))
    services = list(SpecialisedService.objects.values_list("pk", flat=True))
    members = list(
        Membership.objects.filter(structure=dac, is_active=True).values_list("user_id", flat=True)
    ) or [coordinator.pk]
    requesters = list(
        Membership.objects.filter(is_active=True, user__is_staff=False)
        .exclude(structure=dac)
        .order_by("pk")
        .values_list("user_id", "structure_id")[:3000]
    ) or [(coordinator.pk, dac.pk)]
    patients = list(Patient.objects.order_by("pk").values_list("pk", flat=True)[:200_000])
    zoned = list(
        Zone.communes.through.objects.filter(zone__name__startswith=ZONE_PREFIX)
        .values_list("commune_id", flat=True)
        .distinct()
    )
    now = timezone.now()
    span = datetime.timedelta(days=365 * YEARS)
    # The DAC's first, then the others', all numbered in the order they were sent.
    moments = sorted(now - span * rng.random() for _ in range(requests))
    dac_share = set(rng.sample(range(requests), min(dac_requests, requests)))
    first_id, first_number = (
        _next_id(Referral),
        (Counter.objects.filter(pk=1).values_list("last", flat=True).first() or 0) + 1,
    )
    rows: list[list[Any]] = []
    for n, at in enumerate(moments):
        team = dac if n in dac_share else others[n % len(others)] if others else dac
        requester, requester_structure = requesters[rng.randrange(len(requesters))]
        kind = n % 3
        patient = patients[rng.randrange(len(patients))] if kind == 0 and patients else None
        named = kind == 1
        step_index = min(int(rng.expovariate(0.9)), len(steps) - 1)
        draw = rng.random()
        status = (
            Referral.Status.CANCELLED
            if draw < 0.05
            else Referral.Status.VALIDATED
            if draw < 0.20
            else Referral.Status.OPEN
        )
        answered = step_index > 0
        rows.append(
            [
                first_id + n,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                at,
                at,
                requester,
                first_number + n,
                team.pk,
                requester,
                requester_structure,
                patient,
                rng.choice(BIRTH_NAMES) if named else "",
                rng.choice(FIRST_NAMES) if named else "",
                clock.date_of(at) - datetime.timedelta(days=rng.randrange(365 * 5, 365 * 95))
                if named
                else None,
                rng.choice([Sex.FEMALE, Sex.MALE]) if named else "",
                rng.choice(zoned) if zoned else None,
                rng.choice(motifs),
                rng.choice(DETAILS),
                _json({}),
                steps[step_index],
                status,
                members[n % len(members)] if team == dac and n % 2 == 0 else None,
                n % 17 == 0,
                rng.choice(services) if services and n % 5 == 0 else None,
                "Prise de contact avec la famille." if answered else "",
                at + datetime.timedelta(days=rng.randrange(0, 10)) if answered else None,
                "Doublon" if status == Referral.Status.CANCELLED else "",
                1,
            ]
        )
    load(Referral, COLUMNS, rows)
    _reset_sequences(Referral)
    Counter.objects.update_or_create(pk=1, defaults={"last": first_number + requests - 1})
    if connection.vendor == "postgresql":
        # VACUUM as autovacuum would after such a load: the visibility map lets the dashboard's
        # count and page be answered from the index alone. Not possible inside a transaction
        # (the tests'): ANALYZE alone there.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {Referral._meta.db_table}")
    print(f"requests: {requests} over {len(others) + 1} teams, {len(dac_share)} to {dac.name}", file=out)
    give_the_requester(mine, seed=seed, out=out)


def scenarios() -> list[Scenario]:
    dac, coordinator = the_dac()
    url = reverse("referrals:dashboard")
    today = clock.today()
    # The zones holding most of the DAC's requests, its two first steps (where most stand), and
    # the last one, two and three years: a DAC's everyday questions.
    held = collections.Counter(Referral.objects.filter(team=dac).values_list("commune_id", flat=True))
    by_zone: collections.Counter[Any] = collections.Counter()
    links = Zone.communes.through.objects.filter(zone__name__startswith=ZONE_PREFIX)
    for zone, commune in links.values_list("zone__public_id", "commune_id"):
        by_zone[zone] += held[commune]
    zones = [zone for zone, _ in by_zone.most_common(3)]
    steps = list(Step.objects.order_by("ordering").values_list("code", flat=True)[:2])
    ranges = [(today - datetime.timedelta(days=365 * years), today) for years in (1, 2, 3)]
    filtered = [
        f"{url}?tous=1&zone={zone}&{'&'.join(f'etape={step}' for step in steps)}"
        f"&debut={start.isoformat()}&fin={end.isoformat()}"
        for zone in zones
        for start, end in ranges
    ]
    # Keyset pages (issue 19): the second page, and one deep in the DAC's requests (after its
    # 10,000th most recent) — "Suivant" from there costs what the second page does.
    newest = (
        Referral.objects.filter(team=dac).order_by("-created_at", "-id").values_list("public_id", flat=True)
    )
    anchors = [newest[index] for index in (24, 9_999) if newest[index : index + 1].exists()]
    return [
        Scenario(
            "requests_dashboard",
            coordinator,
            dac,
            [
                url,
                *[f"{url}?tous=1&apres={anchor}" for anchor in anchors],
                f"{url}?tous=1&statut=en-cours&tri=identifiant",
            ],
        ),
        Scenario("requests_dashboard_filtered", coordinator, dac, filtered or [f"{url}?tous=1"]),
        _mine(today),
    ]


def _mine(today: datetime.date) -> Scenario:
    """ "Mes demandes" as it opens, its next page and a deep one (after the 1,000th most recent),
    the open ones by number, and the open ones sent over the last year. (A team or a step
    chosen costs one query more, the choice's own lookup: the dashboard's filtered scenario.)"""
    user, structure = the_requester()
    url = reverse("referrals:mine")
    newest = (
        Referral.objects.filter(requester=user)
        .order_by("-created_at", "-id")
        .values_list("public_id", flat=True)
    )
    anchors = [newest[index] for index in (24, 999) if newest[index : index + 1].exists()]
    year = today - datetime.timedelta(days=365)
    return Scenario(
        "requests_mine",
        user,
        structure,
        [
            url,
            *[f"{url}?tous=1&apres={anchor}" for anchor in anchors],
            f"{url}?tous=1&statut=en-cours&tri=identifiant",
            f"{url}?tous=1&statut=en-cours&debut={year.isoformat()}&fin={today.isoformat()}",
        ],
    )


def run(requests: int = 200, *, only: list[str] | None = None, out: TextIO = sys.stdout) -> list[str]:
    dac, _ = the_dac()
    held = Referral.objects.filter(team=dac).count()
    requester, _ = the_requester()
    sent = Referral.objects.filter(requester=requester).count()
    lines = []
    for scenario in scenarios():
        if only and scenario.name not in only:
            continue
        result = measure(scenario, sent if scenario.name == "requests_mine" else held, requests)
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
    gen.add_argument("--requests", type=int, default=REQUESTS)
    gen.add_argument("--dac", type=int, default=DAC)
    gen.add_argument("--mine", type=int, default=MINE)
    measure_parser = sub.add_parser("run")
    measure_parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    measure_parser.add_argument("--only", nargs="*", help="scenario names (all when absent)")
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.requests, args.dac, args.mine)
    else:
        run(args.requests, only=args.only)


if __name__ == "__main__":  # pragma: no cover
    main()
