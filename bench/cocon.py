"""`make bench`, the Cocon part (COC-4, COC-5): a cohort on top of the benchmark region, then the
extraction of every closed notebook (CSV and XLSX) and the cohort dashboard, through the views.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.cocon generate [--children N] [--notebooks N]
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.cocon run [--requests 200]
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.cocon export csv|xlsx   (one extraction)

The cohort: children of the region (their birth dates moved to the last eight years), included
with a term and birth weight, their stored calendar, and closed notebooks filled like the demo's
(every item of the shipped notebook, plausible values) — loaded with COPY. Each extraction runs
in a child process (`export`), so its wall time and its peak memory (the process's maximum
resident set, all of Django included) are measured alone. Lines printed:

    BENCH cocon_export_csv rows=<n> seconds=<x> peak_mb=<x>
    BENCH cocon_export_xlsx rows=<n> seconds=<x> peak_mb=<x>
    BENCH cocon_dashboard n=<children> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n> floor_p95_ms=<x>
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any, TextIO

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from bench.generate import _next_id, existing_region, load
from bench.run import Scenario, measure, percentile
from cordee.accounts.models import User
from cordee.cocon.autofill import autofill
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.schedule import BY_CODE, MOBILE_TEAM_CODE, missed_from, windows
from cordee.core import clock
from cordee.pathways.answers import Context, read_post, validate
from cordee.pathways.loader import load_shipped
from cordee.pathways.models import FormResponse, FormRevision, FormStatus, Questionnaire
from cordee.patients.models import Patient

CHILDREN = 20_000
NOTEBOOKS = 150_000
STAFF_GROUP = "Réseau périnatal — évaluation Cocon"
GOAL_DASHBOARD_MS = 200.0
GOAL_ROWS_PER_SECOND = 10_000
GOAL_PEAK_MB = 300
TERMS = [24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41]
TERM_WEIGHTS = [1, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6, 6, 5, 3, 3, 5, 4, 2]


def _now() -> datetime.datetime:
    return timezone.now()


def _json(value: dict[str, Any]) -> Any:
    """COPY needs psycopg's Jsonb wrapper; the SQLite fallback prepares the value itself."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


