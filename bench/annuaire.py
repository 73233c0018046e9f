"""`make bench`, the national directory (DIR-2): a generated Annuaire Santé extract in the
published layout, imported twice with `import_annuaire`'s importer.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.annuaire run [--rows 2000000]
    python -m bench.annuaire generate FILE [--rows N]          (the extract only)
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.annuaire import FILE   (one import)

The extract: fictitious professionals (RPPS with a valid key, some ADELI), one to three
activities each across the communes of the COG, the usual professions and savoir-faire, a FINESS
or SIRET site on some lines, and a few wrong lines. Each import runs in a child process, so its
wall time and peak memory (the process's maximum resident set, Django included) are its own.
Lines printed:

    BENCH annuaire_import rows=<n> seconds=<x> peak_mb=<x>
    BENCH annuaire_reimport rows=<n> seconds=<x> peak_mb=<x>

Goals: at least 20,000 rows a second and under 300 MB for the first import; at least 50,000 rows a
second for the second one (nothing to write).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from stdnum import luhn

ROWS = 2_000_000
GOAL_ROWS_PER_SECOND = 20_000
GOAL_REIMPORT_ROWS_PER_SECOND = 50_000
GOAL_PEAK_MB = 300
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "annuaire" / "PS_LibreAcces_Personne_activite_exemple.txt"
PROFESSIONS = [
    ("10", "Médecin", 30),
    ("60", "Infirmier", 35),
    ("70", "Masseur-Kinésithérapeute", 10),
    ("21", "Pharmacien", 8),
    ("50", "Sage-Femme", 3),
    ("40", "Chirurgien-Dentiste", 5),
    ("91", "Orthophoniste", 3),
    ("93", "Psychologue", 6),
]
SPECIALTIES = [
    ("SM54", "Médecine générale"),
    ("SM40", "Pédiatrie"),
    ("SM04", "Cardiologie et maladies vasculaires"),
    ("SM53", "Spécialiste en médecine générale"),
    ("SM49", "Santé publique et médecine sociale"),
]
LAST = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU"]
LAST += [
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
]
LAST += ["D'ALMEIDA", "LE GALL", "BÉRAUD", "ESTÈVE", "N'DIAYE", "FAURE-DUPRÉ", "GIRAUD", "MERCIER", "BLANC"]
FIRST = ["CAMILLE", "LÉA", "JULIEN", "THOMAS", "MARIE-CLAIRE", "SOPHIE", "ÉLODIE", "PAUL", "CHLOÉ", "NICOLAS"]
STREETS = ["Rue DE LA RÉPUBLIQUE", "Avenue JEAN MÉDECIN", "Boulevard DU LITTORAL", "Chemin DES VIGNES"]


def _communes() -> list[tuple[str, str, str]]:
    with (ROOT / "data" / "communes.csv").open(encoding="utf-8", newline="") as handle:
        return [
            (row["code"], row["name"], (row["postal_codes"].split() or ["00000"])[0])
            for row in csv.DictReader(handle)
            if row["departement"] and len(row["departement"]) <= 3 and not row["departement"].startswith("98")
        ]


def generate(path: Path, rows: int, *, seed: int = 21) -> int:
    """Write an extract of `rows` data lines (plus the header); returns the lines written."""
    rng = random.Random(seed)  # noqa: S311 - fictitious data, reproducible from its seed
    header = SAMPLE.read_text(encoding="utf-8").split("\n", 1)[0]
    columns = header.split("|")
    index = {name: i for i, name in enumerate(columns)}
    communes = _communes()
    weights = [w for _, _, w in PROFESSIONS]
    written = 0
    person = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(header + "\n")
        while written < rows:
            person += 1
            code, label, _ = rng.choices(PROFESSIONS, weights)[0]
            if code in ("60", "93") and rng.random() < 0.3:
                kind, number = "0", f"{rng.randint(1, 95):02d}{person % 10_000_000:07d}"
            else:
                body = f"1{person:09d}"
                kind, number = "8", body + luhn.calc_check_digit(body)
            specialty = rng.choice(SPECIALTIES) if code == "10" else ("", "")
            last, first = rng.choice(LAST), rng.choice(FIRST)
            for _ in range(min(rng.choice((1, 1, 1, 2, 2, 3)), rows - written)):
                commune, name, postal = rng.choice(communes)
                values = [""] * len(columns)
                values[index["Type d'identifiant PP"]] = kind
                values[index["Identifiant PP"]] = number
                values[index["Identification nationale PP"]] = kind + number
                values[index["Nom d'exercice"]] = last
                values[index["Prénom d'exercice"]] = first
                values[index["Code profession"]] = code
                values[index["Libellé profession"]] = label
                if specialty[0]:
                    values[index["Code type savoir-faire"]] = "S"
                    values[index["Libellé type savoir-faire"]] = "Spécialité ordinale"
                    values[index["Code savoir-faire"]], values[index["Libellé savoir-faire"]] = specialty
                values[index["Libellé mode exercice"]] = rng.choice(("Libéral", "Salarié"))
                draw = rng.random()
                if draw < 0.05:
                    values[index["Numéro FINESS site"]] = f"{commune[:2]}{rng.randint(0, 9_999_999):07d}"
                    values[index["Code secteur d'activité"]] = "SA01"
                elif draw < 0.1:
                    body = f"{rng.randint(0, 999_999_999_999):012d}"
                    values[index["Numéro SIRET site"]] = body + "0" + luhn.calc_check_digit(body + "0")
                    values[index["Code secteur d'activité"]] = "SA08"
                values[index["Raison sociale site"]] = f"CABINET {last}"
                values[index["Numéro Voie (coord. structure)"]] = str(rng.randint(1, 200))
                values[index["Libellé Voie (coord. structure)"]] = rng.choice(STREETS)
                values[index["Code postal (coord. structure)"]] = postal
                values[index["Code commune (coord. structure)"]] = commune
                values[index["Libellé commune (coord. structure)"]] = name
                values[index["Téléphone (coord. structure)"]] = f"04{rng.randint(0, 99_999_999):08d}"
                if rng.random() < 0.0005:  # a wrong line now and then: its rejection costs too
                    values[index["Nom d'exercice"]] = ""
                out.write("|".join(values) + "\n")
                written += 1
    return written


def _server_cpu() -> float | None:
    """CPU seconds (user and system) of this connection's PostgreSQL backend so far, when the
    server runs on this machine (its /proc entry is readable); None elsewhere or on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_once(path: Path) -> tuple[int, float, float | None, float]:
    """One import (the importer of `manage.py import_annuaire`): (lines, seconds, the PostgreSQL
    backend's CPU seconds when measurable, the MB of their own its reading processes held)."""
    from cordee.directory.importer import Importer

    server = _server_cpu()
    started = time.perf_counter()
    importer = Importer(lambda: path.open("rb"))
    report = importer.run()
    seconds = time.perf_counter() - started
    after = _server_cpu()
    readers_mb = sum(importer.reader_memory) / 2**20
    return report.lines, seconds, None if server is None or after is None else after - server, readers_mb


