"""`make load` (issue 22): the production settings behind gunicorn on the bench region, the task
worker running, Locust headless at 10, 25, 50 and 100 concurrent users, then the recovery after
the surge. One line per level:

    LOAD booklet users=50 rps=… p50_ms=… p95_ms=… p99_ms=… errors=…
    LOAD recovery after=100 seconds=…

    python -m loadtest.run [--levels 10,25,50,100] [--seconds 60] [--workers 3 --threads 4]

DATABASE_URL names the region's database (built by `python -m bench.generate` if empty).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

from loadtest.serving import BIN, ROOT, environment, prepare_region, serving

OUT = ROOT / "var" / "load"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/cordee_bench_load"


def swarm(url: str, env: dict[str, str], users: int, seconds: int, tag: str) -> dict[str, float]:
    prefix = OUT / tag
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "loadtest" / "locustfile.py"),
            "--headless",
            f"--users={users}",
            f"--spawn-rate={max(users / 5, 2)}",
            f"--run-time={seconds}s",
            f"--host={url}",
            f"--csv={prefix}",
            "--csv-full-history",
            "--only-summary",
            "--loglevel=WARNING",
            "--stop-timeout=10",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": ""},
        check=False,
        stdout=subprocess.DEVNULL,
    )
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    return {
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "errors": float(total["Failure Count"]),
        "requests": float(total["Request Count"]),
    }


def recovery_seconds(prefix: Path, baseline_p95: float) -> float | None:
    """Seconds from the start of the calm run until the current p95 is back near the baseline."""
    with (prefix.parent / f"{prefix.name}_stats_history.csv").open() as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"] == "Aggregated"]
    if not rows:
        return None
    start = int(rows[0]["Timestamp"])
    for row in rows:
        current = row.get("95%") or "N/A"
        if current != "N/A" and float(current) <= max(baseline_p95 * 1.5, baseline_p95 + 50):
            return int(row["Timestamp"]) - start
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="10,25,50,100")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-prepare", action="store_true")
    args = parser.parse_args(argv)
    env = environment(os.environ.get("DATABASE_URL", DEFAULT_DATABASE), OUT)
    if not args.no_prepare:
        prepare_region(env)
    levels = [int(level) for level in args.levels.split(",")]
    results: dict[int, dict[str, float]] = {}
    with serving(env, OUT, workers=args.workers, threads=args.threads) as site:
        url = site.url
        for users in levels:
            results[users] = result = swarm(url, env, users, args.seconds, f"level_{users}")
            sys.stdout.write(
                f"LOAD booklet users={users} rps={result['rps']:.1f} p50_ms={result['p50']:.0f} "
                f"p95_ms={result['p95']:.0f} p99_ms={result['p99']:.0f} errors={result['errors']:.0f}\n"
            )
            sys.stdout.flush()
        surge = max(levels)
        calm = min(levels)
        swarm(url, env, calm, 45, "recovery")
        seconds = recovery_seconds(OUT / "recovery", results[calm]["p95"])
        shown = "never" if seconds is None else f"{seconds:.0f}"
        sys.stdout.write(f"LOAD recovery after={surge} users={calm} seconds={shown}\n")
    failed = any(result["errors"] for result in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
