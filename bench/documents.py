"""`make bench`, the documents part (ACT-4): two million documents' metadata over the region
(their files need not exist for the list) and one dossier holding 2,000 of them, then its
documents tab through the view — as is, sorted, searched, paged, and filtered by category and
type — and the upload of a 50 MB file, in a process of its own whose peak memory is measured.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.documents generate [--documents N] [--big N]
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.documents run [--requests 200]
    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.documents upload [--mb 50]   (one upload)

Lines printed:

    BENCH documents_dossier n=<documents> p50_ms=<x> p95_ms=<x> p99_ms=<x> queries=<n> floor_p95_ms=<x>
    BENCH documents_dossier_filtered n=<documents> p50_ms=… (category + type)
    BENCH document_upload_50mb seconds=<x> peak_mb=<x>

Goals: the tab's p95 ≤ 100 ms and within the floor rule of `bench.run`, its query count the same
whatever the variant; the upload's peak resident memory (the whole process, Django included)
under 100 MB — the file is streamed to disk, never read whole.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any, TextIO

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench.generate import COORDINATOR, _next_id, _reset_sequences, existing_region, load
from bench.run import GOAL_MS, Scenario, measure, percentile
from cordee.accounts.models import User
from cordee.careteam.access import visible_dossiers
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.documents.models import Document, DocumentCategory, DocumentShare, DocumentType
from cordee.patients.models import Patient

DOCUMENTS = 2_000_000
BIG = 2_000
UPLOAD_MB = 50
GOAL_UPLOAD_PEAK_MB = 100
TITLES = [
    "Compte rendu de consultation",
    "Bilan orthophonique",
    "Courrier de liaison",
    "Fiche d'orientation",
    "Compte rendu d'hospitalisation",
    "Ordonnance",
    "Bilan psychomoteur",
    "Évaluation sociale",
    "Certificat de santé",
    "Synthèse de réunion",
]
COLUMNS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "created_by_id",
    "patient_id",
    "file",
    "name",
    "content_type",
    "size",
    "sha256",
    "source",
    "category_id",
    "doc_type_id",
    "title",
    "document_date",
    "visibility",
    "structure_id",
    "lineage",
    "version",
    "is_current",
    "withdrawal_reason",
]


def big_dossier() -> tuple[Patient, Actor]:
    """The dossier of the 2,000 documents: the first the region's coordinator sees, as her DAC."""
    coordinator = User.objects.get(username=COORDINATOR)
    actor = Actor(user=coordinator, membership=coordinator.memberships.select_related("structure").get())
    patient = visible_dossiers(actor).order_by("pk").first()
    if patient is None:
        raise SystemExit("The region's coordinator sees no dossier: run `python -m bench.generate` first.")
    return patient, actor