class CohortGenerator:
    def __init__(self, children: int, notebooks: int, seed: int, out: TextIO) -> None:
        self.children = children
        self.notebooks = notebooks
        self.rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
        self.out = out
        self.today = clock.today()

    def templates(self) -> dict[str, tuple[int, int, dict[str, Any]]]:
        """Per notebook: (version id, theme id, answers of a plausible closed notebook)."""
        load_shipped()
        rows = {}
        for questionnaire in Questionnaire.objects.filter(code__in=[*BY_CODE, MOBILE_TEAM_CODE]):
            version = questionnaire.current_version()
            assert version is not None
            definition = version.parsed()
            months = (
                BY_CODE[questionnaire.code].age.months + 12 * BY_CODE[questionnaire.code].age.years
                if (questionnaire.code in BY_CODE)
                else 4
            )
            birth = self.today - datetime.timedelta(days=round(months * 30.4375))
            data = autofill(definition, self.today, months, self.rng)
            context = Context(today=self.today, birth_date=birth, gestational_age_days=None, sex="F")
            result = validate(definition, read_post(definition, data, {}), context, closing=True)
            if not result.ok:
                raise RuntimeError(f"{questionnaire.code}: the template does not validate: {result.errors}")
            rows[questionnaire.code] = (version.pk, questionnaire.theme_id, result.answers)
        return rows

    def run(self) -> None:
        started = time.monotonic()
        templates = self.templates()
        referent = User.objects.order_by("pk").first()
        region = existing_region()
        if region is not None:
            referent = region.pediatrician
        assert referent is not None
        criteria = list(InclusionCriterion.objects.values_list("pk", flat=True))
        patient_ids = list(
            Patient.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        chosen = sorted(self.rng.sample(patient_ids, min(self.children, len(patient_ids))))
        births: dict[int, datetime.date] = {}
        for pk in chosen:
            births[pk] = self.today - datetime.timedelta(days=self.rng.randint(20, 8 * 365))
        # Children: their birth dates moved to the last eight years (UPDATE … FROM VALUES).
        if connection.vendor != "postgresql":
            for pk in chosen:
                Patient.objects.filter(pk=pk).update(birth_date=births[pk])
        with connection.cursor() as cursor:
            for batch_start in range(0, len(chosen) if connection.vendor == "postgresql" else 0, 5000):
                batch = chosen[batch_start : batch_start + 5000]
                values = ", ".join(["(%s, %s::date)"] * len(batch))
                params: list[Any] = []
                for pk in batch:
                    params += [pk, births[pk]]
                cursor.execute(
                    "UPDATE patients_patient AS p SET birth_date = v.birth "  # noqa: S608
                    f"FROM (VALUES {values}) AS v(id, birth) "
                    "WHERE p.id = v.id",
                    params,
                )
        now = _now()
        inclusion_id = (Inclusion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        inclusions = []
        ga_of: dict[int, int] = {}
        for offset, pk in enumerate(chosen):
            weeks = self.rng.choices(TERMS, TERM_WEIGHTS)[0]
            days = self.rng.randint(0, 6)
            ga_of[pk] = weeks * 7 + days
            birth = births[pk]
            ended = self.rng.random() < 0.04
            inclusions.append(
                (
                    inclusion_id + offset,
                    uuid.uuid4(),
                    now,
                    now,
                    pk,
                    min(self.today, birth + datetime.timedelta(days=self.rng.randint(2, 30))),
                    weeks,
                    days,
                    max(400, int(3400 - (40 - weeks) * 160 + self.rng.randint(-250, 250))),
                    referent.pk,
                    self.today - datetime.timedelta(days=self.rng.randint(1, 200)) if ended else None,
                    "MOVED" if ended else "",
                    1,
                )
            )
        count = load(
            Inclusion,
            [
                "id", "public_id", "created_at", "updated_at", "patient_id", "inclusion_date",
                "gestational_age_weeks", "gestational_age_days", "birth_weight_g", "referent_pediatrician_id",
                "ended_on", "end_reason", "version",
            ],
            inclusions,
        )  # fmt: skip
        through = Inclusion.criteria.through
        first = _next_id(through)
        load(
            through,
            ["id", "inclusion_id", "inclusioncriterion_id"],
            ((first + n, row[0], self.rng.choice(criteria)) for n, row in enumerate(inclusions)),
        )
        print(f"  {count} inclusions", file=self.out, flush=True)
        self._notebooks_and_calendar(inclusions, births, ga_of, templates, now)
        with connection.cursor() as cursor:
            for table in (
                "cocon_inclusion",
                "cocon_scheduledstep",
                "pathways_formresponse",
                "patients_patient",
            ):
                if connection.vendor == "postgresql":
                    # VACUUM too: the birth dates rewritten above clear the visibility map, and
                    # index-only scans (the dashboard's commune lookup) would read the heap.
                    # (Not inside a transaction, as in the test suite: ANALYZE alone there.)
                    vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                    cursor.execute(f"{vacuum} {table}")
        staff, _ = Group.objects.get_or_create(name=STAFF_GROUP)
        if region is not None:
            staff.user_set.add(region.coordinator)
        print(f"Cocon cohort generated in {time.monotonic() - started:.0f} s.", file=self.out, flush=True)

    def _notebooks_and_calendar(
        self,
        inclusions: list[tuple[Any, ...]],
        births: dict[int, datetime.date],
        ga_of: dict[int, int],
        templates: dict[str, tuple[int, int, dict[str, Any]]],
        now: datetime.datetime,
    ) -> None:
        form_id = (FormResponse.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        forms: list[tuple[Any, ...]] = []
        steps: list[tuple[Any, ...]] = []
        # How many notebooks each child's elapsed windows allow, then a rate to reach the target.
        calendars = {row[4]: windows(births[row[4]], ga_of[row[4]]) for row in inclusions}
        elapsed = sum(
            1 for calendar in calendars.values() for window in calendar if window.opens <= self.today
        )
        rate = min(1.0, self.notebooks / max(1, elapsed))
        for row in inclusions:
            pk = row[4]
            calendar = calendars[pk]
            for rank, window in enumerate(calendar, start=1):
                following = calendar[rank] if rank < len(calendar) else None
                done_on = None
                form_pk = None
                if window.opens <= self.today and len(forms) < self.notebooks and self.rng.random() < rate:
                    late = self.rng.random() < 0.2
                    day = (
                        window.closes + datetime.timedelta(days=self.rng.randint(1, 40))
                        if late
                        else (window.target + datetime.timedelta(days=self.rng.randint(-10, 10)))
                    )
                    day = min(day, self.today)
                    version_id, theme_id, template = templates[window.step.code]
                    answers = dict(template)
                    answers["date_consultation"] = day.isoformat()
                    for key in ("poids", "taille", "pc"):
                        if isinstance(answers.get(key), float):
                            answers[key] = round(answers[key] * self.rng.uniform(0.9, 1.1), 2)
                    form_pk = form_id + len(forms)
                    closed = datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=datetime.UTC)
                    forms.append(
                        (
                            form_pk,
                            uuid.uuid4(),
                            closed,
                            closed,
                            pk,
                            version_id,
                            theme_id,
                            _json(answers),
                            closed,
                        )
                    )
                    done_on = day
                steps.append(
                    (row[0], window.step.code, rank, window.opens, window.closes, window.target,
                     missed_from(window, following), done_on, form_pk)
                )  # fmt: skip
        # The mobile team's home visits (up to 12 months, a few each) up to the target count.
        mobile = templates.get(MOBILE_TEAM_CODE)
        young = [row for row in inclusions if (self.today - births[row[4]]).days < 365]
        if mobile is not None:
            for row in young * 4:
                if len(forms) >= self.notebooks:
                    break
                pk = row[4]
                day = births[pk] + datetime.timedelta(
                    days=self.rng.randint(15, max(16, (self.today - births[pk]).days))
                )
                answers = dict(mobile[2])
                answers["date_consultation"] = min(day, self.today).isoformat()
                closed = datetime.datetime.combine(
                    min(day, self.today), datetime.time(11, 0), tzinfo=datetime.UTC
                )
                forms.append(
                    (
                        form_id + len(forms),
                        uuid.uuid4(),
                        closed,
                        closed,
                        pk,
                        mobile[0],
                        mobile[1],
                        _json(answers),
                        closed,
                    )
                )
        saver = self._saver()
        count = load(
            FormResponse,
            ["id", "public_id", "created_at", "updated_at", "patient_id", "questionnaire_version_id",
             "theme_id",
             "answers", "closed_at", "status", "version"],
            ((*form, FormStatus.CLOSED, 1) for form in forms),
        )  # fmt: skip
        first = _next_id(FormRevision)
        load(
            FormRevision,
            ["id", "response_id", "number", "action", "status", "answers", "saved_at", "saved_by_id"],
            (
                (
                    first + n,
                    form[0],
                    1,
                    FormRevision.Action.CLOSED,
                    FormStatus.CLOSED,
                    form[7],
                    form[8],
                    saver,
                )
                for n, form in enumerate(forms)
            ),
        )
        first = _next_id(ScheduledStep)
        load(
            ScheduledStep,
            [
                "id",
                "inclusion_id",
                "step",
                "rank",
                "opens_on",
                "closes_on",
                "target_on",
                "missed_from",
                "done_on",
                "form_id",
            ],
            ((first + n, *step) for n, step in enumerate(steps)),
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (
                    FormResponse,
                    Inclusion,
                    FormRevision,
                    ScheduledStep,
                    Inclusion.criteria.through,
                ):
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT MAX(id) FROM {table}))"
                    )
        print(f"  {count} closed notebooks, {len(steps)} calendar steps", file=self.out, flush=True)

    def _saver(self) -> int:
        region = existing_region()
        user = region.pediatrician if region else User.objects.order_by("pk").first()
        assert user is not None
        return user.pk


