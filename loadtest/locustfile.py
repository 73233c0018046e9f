"""The booklet's users under load (`make load`, issue 22): coordinators of the bench DAC who sign in
with their second factor, act as their structure, then go about their day — the active file and
its filters, dossiers and their tabs, the tasks dashboard, a task created and moved along its
cycle, a questionnaire saved then closed, a note in a dossier's feed.

Every page is read as a browser would (links and forms from the HTML, `loadtest.pages`), so the
scenarios follow the UI. URLs are reported under their pattern (`/patients/[id]/`).
"""

from __future__ import annotations

import datetime
import itertools
import random
import re
from typing import Any

from locust import HttpUser, between, task

from loadtest import pages, users
from loadtest.serving import sign_in

_accounts = itertools.count(1)
NAME_PREFIXES = ["ma", "le", "du", "be", "gi", "mar", "ber", "rou", "fon", "lef"]
# The Parcours tab's "+ Évaluation de la situation" link (an icon may come before the title).
EVALUATION = re.compile(
    r'href="(/patients/[0-9a-f-]{36}/parcours/nouveau/[0-9a-f-]{36}/)"(?:(?!</a>).){0,500}?Évaluation',
    re.DOTALL,
)


class Coordinator(HttpUser):
    # A coordinator reads a page, then clicks: about one request a second each.
    wait_time = between(0.4, 1.2)

    def on_start(self) -> None:
        self.dossiers: list[str] = []
        sign_in(self.client, users.username(next(_accounts)))
        self.active_file()

    # --- reading ---------------------------------------------------------------------------------

    @task(4)
    def active_file(self) -> None:
        html = self.client.get("/patients/", name="/patients/").text
        found = pages.dossier_ids(html)
        if found:
            self.dossiers = found

    @task(3)
    def filter_active_file(self) -> None:
        # A filter typed in the page: htmx asks for the results fragment.
        self.client.get(
            f"/patients/?nom={random.choice(NAME_PREFIXES)}",
            headers={"HX-Request": "true"},
            name="/patients/?nom= (htmx)",
        )

    @task(5)
    def open_dossier(self) -> None:
        dossier = self._dossier()
        if not dossier:
            return
        self.client.get(f"/patients/{dossier}/", name="/patients/[id]/")
        self.client.get(f"/patients/{dossier}/cercle/", name="/patients/[id]/cercle/")
        self.client.get(f"/patients/{dossier}/parcours/", name="/patients/[id]/parcours/")

    @task(3)
    def tasks_dashboard(self) -> None:
        self.client.get("/taches/", name="/taches/")
        today = datetime.date.today()  # noqa: DTZ011 - the load user's own calendar
        self.client.get(
            f"/taches/?debut={today - datetime.timedelta(days=7)}&fin={today + datetime.timedelta(days=30)}",
            headers={"HX-Request": "true"},
            name="/taches/?debut=&fin= (htmx)",
        )

    # --- writing ---------------------------------------------------------------------------------

    @task(1)
    def create_and_cycle_a_task(self) -> None:
        dossier = self._dossier()
        if not dossier:
            return
        url = f"/patients/{dossier}/taches/nouvelle/"
        page = self.client.get(url, name="/patients/[id]/taches/nouvelle/").text
        form = pages.form_with(page, "task_type")
        if form is None:
            return
        due = datetime.datetime.now() + datetime.timedelta(days=3)  # noqa: DTZ005 - typed as a person would
        data = form.data(
            task_type=_first(form, "task_type"),
            level=_first(form, "level"),
            label="Appeler la famille (charge)",
            status="TODO",
            due_at=due.strftime("%Y-%m-%dT%H:%M"),
        )
        created = self.client.post(url, data, name="/patients/[id]/taches/nouvelle/ (POST)")
        for match in pages.TASK_STATUS.findall(created.text)[:1]:
            for _ in range(2):
                dossier_page = self.client.get(f"/patients/{dossier}/", name="/patients/[id]/").text
                status = _status_form(dossier_page, match)
                if status is None:
                    break
                self.client.post(
                    match, status, headers={"HX-Request": "true"}, name="/patients/[id]/taches/[id]/statut/"
                )

    @task(1)
    def save_and_close_a_questionnaire(self) -> None:
        dossier = self._dossier()
        if not dossier:
            return
        tab = self.client.get(f"/patients/{dossier}/parcours/", name="/patients/[id]/parcours/").text
        new = pages.evaluation_link(tab)
        if not new:
            return
        page = self.client.get(new, name="/patients/[id]/parcours/nouveau/[id]/").text
        form = pages.form_with(page, "version")
        if form is None:
            return
        # The items' field names carry the questionnaire's prefix: found by their linkId's end.
        date_field, motif = form.named("date_evaluation"), form.named("motif")
        if not date_field or not motif:
            return
        today = datetime.date.today().isoformat()  # noqa: DTZ011
        answers = {date_field: today, motif: "Évaluation à domicile (charge)", "action": "save"}
        saved = self.client.post(
            new, form.data(**answers), name="/patients/[id]/parcours/nouveau/[id]/ (POST)"
        )
        again = pages.form_with(saved.text, "version")
        if again is not None and "/formulaires/" in saved.url:
            # Closing asks for the items required at closing: the synthesis.
            closing = {again.named("synthese"): "Maintien à domicile avec aides (charge).", "action": "close"}
            self.client.post(
                saved.url,
                again.data(**closing),
                name="/patients/[id]/parcours/formulaires/[id]/ (POST)",
            )

    @task(1)
    def write_a_note(self) -> None:
        """ACT-1: a note in the dossier's feed, where the page offers one."""
        dossier = self._dossier()
        if not dossier:
            return
        page = self.client.get(f"/patients/{dossier}/", name="/patients/[id]/").text
        form = pages.form_with(page, "importance")
        if form is None or not form.action:
            return
        self.client.post(
            form.action,
            form.data(text="Point téléphonique avec la famille (charge).", importance="NORMAL"),
            headers={"HX-Request": "true"},
            name="/patients/[id]/note (POST)",
        )

    def _dossier(self) -> str:
        return random.choice(self.dossiers) if self.dossiers else ""


def _first(form: pages.Form, field: str) -> str:
    return next((value for value in form.options.get(field, []) if value), "")


def _status_form(html: str, action: str) -> dict[str, Any] | None:
    for form in pages.forms(html):
        if form.action == action:
            return form.data()
    return None