class DocumentsGenerator:
    def __init__(self, documents: int, big: int, seed: int, out: TextIO) -> None:
        self.documents, self.big, self.out = documents, big, out
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.types = list(DocumentType.objects.values_list("pk", "category_id"))
        self.categories = list(DocumentCategory.objects.values_list("pk", flat=True))
        self.now = timezone.now()

    def run(self) -> None:
        patient, actor = big_dossier()
        patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
        users = list(User.objects.filter(is_staff=False).order_by("pk").values_list("pk", flat=True)[:2000])
        first = _next_id(Document)
        started = time.monotonic()
        # Rows made before the COPY: a query while it runs would wait for its connection for ever.
        rows = list(self._rows(first, patient.pk, actor, patient_ids, users))
        count = load(Document, COLUMNS, rows)
        shared = list(
            Document.objects.filter(patient=patient, visibility=Document.Visibility.SHARED).values_list(
                "pk", flat=True
            )
        )
        # The first id is read before the COPY starts: a query inside the rows' generator would
        # wait for the connection the COPY holds, for ever.
        first_share = _next_id(DocumentShare)
        load(
            DocumentShare,
            ["id", "document_id", "user_id", "structure_id"],
            [(first_share + n, pk, actor.user.pk, None) for n, pk in enumerate(shared)],
        )
        # The rows came with their ids: the next document added through the app (the upload
        # measure) takes its id from the sequence, moved past them.
        _reset_sequences(Document, DocumentShare)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Document._meta.db_table}")
        print(f"{count} documents in {time.monotonic() - started:.0f} s", file=self.out, flush=True)

    def _rows(
        self, first: int, big_patient: int, actor: Actor, patient_ids: list[int], users: list[int]
    ) -> Iterator[list[Any]]:
        rng = self.rng
        for n in range(self.documents):
            in_big = n < self.big
            type_id, category_id = rng.choice(self.types)
            added = self.now - datetime.timedelta(minutes=rng.randrange(0, 6 * 365 * 24 * 60))
            shared = in_big and n % 10 == 0
            key = uuid.UUID(int=rng.getrandbits(128), version=4)
            yield [
                first + n,
                key,
                added,
                added,
                actor.user.pk if in_big else rng.choice(users),
                big_patient if in_big else rng.choice(patient_ids),
                f"documents/bench/{key.hex}",
                f"{TITLES[n % len(TITLES)]}.pdf",
                "application/pdf",
                rng.randrange(20_000, 3_000_000),
                f"{rng.getrandbits(256):064x}",
                Document.Source.UPLOAD,
                category_id,
                type_id,
                f"{TITLES[n % len(TITLES)]} n° {n}",
                clock.date_of(added - datetime.timedelta(days=rng.randrange(0, 30))),
                Document.Visibility.SHARED if shared else Document.Visibility.PUBLIC,
                actor.structure.pk if in_big and actor.structure else None,
                key,
                1,
                True,
                "",
            ]


def generate(documents: int = DOCUMENTS, big: int = BIG, *, seed: int = 16, out: TextIO = sys.stdout) -> None:
    if existing_region() is None:
        raise SystemExit("No benchmark region in this database: run `python -m bench.generate` first.")
    if Document.objects.filter(file__startswith="documents/bench/").exists():
        print(f"Documents already generated ({Document.objects.count()}): kept.", file=out)
        return
    print(f"Generating {documents} documents, {big} in one dossier…", file=out, flush=True)
    DocumentsGenerator(documents, big, seed, out).run()


# --- measures ---------------------------------------------------------------------------------


def scenarios() -> list[Scenario]:
    patient, actor = big_dossier()
    tab = reverse("documents:tab", kwargs={"public_id": patient.public_id})
    held = Document.objects.filter(patient=patient).count()
    pairs = list(
        Document.objects.filter(patient=patient)
        .values_list("category__code", "doc_type_id")
        .distinct()
        .order_by("category__code", "doc_type_id")[:6]
    )
    return [
        Scenario(
            "documents_dossier",
            actor.user,
            actor.structure,
            [tab, f"{tab}?tri=date", f"{tab}?page=3", f"{tab}?q=bilan", f"{tab}?tri=titre"],
            f"{held} documents in the dossier",
        ),
        Scenario(
            "documents_dossier_filtered",
            actor.user,
            actor.structure,
            [f"{tab}?categorie={code}&type={type_id}" for code, type_id in pairs],
            f"{held} documents, category + type",
        ),
    ]


def _multipart(path: str, boundary: str, megabytes: int, fields: dict[str, str]) -> None:
    """The upload's body written to disk by chunks: the measured process never holds it."""
    chunk = b"0" * (1024 * 1024)
    with open(path, "wb") as body:
        for name, value in fields.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="uploads"; filename="imagerie.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
        )
        body.write(b"%PDF-1.7\n")
        for _ in range(megabytes):
            body.write(chunk)
        body.write(f"\r\n--{boundary}--\r\n".encode())


