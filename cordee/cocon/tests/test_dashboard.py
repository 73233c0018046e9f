"""COC-5 cohort dashboard: the SQL states agree with the calendar's rules on a hand-built cohort,
children lost to follow-up, the zone filter, a constant number of queries, the right needed."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cordee.accounts.models import User
from cordee.audit.models import Access
from cordee.cocon import services
from cordee.cocon.dashboard import cohort as compute_cohort
from cordee.cocon.dashboard import lost_to_follow_up, step_state
from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.cocon.schedule import BY_CODE, STEPS, State, Window, state
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.patients.models import Patient
from cordee.territory.models import Commune, Zone

TODAY = clock.today  # asked when each test runs, not at import (issue 25)
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class World:
    due: Inclusion  # 200 days, 30 weeks: 3-month due
    on_time: Inclusion  # same age: 3-month done on time
    lost: Inclusion  # 400 days: 3-month done late, 6-month missing, 9-month late
    ended: Inclusion  # 400 days, left the pathway
    west: Inclusion  # 100 days, term, 3-month due, lives in Antibes (zone "Ouest")
    west_zone: Zone
    east_zone: Zone


def _step(inclusion: Inclusion, code: str) -> ScheduledStep:
    return ScheduledStep.objects.get(inclusion=inclusion, step=code)


def _done(inclusion: Inclusion, code: str, day: datetime.date) -> None:
    ScheduledStep.objects.filter(inclusion=inclusion, step=code).update(done_on=day)


@pytest.fixture
def world(
    actor: Actor, make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion]
) -> World:
    def child(days_old: int, commune: str = "06088", **changes: object) -> Inclusion:
        return include_child(
            make_newborn(days_old=days_old, commune_id=commune), gestational_age_days=0, **changes
        )

    due = child(200)
    on_time = child(200)
    _done(on_time, "cocon-3-mois", _step(on_time, "cocon-3-mois").opens_on + ONE_DAY)
    lost = child(400)
    _done(lost, "cocon-3-mois", _step(lost, "cocon-3-mois").closes_on + 5 * ONE_DAY)
    ended = child(400)
    services.end_inclusion(actor, ended, TODAY(), Inclusion.EndReason.MOVED)
    west = child(100, commune="06004", gestational_age_weeks=39)
    west_zone = Zone.objects.create(name="Ouest")
    west_zone.communes.add(*Commune.objects.filter(code__in=["06004"]))
    east_zone = Zone.objects.create(name="Est")
    east_zone.communes.add(*Commune.objects.filter(code__in=["06088"]))
    return World(due, on_time, lost, ended, west, west_zone, east_zone)


def python_states(inclusions: list[Inclusion], today: datetime.date) -> Counter[tuple[str, str]]:
    """The states by the calendar's own rules (schedule.state), row by row."""
    found: Counter[tuple[str, str]] = Counter()
    for inclusion in inclusions:
        rows = list(ScheduledStep.objects.filter(inclusion=inclusion).order_by("rank"))
        windows = [Window(BY_CODE[r.step], r.opens_on, r.closes_on, r.target_on) for r in rows]
        for index, row in enumerate(rows):
            following = windows[index + 1] if index + 1 < len(windows) else None
            found[(row.step, state(windows[index], following, today, row.done_on).value)] += 1
    return found


def test_the_hand_built_cohort_in_each_state(world: World) -> None:
    assert _step(world.due, "cocon-3-mois").opens_on <= TODAY() <= _step(world.due, "cocon-3-mois").closes_on
    lost = {row.step: row for row in ScheduledStep.objects.filter(inclusion=world.lost)}
    assert lost["cocon-6-mois"].missed_from <= TODAY()  # the 9-month window has opened
    assert lost["cocon-9-mois"].closes_on < TODAY() < lost["cocon-9-mois"].missed_from

    result = compute_cohort(TODAY())
    assert (result.included, result.active, result.lost) == (5, 4, 1)
    rows = {row.label: row.counts for row in result.by_step}
    assert [row.label for row in result.by_step] == [step.short for step in STEPS]
    # 3 months: due (due, west), done on time (on_time), done late (lost); the ended child not counted.
    assert rows["3 mois"] == {"done": 1, "done_late": 1, "due": 2, "late": 0, "missing": 0}
    assert rows["6 mois"] == {"done": 0, "done_late": 0, "due": 0, "late": 0, "missing": 1}
    assert rows["9 mois"] == {"done": 0, "done_late": 0, "due": 0, "late": 1, "missing": 0}
    for label in ("12 mois", "18 mois", "24 mois", "3 ans", "7 ans"):
        assert sum(rows[label].values()) == 0  # upcoming: not charted
    assert sum(bar.value for bar in result.by_month) == 5
    assert result.by_month[-1].label == TODAY().strftime("%m/%y") and result.by_month[-1].value == 5