def generate(
    children: int = CHILDREN, notebooks: int = NOTEBOOKS, *, seed: int = 51, out: TextIO = sys.stdout
) -> None:
    if Inclusion.objects.exists():
        print(f"Cocon cohort already generated ({Inclusion.objects.count()} children): kept.", file=out)
        return
    print(
        f"Generating a Cocon cohort: {children} children, {notebooks} closed notebooks…", file=out, flush=True
    )
    CohortGenerator(children, notebooks, seed, out).run()


# --- measures ---------------------------------------------------------------------------------


def export_once(output: str) -> int:
    """One extraction of every closed notebook through the view, the body read and dropped."""
    from bench.run import client_for

    staff = Group.objects.get(name=STAFF_GROUP).user_set.order_by("pk").first()
    if staff is None:
        raise SystemExit("Nobody holds the extraction right: run `bench.cocon generate` first.")
    client = client_for(staff, None)
    started = time.perf_counter()
    response = client.get("/cocon/extraction/", {"output": output})
    if response.status_code != 200:
        raise RuntimeError(f"extraction answered {response.status_code}")
    size = 0
    for chunk in response.streaming_content:  # type: ignore[attr-defined]
        size += len(chunk)
    # The request alone, first byte asked to last byte read (not the interpreter's start-up).
    print(f"seconds={time.perf_counter() - started:.3f} bytes={size}", flush=True)
    return size


