"""A throw-away PostgreSQL server of our own for `make faults`: restarting it, or filling its
disk, disturbs no other database on the machine (CI's, the developers')."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from loadtest.serving import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"{name} introuvable : installez le serveur PostgreSQL (paquet Debian postgresql).")
    return found[-1]


class Cluster:
    """initdb into a temporary directory, served on a free port of 127.0.0.1 (trust, local only).
    As root (CI), the server runs as the `postgres` system user, which PostgreSQL requires."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="cordee-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            _bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", quiet=True
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/cordee_faults"

    def _run(self, *command: str, quiet: bool = False) -> None:
        output = subprocess.DEVNULL if quiet else None
        subprocess.run([*self._as, *command], check=True, stdout=output, stderr=output)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
            quiet=True,
        )

    def stop(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", quiet=True)

    def create_database(self) -> None:
        subprocess.run(
            [_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "cordee_faults"],
            check=True,
        )

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise SystemExit("Le serveur PostgreSQL des pannes ne démarre pas.")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