@pytest.mark.parametrize("shift", [-400, -30, -1, 0, 1, 45, 200, 800, 3000])
def test_the_sql_states_agree_with_the_calendar_rules_on_any_day(world: World, shift: int) -> None:
    today = TODAY() + datetime.timedelta(days=shift)
    active = [world.due, world.on_time, world.lost, world.west]
    sql = Counter(
        {
            (code, current): n
            for code, current, n in ScheduledStep.objects.filter(inclusion__in=active)
            .annotate(state=step_state(today))
            .values_list("step", "state")
            .annotate(n=Count("pk"))
            .values_list("step", "state", "n")
        }
    )
    assert sql == python_states(active, today)


def test_boundary_days_in_sql(world: World) -> None:
    row = _step(world.due, "cocon-3-mois")

    def sql_state(today: datetime.date) -> str:
        return str(
            ScheduledStep.objects.annotate(s=step_state(today)).values_list("s", flat=True).get(pk=row.pk)
        )

    assert sql_state(row.opens_on - ONE_DAY) == State.UPCOMING
    assert sql_state(row.opens_on) == State.DUE
    assert sql_state(row.closes_on) == State.DUE
    assert sql_state(row.closes_on + ONE_DAY) == State.LATE
    assert sql_state(row.missed_from - ONE_DAY) == State.LATE
    assert sql_state(row.missed_from) == State.MISSING
    _done(world.due, "cocon-3-mois", row.closes_on)
    assert sql_state(row.missed_from) == State.DONE
    _done(world.due, "cocon-3-mois", row.closes_on + ONE_DAY)
    assert sql_state(row.opens_on) == State.DONE_LATE


def test_lost_to_follow_up(actor: Actor, world: World) -> None:
    def lost() -> set[int]:
        return set(Inclusion.objects.filter(lost_to_follow_up(TODAY())).values_list("pk", flat=True))

    assert lost() == {world.lost.pk}
    # The ended child, with the same missing consultation, is not "lost": they left.
    assert _step(world.ended, "cocon-6-mois").done_on is None
    # A notebook after the missed one: back in follow-up.
    _done(world.lost, "cocon-9-mois", TODAY())
    assert lost() == set()
    # A missed consultation later made up is done (late), not missing: not lost either.
    _done(world.lost, "cocon-9-mois", None)  # type: ignore[arg-type]
    _done(world.lost, "cocon-6-mois", TODAY())
    assert lost() == set()
    # Much later, the due child misses everything: lost.
    assert world.due.pk in set(
        Inclusion.objects.filter(lost_to_follow_up(TODAY() + datetime.timedelta(days=400))).values_list(
            "pk", flat=True
        )
    )


def test_the_zone_filter(world: World) -> None:
    west = compute_cohort(TODAY(), world.west_zone)
    assert (west.included, west.active, west.lost) == (1, 1, 0)
    assert {row.label: row.counts["due"] for row in west.by_step}["3 mois"] == 1
    east = compute_cohort(TODAY(), world.east_zone)
    assert (east.included, east.active, east.lost) == (4, 3, 1)
    everything = compute_cohort(TODAY())
    zones = {row.zone: row for row in everything.by_zone}
    assert set(zones) == {"Ouest", "Est"}
    assert (zones["Ouest"].children, zones["Ouest"].lost) == (1, 0)
    assert (zones["Est"].children, zones["Est"].lost) == (4, 1)
    # Elapsed windows in the east: lost (3, 6 and 9 months) and ended (the same three).
    assert (zones["Est"].expected, zones["Est"].done) == (6, 0)
    assert zones["Est"].on_time_rate == 0
    _done(world.ended, "cocon-3-mois", _step(world.ended, "cocon-3-mois").closes_on)
    zones = {row.zone: row for row in compute_cohort(TODAY()).by_zone}
    assert (zones["Est"].expected, zones["Est"].done, zones["Est"].on_time_rate) == (6, 1, 17)


# --- the page ---------------------------------------------------------------------------------------