def _child_import(path: Path) -> tuple[int, float, float, float, float | None]:
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.annuaire", "import", str(path)],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    report = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"the import failed ({status})")
    lines = int(report.split("lines=")[1].split()[0])
    seconds = float(report.split("seconds=")[1].split()[0])
    server = report.split("server_cpu=")[1].split()[0]
    server_cpu = None if server == "None" else float(server)
    readers_mb = float(report.split("readers_mb=")[1].split()[0])
    # The peak: the largest process's (wait4 gives the maximum over the import's process and the
    # reading processes it forked), plus the reading processes' own pages (not shared with it).
    peak = usage.ru_maxrss / 1024 + readers_mb  # kB on Linux
    # CPU: the import's process and its reading processes (reaped: their times are included).
    return lines, seconds, peak, usage.ru_utime, server_cpu


def _in_process_import(path: Path) -> tuple[int, float, float, float, float | None]:
    """The same in this process (the tests' database is not reachable from a child process)."""
    import resource

    cpu = time.process_time()
    lines, seconds, server_cpu, readers_mb = import_once(path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return lines, seconds, usage.ru_maxrss / 1024 + readers_mb, time.process_time() - cpu, server_cpu


def run(rows: int = ROWS, *, out: TextIO = sys.stdout, isolated: bool = True) -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "PS_LibreAcces_Personne_activite_bench.txt"
        started = time.perf_counter()
        generate(path, rows)
        print(f"annuaire: extract of {rows} lines written in {time.perf_counter() - started:.1f} s", file=out)
        for name, goal in (("import", GOAL_ROWS_PER_SECOND), ("reimport", GOAL_REIMPORT_ROWS_PER_SECOND)):
            count, seconds, peak, cpu, server_cpu = (
                _child_import(path) if isolated else _in_process_import(path)
            )
            rate = count / max(seconds, 0.001)
            verdict = "ok" if rate >= goal and peak < GOAL_PEAK_MB else "MISSED"
            server = (
                "PostgreSQL's backend not measurable here"
                if server_cpu is None
                else f"PostgreSQL's backend {server_cpu:.1f} s CPU; "
                f"{count / max(cpu + server_cpu, 0.001):.0f} rows per CPU second of both"
            )
            print(
                f"annuaire_{name}: {count} rows in {seconds:.1f} s ({rate:.0f} rows/s), "
                f"peak {peak:.0f} MB, CPU {cpu:.1f} s user in the importer's processes, "
                f"{server} [{verdict}]",
                file=out,
                flush=True,
            )
            lines.append(f"BENCH annuaire_{name} rows={count} seconds={seconds:.1f} peak_mb={peak:.0f}")
    for line in lines:
        print(line, file=out)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.annuaire")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run")
    run_parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ANNUAIRE_ROWS", ROWS)))
    generate_parser = commands.add_parser("generate")
    generate_parser.add_argument("file", type=Path)
    generate_parser.add_argument("--rows", type=int, default=ROWS)
    import_parser = commands.add_parser("import")
    import_parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "generate":
        print(generate(args.file, args.rows))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if args.command == "import":
        count, seconds, server_cpu, readers_mb = import_once(args.file)
        server = "None" if server_cpu is None else f"{server_cpu:.3f}"
        print(
            f"lines={count} seconds={seconds:.3f} server_cpu={server} readers_mb={readers_mb:.1f}",
            flush=True,
        )
    else:
        run(args.rows)


if __name__ == "__main__":  # pragma: no cover - command-line entry
    main()