def _child_run(output: str) -> tuple[float, float]:
    """(seconds, peak resident MB) of one extraction in its own process."""
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.cocon", "export", output],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    report = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"the {output} extraction failed ({status})")
    seconds = float(report.split("seconds=")[1].split()[0])
    return seconds, usage.ru_maxrss / 1024  # kB on Linux


def _in_process_run(output: str) -> tuple[float, float]:
    """The same in this process (the tests' database is not reachable from a child process)."""
    import resource

    started = time.monotonic()
    export_once(output)
    return time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(requests: int = 200, *, out: TextIO = sys.stdout, isolated: bool = True) -> list[str]:
    rows = FormResponse.objects.filter(
        status=FormStatus.CLOSED,
        questionnaire_version__questionnaire__code__in=[*BY_CODE, MOBILE_TEAM_CODE],
        patient__cocon_inclusion__isnull=False,
    ).count()
    children = Inclusion.objects.count()
    lines = []
    for output in ("csv", "xlsx"):
        seconds, peak = _child_run(output) if isolated else _in_process_run(output)
        verdict = (
            "ok"
            if peak < GOAL_PEAK_MB and (output == "xlsx" or rows / seconds >= GOAL_ROWS_PER_SECOND)
            else "MISSED"
        )
        print(
            f"cocon_export_{output}: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s), "
            f"peak {peak:.0f} MB [{verdict}]",
            file=out,
            flush=True,
        )
        lines.append(f"BENCH cocon_export_{output} rows={rows} seconds={seconds:.1f} peak_mb={peak:.0f}")
    staff = Group.objects.get(name=STAFF_GROUP).user_set.order_by("pk").first()
    assert staff is not None
    zones = list(_zone_ids())
    urls = ["/cocon/tableau-de-bord/"] + [f"/cocon/tableau-de-bord/?zone={zone}" for zone in zones[:3]]
    result = measure(
        Scenario("cocon_dashboard", staff, None, urls, "the cohort, then by zone"), children, requests
    )
    p95 = percentile(result.timings, 95)
    verdict = "ok" if p95 <= GOAL_DASHBOARD_MS else "MISSED"
    print(
        f"cocon_dashboard p95 {p95:.1f} ms, floor {percentile(result.floor, 95):.1f} ms, "
        f"{max(result.queries)} queries [{verdict}]",
        file=out,
        flush=True,
    )
    lines.append(result.line())
    for line in lines:
        print(line, file=out)
    return lines


def _zone_ids() -> Iterator[str]:
    from cordee.territory.models import Zone

    for public_id in (
        Zone.objects.filter(communes__isnull=False).distinct().values_list("public_id", flat=True)
    ):
        yield str(public_id)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--children", type=int, default=int(os.environ.get("BENCH_COCON_CHILDREN", CHILDREN)))
    gen.add_argument("--notebooks", type=int, default=int(os.environ.get("BENCH_COCON_NOTEBOOKS", NOTEBOOKS)))
    measure_parser = sub.add_parser("run")
    measure_parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    export = sub.add_parser("export")
    export.add_argument("output", choices=["csv", "xlsx"])
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.children, args.notebooks)
    elif args.command == "run":
        run(args.requests)
    else:
        export_once(args.output)


if __name__ == "__main__":  # pragma: no cover
    main()
