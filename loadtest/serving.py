"""What `make load` and `make faults` share: the environment of a production-like server, a
region to serve, gunicorn and the task worker started and stopped around a run, and a browser
that signs in as a load user."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import requests
from django_otp.oath import totp

from loadtest import pages, users

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(database_url: str, out: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = "loadtest.settings"
    env.setdefault("CORDEE_SECRET_KEY", "load-test-only-" + "x" * 40)
    env["CORDEE_LOAD_MAIL_DIR"] = str(out / "mail")
    env["CORDEE_LOAD_MEDIA"] = str(out / "media")
    env["PYTHONPATH"] = str(ROOT)
    return env


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    output = subprocess.DEVNULL if quiet else None
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=output)


def prepare_region(env: dict[str, str], *, dossiers: int | None = None, quiet: bool = False) -> None:
    """Migrate, load the shipped questionnaires (as after each release), build the bench region
    (once: the generator leaves a region already there) and give it the load users."""
    bench = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    if dossiers is not None:
        bench["BENCH_DOSSIERS"] = str(dossiers)
    output = subprocess.DEVNULL if quiet else None
    manage(bench, "migrate", "--noinput", "-v", "0", quiet=quiet)
    manage(bench, "load_questionnaires", quiet=quiet)
    for module in ("bench.generate", "loadtest.prepare"):
        subprocess.run([str(BIN / "python"), "-m", module], cwd=ROOT, env=bench, check=True, stdout=output)


class Site:
    """A running server: its URL, and its task workers, which a fault may kill and restart."""

    def __init__(self, env: dict[str, str], log: IO[str]) -> None:
        self.env, self.log = env, log
        self.url = ""
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self, *command: str) -> subprocess.Popen[bytes]:
        """One more process of manage.py (by default the task worker)."""
        # The same worker id after a restart: it takes back the tasks it held when killed.
        args = command or ("task_worker", "--worker-id", "charge-1", "--interval", "0.5")
        process = subprocess.Popen(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        self.workers.append(process)
        return process

    def kill_workers(self) -> None:
        """SIGKILL: no chance to finish what they hold, as when a machine dies."""
        for process in self.workers:
            process.kill()
            process.wait()
        self.workers.clear()


@contextmanager
def serving(env: dict[str, str], out: Path, *, workers: int = 3, threads: int = 4) -> Iterator[Site]:
    """gunicorn (gthread) and one task worker, stopped afterwards."""
    port = free_port()
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
            "--backlog=2048",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    site = Site(env, log)
    site.start_worker()
    site.url = f"http://127.0.0.1:{port}"
    try:
        wait_for(site.url + "/connexion/")
        yield site
    finally:
        for process in (server, *site.workers):
            process.send_signal(signal.SIGTERM)
        for process in (server, *site.workers):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"Le serveur ne répond pas sur {url}.")


def sign_in(client: Any, username: str) -> str:
    """Identifier and password, the TOTP code, then acting as the user's structure (the bench
    DAC); returns the home page's HTML. `client`: Locust's HttpSession or `Browser` below (get
    and post on paths, with Locust's `name=`)."""
    page = client.get("/connexion/", name="/connexion/").text
    response = client.post(
        "/connexion/",
        {"csrfmiddlewaretoken": pages.csrf(page), "username": username, "password": users.PASSWORD},
        name="/connexion/ (POST)",
    )
    if "/connexion/verification/" in response.url:
        code = f"{totp(users.totp_key(username)):06d}"
        client.post(
            "/connexion/verification/",
            {"csrfmiddlewaretoken": pages.csrf(response.text), "token": code},
            name="/connexion/verification/ (POST)",
        )
    home = client.get("/", name="/").text
    switch = pages.form_with(home, "structure")
    choices = switch.options.get("structure", []) if switch else []
    structure = next((value for value in choices if value), "")
    if structure:
        client.post(
            "/profil/agir-en-tant-que/",
            {"csrfmiddlewaretoken": pages.csrf(home), "structure": structure, "next": "/"},
            name="/profil/agir-en-tant-que/ (POST)",
        )
    return str(home)


class Browser:
    """A requests session on one base URL, with Locust's `name=` accepted and ignored."""

    def __init__(self, base: str) -> None:
        self.base, self.session = base, requests.Session()

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.pop("name", None)
        return self.session.get(self.base + url, timeout=30, **kwargs)

    def post(self, url: str, data: Any = None, **kwargs: Any) -> requests.Response:
        kwargs.pop("name", None)
        return self.session.post(self.base + url, data=data, timeout=30, **kwargs)

    def csrf_post(self, url: str, page: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        return self.post(url, {"csrfmiddlewaretoken": pages.csrf(page), **data}, **kwargs)