def upload_once(megabytes: int = UPLOAD_MB) -> tuple[float, float]:
    """One upload of a `megabytes` file through the add view, its body read from disk by the
    WSGI handler as a server would; the size limit raised for it. Returns the seconds taken and
    the process's peak memory before the upload (MB)."""
    from django.conf import settings
    from django.test import Client
    from django.test.client import ClientHandler

    patient, actor = big_dossier()
    settings.CORDEE_MAX_UPLOAD_BYTES = (megabytes + 1) * 1024 * 1024
    client = Client()
    client.force_login(actor.user)
    session = client.session
    if actor.structure is not None:
        from cordee.core.middleware import ACTING_STRUCTURE_KEY

        session[ACTING_STRUCTURE_KEY] = str(actor.structure.public_id)
        session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # The page first, as a person opens it before choosing a file: every module of the request
    # loaded, so what the upload itself adds to the process is told apart.
    client.get(reverse("documents:add", kwargs={"public_id": patient.public_id}))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    boundary = uuid.uuid4().hex
    fields = {
        "category": str(DocumentCategory.objects.get(code="31").pk),
        "doc_type": "",
        "title": "Imagerie (bench)",
        "document_date": clock.today().isoformat(),
        "visibility": "PUBLIC",
    }
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "body")
        _multipart(path, boundary, megabytes, fields)
        with open(path, "rb") as body:
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": reverse("documents:add", kwargs={"public_id": patient.public_id}),
                "QUERY_STRING": "",
                "SERVER_NAME": "testserver",
                "SERVER_PORT": "80",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                "CONTENT_LENGTH": str(os.path.getsize(path)),
                "HTTP_COOKIE": f"{cookie.key}={cookie.value}",
                "wsgi.input": body,
                "wsgi.url_scheme": "http",
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": False,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
                "wsgi.version": (1, 0),
            }
            started = time.perf_counter()
            response = ClientHandler(enforce_csrf_checks=False)(environ)
            seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"the upload answered {response.status_code}")
    print(f"seconds={seconds:.3f} before_mb={before:.1f}", flush=True)
    return seconds, before


def _child_upload(megabytes: int) -> tuple[float, float, float]:
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.documents", "upload", "--mb", str(megabytes)],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    report = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"the upload failed ({status})")
    seconds, before = (float(report.split(f"{key}=")[1].split()[0]) for key in ("seconds", "before_mb"))
    return seconds, before, usage.ru_maxrss / 1024  # kB on Linux


def run(
    requests: int = 200, *, out: TextIO = sys.stdout, isolated: bool = True, upload_mb: int = UPLOAD_MB
) -> list[str]:
    lines = []
    documents = Document.objects.count()
    for scenario in scenarios():
        result = measure(scenario, documents, requests)
        verdict = "ok" if result.meets_goal and len(set(result.queries)) == 1 else "MISSED"
        print(
            f"{scenario.name:26} p95 {percentile(result.timings, 95):7.1f} ms (goal {GOAL_MS:.0f}), floor "
            f"{percentile(result.floor, 95):6.1f} ms, queries {sorted(set(result.queries))} [{verdict}] — "
            f"{scenario.note}",
            file=out,
            flush=True,
        )
        lines.append(result.line())
    if isolated:
        seconds, before, peak = _child_upload(upload_mb)
    else:  # the tests' database is not reachable from a child process
        seconds, before = upload_once(upload_mb)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "ok" if peak < GOAL_UPLOAD_PEAK_MB else "MISSED"
    print(
        f"document_upload_{upload_mb}mb: {seconds:.1f} s, peak {peak:.0f} MB, of which the upload "
        f"added {peak - before:.0f} MB to the page's own {before:.0f} MB [{verdict}]",
        file=out,
        flush=True,
    )
    added = peak - before
    lines.append(
        f"BENCH document_upload_{upload_mb}mb seconds={seconds:.2f} peak_mb={peak:.0f} added_mb={added:.0f}"
    )
    for line in lines:
        print(line, file=out)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate")
    make.add_argument("--documents", type=int, default=DOCUMENTS)
    make.add_argument("--big", type=int, default=BIG)
    measure_ = commands.add_parser("run")
    measure_.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    once = commands.add_parser("upload")
    once.add_argument("--mb", type=int, default=UPLOAD_MB)
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.documents, args.big)
    elif args.command == "run":
        run(args.requests)
    else:
        upload_once(args.mb)


if __name__ == "__main__":  # pragma: no cover
    main()