@pytest.fixture
def viewer(coordinator: User) -> User:
    coordinator.groups.add(Group.objects.get(name="Réseau périnatal — évaluation Cocon"))
    return coordinator


def test_the_page(world: World, viewer: User, client_for: Callable[..., Client]) -> None:
    client = client_for(viewer)
    response = client.get(reverse("cocon:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cohorte Cocon" in page and "Perdus de vue" in page and reverse("cocon:extraction") in page
    assert Access.objects.filter(action="cocon_dashboard", what="toutes zones").count() == 1
    response = client.get(reverse("cocon:dashboard"), {"zone": str(world.west_zone.public_id)})
    assert response.status_code == 200 and response.context["cohort"].included == 1
    assert "Cohorte Cocon — Ouest" in response.content.decode()
    # An unknown zone: the whole cohort.
    assert client.get(reverse("cocon:dashboard"), {"zone": "nope"}).context["cohort"].included == 5
    # No child's identity on the page.
    for inclusion in (world.due, world.lost, world.west):
        assert inclusion.patient.birth_name not in page and str(inclusion.patient.public_id) not in page


def test_the_view_cohort_right_alone_does_not_offer_the_extraction(
    world: World, member: User, client_for: Callable[..., Client]
) -> None:
    member.user_permissions.add(Permission.objects.get(codename="view_cohort"))
    response = client_for(member).get(reverse("cocon:dashboard"))
    assert response.status_code == 200
    assert reverse("cocon:extraction") not in response.content.decode()


def test_refused_without_the_right(
    world: World,
    stranger: User,
    member: User,
    coordinator: User,
    structure: object,
    client_for: Callable[..., Client],
) -> None:
    member.user_permissions.add(Permission.objects.get(codename="extract_notebooks"))  # not the dashboard's
    for client in (client_for(stranger), client_for(member), client_for(coordinator, acting_as=structure)):
        assert client.get(reverse("cocon:dashboard")).status_code == 403
    assert not Access.objects.filter(action="cocon_dashboard").exists()


def _newborns(
    actor: Actor, make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion], n: int
) -> None:
    zone = Zone.objects.get_or_create(name="Littoral")[0]
    zone.communes.add(*Commune.objects.filter(code__in=["06088", "06004"]))
    for index in range(n):
        inclusion = include_child(
            make_newborn(days_old=150 + 30 * index, commune_id="06004" if index % 2 else "06088"),
            gestational_age_weeks=28 + index % 12,
        )
        if index % 3 == 0:
            _done(inclusion, "cocon-3-mois", _step(inclusion, "cocon-3-mois").target_on)
        if index % 5 == 4:
            services.end_inclusion(actor, inclusion, TODAY(), Inclusion.EndReason.OTHER)


def test_the_number_of_queries_does_not_grow_with_the_cohort(
    actor: Actor,
    viewer: User,
    client_for: Callable[..., Client],
    make_newborn: Callable[..., Patient],
    include_child: Callable[..., Inclusion],
) -> None:
    client = client_for(viewer)
    url = reverse("cocon:dashboard")
    client.get(url)  # warm the session, the permission cache
    _newborns(actor, make_newborn, include_child, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _newborns(actor, make_newborn, include_child, 18)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["cohort"].included == 20
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"][:200] for q in large.captured_queries
    ]
    zone = Zone.objects.get(name="Littoral")
    with CaptureQueriesContext(connection) as filtered:
        client.get(url, {"zone": str(zone.public_id)})
    assert len(filtered.captured_queries) == len(small.captured_queries)


def test_the_home_page_offers_the_cohort_pages_by_right(
    member: User, client_for: Callable[..., Client]
) -> None:
    """The Cocon card of the home page (registered by cocon, core knowing nothing of it)."""
    home = client_for(member).get("/").content.decode()
    assert "Parcours Cocon" not in home and "/cocon/" not in home
    member.user_permissions.add(Permission.objects.get(codename="view_cohort"))
    home = client_for(member).get("/").content.decode()
    assert "Tableau de bord de la cohorte" in home
    assert "Extraction des cahiers clôturés" not in home
    member.user_permissions.add(Permission.objects.get(codename="extract_notebooks"))
    member = User.objects.get(pk=member.pk)  # a fresh permission cache
    home = client_for(member).get("/").content.decode()
    assert "Tableau de bord de la cohorte" in home and "Extraction des cahiers clôturés" in home
