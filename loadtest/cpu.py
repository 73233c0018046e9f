"""The CPU each page of `make load`'s mix costs (issue 22), without a server or Locust: the load
users' scenarios (loadtest/locustfile.py) played in turn through Django's WSGI handler with the
load settings (production, DEBUG off, cached templates), on a region in PostgreSQL.

    DATABASE_URL=postgres://…/<region> python -m loadtest.cpu [--rounds 8] [--profile out.prof]

One line per page: requests, the Python process's CPU and the PostgreSQL backend's CPU per
request (its /proc/<pid>/schedstat, nanoseconds), queries per request; then the mix's average
request weighted as the locustfile weighs its tasks. On a loaded machine wall-clock time is
inflated, CPU time much less: compare these figures before and after a change, run in turn.
Signs in the load users of `loadtest.prepare` (one per round: a TOTP code is accepted once).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtest.settings")
    os.environ.setdefault("CORDEE_SECRET_KEY", "load-test-only-" + "x" * 40)
    os.environ.setdefault("CORDEE_LOG_LEVEL", "WARNING")


class Page:
    """What a browser keeps of an answer: its final URL and its text."""

    def __init__(self, url: str, text: str, status: int) -> None:
        self.url, self.text, self.status_code = url, text, status


class Meter:
    """CPU (this process and the database backend), wall time and queries, per page name."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.queries = 0
        self.rows: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)

    def count(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)

    def backend_ns(self) -> int:
        raw = self.connection.connection
        if raw is None:
            return 0
        pid = raw.info.backend_pid
        try:
            return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except OSError:  # the database on another machine: its CPU is not seen
            return 0

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        self.queries = 0
        before_db = self.backend_ns()
        wall, cpu = time.perf_counter_ns(), time.process_time_ns()
        with self.connection.execute_wrapper(self.count):
            yield
        cpu, wall = time.process_time_ns() - cpu, time.perf_counter_ns() - wall
        # A request that opened a new connection: its backend's whole CPU is this request's.
        db = self.backend_ns() - before_db if before_db else self.backend_ns()
        self.rows[name].append((cpu, db, wall, self.queries))


class Browser:
    """Django's test client spoken to as the locustfile speaks to Locust's HttpSession."""

    _client: Any = None

    def __init__(self, meter: Meter) -> None:
        from http.cookies import SimpleCookie

        from django.test import Client

        # One handler for the process, as a server worker has (its middleware loaded once); a
        # new browser is a fresh cookie jar.
        if Browser._client is None:
            Browser._client = Client(enforce_csrf_checks=True, SERVER_NAME="127.0.0.1")
        self.client = Browser._client
        self.client.cookies = SimpleCookie()
        self.meter = meter

    def _page(self, response: Any) -> Page:
        url = response.request["PATH_INFO"]
        if response.request.get("QUERY_STRING"):
            url += "?" + response.request["QUERY_STRING"]
        if response.status_code >= 400:
            raise SystemExit(f"{response.status_code} sur {url}")
        return Page(url, response.content.decode(), response.status_code)

    def get(self, url: str, *, name: str, headers: dict[str, str] | None = None) -> Page:
        with self.meter.measure(name):
            response = self.client.get(url, headers=headers, follow=True)
        return self._page(response)

    def post(self, url: str, data: Any, *, name: str, headers: dict[str, str] | None = None) -> Page:
        with self.meter.measure(name):
            response = self.client.post(url, data, headers=headers, follow=True)
        return self._page(response)


