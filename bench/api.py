"""`make bench`, the FHIR Bulk Data part (issue 20): the DAC's Group — its 50,000 dossiers with
their CareTeams and Tasks — exported through `/fhir/Group/<DAC>/$export`, as a warehouse asks.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.api run
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.api export   (one export, this process)

The export runs in a child process (`export`), so that its wall time and its peak memory (the
process's maximum resident set, all of Django included) are measured alone: the kick-off with
the DAC coordinator's read token acting as the DAC (bench settings run the task inline, after
the kick-off's commit: the worker's own code, in the request), then the status URL's manifest.
Its files are removed afterwards (a DELETE of the export). Line printed:

    BENCH fhir_bulk_export resources=<n> seconds=<x> peak_mb=<x>

Goals: at least 5,000 resources a second, peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from typing import TextIO

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.test import Client

from bench.generate import COORDINATOR
from cordee.accounts.models import User
from cordee.api.models import ApiToken, BulkExport
from cordee.core import clock

# The issue's scenario: the patients with their CareTeams and Tasks (the region's Cocon
# notebooks, QuestionnaireResponses built by fhir.resources, are left out).
TYPES = ("Patient", "CareTeam", "Task")
GOAL_RESOURCES_PER_SECOND = 5_000
GOAL_PEAK_MB = 300


def export_once(out: TextIO = sys.stdout) -> tuple[int, float]:
    """One export of the DAC's Group: (resources written, seconds from kick-off to manifest)."""
    from cordee.api import bulk
    from cordee.api.tokens import issue_token

    coordinator = User.objects.get(username=COORDINATOR)
    membership = coordinator.memberships.select_related("structure").get()
    _, raw = issue_token(
        coordinator,
        name="bench bulk",
        scope=ApiToken.Scope.READ,
        expires_at=clock.now() + datetime.timedelta(days=1),
        membership=membership,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    started = time.perf_counter()
    kick_off = client.get(
        f"/fhir/Group/{membership.structure.public_id}/$export",
        {"_type": ",".join(TYPES)},
        HTTP_PREFER="respond-async",
    )
    if kick_off.status_code != 202:
        raise RuntimeError(f"the kick-off answered {kick_off.status_code}: {kick_off.content[:300]!r}")
    status_url = kick_off["Content-Location"].removeprefix("http://testserver")
    status = client.get(status_url)
    seconds = time.perf_counter() - started
    if status.status_code != 200:
        raise RuntimeError(f"the status URL answered {status.status_code}: {status.content[:300]!r}")
    manifest = json.loads(status.content)
    resources = sum(output["count"] for output in manifest["output"])
    export = BulkExport.objects.get(public_id=status_url.rsplit("/", 1)[1])
    bulk.cancel(export)  # its files removed
    print(f"seconds={seconds:.3f} resources={resources}", file=out, flush=True)
    return resources, seconds


def _child_run() -> tuple[int, float, float]:
    """(resources, seconds, peak resident MB) of one export in its own process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.api", "export"],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    report = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"the export failed ({status})")
    seconds = float(report.split("seconds=")[1].split()[0])
    resources = int(report.split("resources=")[1].split()[0])
    return resources, seconds, usage.ru_maxrss / 1024  # kB on Linux


def _in_process_run() -> tuple[int, float, float]:
    """The same in this process (the tests' database is not reachable from a child process)."""
    import io
    import resource

    resources, seconds = export_once(io.StringIO())
    return resources, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(*, out: TextIO = sys.stdout, isolated: bool = True) -> list[str]:
    resources, seconds, peak = _child_run() if isolated else _in_process_run()
    rate = resources / seconds if seconds else 0.0
    verdict = "ok" if rate >= GOAL_RESOURCES_PER_SECOND and peak < GOAL_PEAK_MB else "MISSED"
    print(
        f"fhir_bulk_export: {resources} resources in {seconds:.1f} s ({rate:.0f} resources/s), "
        f"peak {peak:.0f} MB [{verdict}]",
        file=out,
        flush=True,
    )
    line = f"BENCH fhir_bulk_export resources={resources} seconds={seconds:.1f} peak_mb={peak:.0f}"
    print(line, file=out)
    return [line]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("step", choices=["run", "export"])
    args = parser.parse_args(argv)
    if args.step == "export":
        export_once()
    else:
        run()


if __name__ == "__main__":  # pragma: no cover
    main()