def play(browser: Browser, username: str, rng: random.Random) -> None:
    """One load user's session: signed in, then each of the locustfile's tasks once."""
    # Not from the locustfile: importing locust patches the standard library (gevent).
    from loadtest import pages
    from loadtest.serving import sign_in

    def _first(form: pages.Form, field: str) -> str:
        return next((value for value in form.options.get(field, []) if value), "")

    def _status_form(html: str, action: str) -> dict[str, Any] | None:
        return next((form.data() for form in pages.forms(html) if form.action == action), None)

    sign_in(browser, username)
    dossiers = pages.dossier_ids(browser.get("/patients/", name="/patients/").text)
    browser.get(
        f"/patients/?nom={rng.choice(NAME_PREFIXES)}",
        headers={"HX-Request": "true"},
        name="/patients/?nom= (htmx)",
    )
    dossier = rng.choice(dossiers)
    for tab in ("", "cercle/", "parcours/"):
        browser.get(f"/patients/{dossier}/{tab}", name=f"/patients/[id]/{tab}")
    browser.get("/taches/", name="/taches/")
    today = datetime.date.today()  # noqa: DTZ011 - the load user's own calendar
    browser.get(
        f"/taches/?debut={today - datetime.timedelta(days=7)}&fin={today + datetime.timedelta(days=30)}",
        headers={"HX-Request": "true"},
        name="/taches/?debut=&fin= (htmx)",
    )
    # A task created, then moved along its cycle twice.
    dossier = rng.choice(dossiers)
    url = f"/patients/{dossier}/taches/nouvelle/"
    form = pages.form_with(browser.get(url, name="/patients/[id]/taches/nouvelle/").text, "task_type")
    if form is not None:
        due = datetime.datetime.now() + datetime.timedelta(days=3)  # noqa: DTZ005
        data = form.data(
            task_type=_first(form, "task_type"),
            level=_first(form, "level"),
            label="Appeler la famille (charge)",
            status="TODO",
            due_at=due.strftime("%Y-%m-%dT%H:%M"),
        )
        created = browser.post(url, data, name="/patients/[id]/taches/nouvelle/ (POST)")
        for match in pages.TASK_STATUS.findall(created.text)[:1]:
            for _ in range(2):
                dossier_page = browser.get(f"/patients/{dossier}/", name="/patients/[id]/").text
                status = _status_form(dossier_page, match)
                if status is None:
                    break
                browser.post(
                    match, status, headers={"HX-Request": "true"}, name="/patients/[id]/taches/[id]/statut/"
                )
    # A questionnaire saved, then closed.
    dossier = rng.choice(dossiers)
    tab = browser.get(f"/patients/{dossier}/parcours/", name="/patients/[id]/parcours/").text
    new = pages.evaluation_link(tab)
    form = pages.form_with(browser.get(new, name="/patients/[id]/parcours/nouveau/[id]/").text, "version")
    if new and form is not None:
        date_field, motif = form.named("date_evaluation"), form.named("motif")
        answers = {date_field: today.isoformat(), motif: "Évaluation à domicile (charge)", "action": "save"}
        saved = browser.post(new, form.data(**answers), name="/patients/[id]/parcours/nouveau/[id]/ (POST)")
        again = pages.form_with(saved.text, "version")
        if again is not None and "/formulaires/" in saved.url:
            closing = {again.named("synthese"): "Maintien à domicile avec aides (charge).", "action": "close"}
            browser.post(
                saved.url, again.data(**closing), name="/patients/[id]/parcours/formulaires/[id]/ (POST)"
            )
    # A note in a dossier's feed.
    dossier = rng.choice(dossiers)
    page = browser.get(f"/patients/{dossier}/", name="/patients/[id]/").text
    note = pages.form_with(page, "importance")
    if note is not None and note.action:
        browser.post(
            note.action,
            note.data(text="Point téléphonique avec la famille (charge).", importance="NORMAL"),
            headers={"HX-Request": "true"},
            name="/patients/[id]/note (POST)",
        )


NAME_PREFIXES = ["ma", "le", "du", "be", "gi", "mar", "ber", "rou", "fon", "lef"]

# How often a locustfile user asks each page, per 18 tasks picked (their weights: the active
# file 4, a filter 3, a dossier's three tabs 5, the dashboard 3, a task created and cycled 1, a
# questionnaire 1, a note 1).
MIX = {
    "/patients/": 4,
    "/patients/?nom= (htmx)": 3,
    "/patients/[id]/": 5 + 2 + 1,
    "/patients/[id]/cercle/": 5,
    "/patients/[id]/parcours/": 5 + 1,
    "/taches/": 3,
    "/taches/?debut=&fin= (htmx)": 3,
    "/patients/[id]/taches/nouvelle/": 1,
    "/patients/[id]/taches/nouvelle/ (POST)": 1,
    "/patients/[id]/taches/[id]/statut/": 2,
    "/patients/[id]/parcours/nouveau/[id]/": 1,
    "/patients/[id]/parcours/nouveau/[id]/ (POST)": 1,
    "/patients/[id]/parcours/formulaires/[id]/ (POST)": 1,
    "/patients/[id]/note (POST)": 1,
}


def report(meter: Meter) -> None:
    def ms(values: list[int]) -> float:
        return sum(values) / len(values) / 1e6 if values else 0.0

    write = sys.stdout.write
    write(f"{'page':52} {'n':>4} {'cpu_ms':>7} {'db_ms':>7} {'wall_ms':>8} {'queries':>7}\n")
    averages: dict[str, tuple[float, float, float]] = {}
    for name, rows in meter.rows.items():
        kept = rows
        cpu, db, wall = ms([r[0] for r in kept]), ms([r[1] for r in kept]), ms([r[2] for r in kept])
        queries = sum(r[3] for r in kept) / len(kept)
        averages[name] = (cpu, db, queries)
        write(f"{name:52} {len(kept):4d} {cpu:7.1f} {db:7.1f} {wall:8.1f} {queries:7.1f}\n")
    weight = sum(MIX.values())
    mixed = [sum(MIX[name] * averages.get(name, (0, 0, 0))[i] for name in MIX) / weight for i in range(3)]
    write(f"MIX request (sign-in aside): cpu_ms={mixed[0]:.1f} db_ms={mixed[1]:.1f} queries={mixed[2]:.1f}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--first-user", type=int, default=1, help="the load user of the first round")
    parser.add_argument("--warm", type=int, default=1, help="rounds played first, not counted")
    parser.add_argument("--profile", default="", help="write cProfile's statistics of the rounds here")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args(argv)

    import django

    django.setup()
    # As config/wsgi.py does when a server process starts.
    from cordee.pathways.answers import load_growth_references
    from loadtest import users

    load_growth_references()
    meter = Meter()
    rng = random.Random(args.seed)
    total = args.warm + args.rounds
    numbers = [(args.first_user - 1 + i) % users.COUNT + 1 for i in range(total)]
    for number in numbers[: args.warm]:
        play(Browser(meter), users.username(number), rng)
    meter.rows.clear()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU, not waits on the database
        profiler.enable()
    for number in numbers[args.warm :]:
        play(Browser(meter), users.username(number), rng)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    report(meter)
    return 0


if __name__ == "__main__":
    sys.exit(main())
