"""TSK-4: the dashboard's "Destinataire(s)" and "Action(s)" filters — searchable pickers that only
offer what one's own tasks hold, a filter that only narrows, and a tampered value that reveals
nothing and never fails. The page names only the values chosen in its URL; the options are asked
of the picker's endpoint (`tasks:picker`) as one types."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import User
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.patients.testing import create_test_patient
from cordee.tasks import filters
from cordee.tasks.models import Task, TaskChange, TaskLevel, TaskRecipient, TaskType
from tests.factories import accept_current_terms, make_membership, make_user

from .helpers import actor_for, make_task, member_row

DASHBOARD = reverse("tasks:dashboard")
PICKERS = ("destinataire", "action")
NOT_OFFERED = "Ce choix ne figure pas parmi vos tâches : il n&#x27;est pas appliqué."
NARROW = "D'autres choix existent : précisez la recherche."
NOTHING_ELSE = "Aucun autre choix parmi vos tâches."
# Names and actions of the dossier I cannot see, and of my dossier's tasks not addressed to me.
NEVER = ("Tâche cachée", "CACHE Samuel", "SAGE Sophie", "Maternité Test", "Secret", "Action secrète")
NOT_MINE = ("KINE Karl", "Action 3 — Kiné")


def picker_url(field: str) -> str:
    return reverse("tasks:picker", args=[field])


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def world(coordinator, structure, dossier, maternity) -> SimpleNamespace:
    """Tasks on the coordinator's dossier, and a dossier of another structure they cannot see."""
    me = actor_for(coordinator, structure)
    nurse = make_user(username="idel", last_name="Idel", first_name="Nina")
    physio = make_user(username="kine", last_name="Kine", first_name="Karl")
    for person in (nurse, physio):
        accept_current_terms(person)
    nurse_row = CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=True)
    physio_row = CircleMember.objects.create(patient=dossier, user=physio, is_habilitated=True)
    mine = member_row(dossier, user=coordinator)
    ours = member_row(dossier, structure=structure)
    make_task(me, dossier, "Pour moi", recipients=[mine], action="Action 1 — Soins infirmiers")
    make_task(me, dossier, "Pour moi et l'IDEL", recipients=[mine, nurse_row], action="Action 2 — Aide")
    make_task(me, dossier, "Pour la structure", recipients=[ours])
    # On a dossier I see, but addressed to someone else: not on my dashboard, only on the dossier's.
    make_task(me, dossier, "Pour le kiné seul", recipients=[physio_row], action="Action 3 — Kiné")

    midwife = make_user(username="sagefemme", last_name="Sage", first_name="Sophie")
    make_membership(user=midwife, structure=maternity)
    secret = create_test_patient(
        midwife, maternity, birth_name="Secret", first_name="Zoé", birth_date=datetime.date(2023, 1, 2)
    )
    hidden = make_user(username="cache", last_name="Cache", first_name="Samuel")
    hidden_row = CircleMember.objects.create(patient=secret, user=hidden, is_habilitated=True)
    make_task(
        actor_for(midwife, maternity),
        secret,
        "Tâche cachée",
        recipients=[hidden_row, member_row(secret, structure=maternity)],
        action="Action secrète",
    )
    return SimpleNamespace(
        nurse=nurse, physio=physio, hidden=hidden, midwife=midwife, maternity=maternity, secret=secret
    )


# --- Reading the pickers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool


class _Checkboxes(HTMLParser):
    """A picker's checkboxes in document order — in the whole answer, or only inside the
    `<div id="…">` given (the page's `choix-destinataire`) — each with the text of its label."""

    def __init__(self, field: str, within: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.field, self.within = field, within
        self.depth = 0  # how deep inside `within`'s div we are
        self.boxes: list[dict[str, str | None]] = []
        self.labels: dict[str, str] = {}
        self._label: str | None = None
        self._text: list[str] = []

    def _inside(self) -> bool:
        return self.within is None or self.depth > 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "div" and self.depth:
            self.depth += 1
        elif tag == "div" and attributes.get("id") == self.within:
            self.depth = 1
        if not self._inside():
            return
        if tag == "input" and attributes.get("type") == "checkbox" and attributes.get("name") == self.field:
            self.boxes.append(attributes)
        elif tag == "label":
            self._label, self._text = attributes.get("for"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.depth:
            self.depth -= 1
        elif tag == "label" and self._label is not None:
            self.labels[self._label] = "".join(self._text).strip()
            self._label = None

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._text.append(data)


def _choices(html: str, field: str, *, within: str | None = None) -> list[Choice]:
    parser = _Checkboxes(field, within)
    parser.feed(html)
    parser.close()
    choices = []
    for box in parser.boxes:
        # Wherever they are drawn, the checkboxes belong to the filters' form.
        assert box.get("form") == "filtres-taches", box
        assert box["id"] in parser.labels, box
        choices.append(Choice(str(box["value"]), parser.labels[str(box["id"])], "checked" in box))
    ids = [box["id"] for box in parser.boxes]
    assert len(ids) == len(set(ids)), ids
    return choices


def _on_the_page(response: Any, field: str) -> list[Choice]:
    """What the page's picker shows before anyone types: the chosen values only."""
    assert response.status_code == 200
    return _choices(response.content.decode(), field, within=f"choix-{field}")


def _pick(client: Client, field: str, q: str = "", **params: Any) -> tuple[str, list[Choice]]:
    """The picker's answer to a search: its HTML, and its checkboxes in order."""
    response = client.get(picker_url(field), {"q": q, **params})
    assert response.status_code == 200
    assert response.templates[0].name == "tasks/_picker_options.html"
    html = response.content.decode()
    return html, _choices(html, field)


def _offered(client: Client, field: str, q: str = "", **params: Any) -> list[str]:
    """The labels a search offers (unchecked), in order."""
    _, choices = _pick(client, field, q, **params)
    return [choice.label for choice in choices if not choice.checked]


def _labels(response) -> list[str]:
    assert response.status_code == 200
    return sorted(task.label for task in response.context["page"].object_list)


# --- What is offered -------------------------------------------------------------------------


def test_the_recipient_picker_offers_only_the_recipients_of_my_tasks(
    acting, world, coordinator, structure
) -> None:
    html, choices = _pick(acting, "destinataire")
    assert choices == [
        Choice(f"p-{coordinator.public_id}", "COORDIN Claire", False),
        Choice(f"p-{world.nurse.public_id}", "IDEL Nina", False),
        Choice(f"s-{structure.public_id}", "DAC Test Azur (structure)", False),
    ]
    for never in (*NEVER, *NOT_MINE):
        assert never not in html
    # Searching for them by name finds nothing either.
    for typed in ("kine", "Karl", "cache", "SAGE", "maternité", "Secret"):
        html, choices = _pick(acting, "destinataire", typed)
        assert choices == []
        assert f"Aucun choix ne correspond à « {typed} »." in html
    page = acting.get(DASHBOARD).content.decode()
    assert "Destinataire(s)" in page
    assert 'id="recherche-destinataire"' in page and f'hx-get="{picker_url("destinataire")}"' in page
    assert '<div id="choix-destinataire"' in page
    for never in (*NEVER, *NOT_MINE):
        assert never not in page


def test_opened_from_the_dossier_the_picker_offers_that_dossiers_recipients(acting, world, dossier) -> None:
    assert _offered(acting, "destinataire", patient=str(dossier.public_id)) == [
        "COORDIN Claire",
        "IDEL Nina",
        "KINE Karl",
        "DAC Test Azur (structure)",
    ]
    html, _ = _pick(acting, "destinataire", "a", patient=str(dossier.public_id))
    for never in NEVER:
        assert never not in html
    physio = f"p-{world.physio.public_id}"
    chosen = acting.get(DASHBOARD, {"patient": str(dossier.public_id), "destinataire": physio})
    assert _labels(chosen) == ["Pour le kiné seul"]
    assert _on_the_page(chosen, "destinataire") == [Choice(physio, "KINE Karl", True)]
    # The page's search box carries the dossier to the picker.
    page = chosen.content.decode()
    assert 'hx-include="#choix-destinataire, #filtres-taches [name=patient]"' in page
    assert f'<input type="hidden" name="patient" value="{dossier.public_id}">' in page
    # Out of the dossier, the same person is nobody I may choose.
    assert NOT_OFFERED in acting.get(DASHBOARD, {"destinataire": physio}).content.decode()


def test_filter_by_a_person_a_structure_or_several(acting, world, coordinator, structure) -> None:
    nurse = f"p-{world.nurse.public_id}"
    dac = f"s-{structure.public_id}"
    assert _labels(acting.get(DASHBOARD, {"destinataire": nurse})) == ["Pour moi et l'IDEL"]
    assert _labels(acting.get(DASHBOARD, {"destinataire": dac})) == ["Pour la structure"]
    several = acting.get(DASHBOARD, {"destinataire": [dac, nurse]})
    assert _labels(several) == ["Pour la structure", "Pour moi et l'IDEL"]
    assert _on_the_page(several, "destinataire") == [
        Choice(nurse, "IDEL Nina", True),
        Choice(dac, "DAC Test Azur (structure)", True),
    ]
    me = acting.get(DASHBOARD, {"destinataire": f"p-{coordinator.public_id}"})
    assert _labels(me) == ["Pour moi", "Pour moi et l'IDEL"]
    # The choice stays in the URL-driven form: checked, and carried by the sort links.
    assert _on_the_page(me, "destinataire") == [Choice(f"p-{coordinator.public_id}", "COORDIN Claire", True)]
    page = me.content.decode()
    assert f"destinataire=p-{coordinator.public_id}&amp;tri=" in page
    assert NOT_OFFERED not in page


@pytest.mark.parametrize(
    "tamper",
    [
        lambda w: f"p-{w.hidden.public_id}",  # a person of a dossier I cannot see
        lambda w: f"s-{w.maternity.public_id}",  # a structure of that dossier
        lambda w: f"p-{w.midwife.public_id}",  # its creator, on none of its tasks' recipients
        lambda w: f"p-{w.physio.public_id}",  # in my dossier's circle, but on none of my tasks
        lambda w: f"p-{uuid.uuid4()}",
        lambda w: "p-pas-un-identifiant",
        lambda w: "x" * 5000,
        lambda w: "s-'; DROP TABLE tasks_task; --",
    ],
)
def test_a_tampered_recipient_is_ignored_and_reveals_nothing(acting, world, tamper) -> None:
    value = tamper(world)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = acting.get(DASHBOARD, {"destinataire": value, "motif": "moi"}, **headers)
        # Dropped, the other filters still apply; nothing of the hidden dossier shows.
        assert _labels(response) == ["Pour moi", "Pour moi et l'IDEL"]
        page = response.content.decode()
        for never in (*NEVER, "KINE Karl"):
            assert never not in page
    response = acting.get(DASHBOARD, {"destinataire": value})
    assert NOT_OFFERED in response.content.decode()
    assert _on_the_page(response, "destinataire") == []
    # Sent to the picker as if it were chosen, it is not echoed back: only my own recipients.
    html, choices = _pick(acting, "destinataire", destinataire=value)
    assert [choice.label for choice in choices] == [
        "COORDIN Claire",
        "IDEL Nina",
        "DAC Test Azur (structure)",
    ]
    assert not any(choice.checked for choice in choices)
    assert value not in html
    for never in (*NEVER, "KINE Karl"):
        assert never not in html


def test_a_stranger_filtering_on_my_name_sees_nothing(world, coordinator, stranger, client_for) -> None:
    client = client_for(stranger)
    response = client.get(DASHBOARD, {"destinataire": f"p-{coordinator.public_id}"})
    assert _labels(response) == []
    assert _on_the_page(response, "destinataire") == []
    page = response.content.decode()
    assert NOT_OFFERED in page
    assert "COORDIN Claire" not in page
    for field in PICKERS:
        html, choices = _pick(
            client, field, destinataire=f"p-{coordinator.public_id}", action="Action 2 — Aide"
        )
        assert choices == []
        assert NOTHING_ELSE in html
        for never in ("COORDIN Claire", "IDEL Nina", "Action 2 — Aide", *NEVER):
            assert never not in html
    # Signed out, the picker answers nothing but the way to sign in.
    anonymous = Client().get(picker_url("destinataire"), {"q": "co"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/connexion/")


def test_the_action_picker_and_filter(acting, world, dossier) -> None:
    assert _offered(acting, "action") == ["Action 1 — Soins infirmiers", "Action 2 — Aide"]
    html, _ = _pick(acting, "action")
    for never in ("Action 3 — Kiné", "Action secrète"):
        assert never not in html
    assert _offered(acting, "action", "kiné") == []
    assert _offered(acting, "action", "secr") == []
    page = acting.get(DASHBOARD).content.decode()
    assert "Action(s)" in page and 'id="recherche-action"' in page
    assert _labels(acting.get(DASHBOARD, {"action": "Action 2 — Aide"})) == ["Pour moi et l'IDEL"]
    both = acting.get(DASHBOARD, {"action": ["Action 2 — Aide", "Action 1 — Soins infirmiers"]})
    assert _labels(both) == ["Pour moi", "Pour moi et l'IDEL"]
    assert _on_the_page(both, "action") == [
        Choice("Action 1 — Soins infirmiers", "Action 1 — Soins infirmiers", True),
        Choice("Action 2 — Aide", "Action 2 — Aide", True),
    ]
    # The "Actions" column shows the task's plan action.
    assert '<td data-label="Actions" class="small card-more">Action 2 — Aide</td>' in both.content.decode()
    from_dossier = _offered(acting, "action", patient=str(dossier.public_id))
    assert "Action 3 — Kiné" in from_dossier
    assert "Action secrète" not in from_dossier


@pytest.mark.parametrize("value", ["Action secrète", "Action 3 — Kiné", "", "\x00", "é" * 3000])
def test_a_tampered_action_is_ignored_and_reveals_nothing(acting, world, value) -> None:
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = acting.get(DASHBOARD, {"action": value}, **headers)
        assert _labels(response) == ["Pour la structure", "Pour moi", "Pour moi et l'IDEL"]
        assert "Tâche cachée" not in response.content.decode()
    response = acting.get(DASHBOARD, {"action": value})
    assert _on_the_page(response, "action") == []
    if value.strip("\x00"):
        assert NOT_OFFERED in response.content.decode()
    html, choices = _pick(acting, "action", action=value)
    assert [choice.label for choice in choices] == ["Action 1 — Soins infirmiers", "Action 2 — Aide"]
    assert not any(choice.checked for choice in choices)
    for never in ("Action secrète", "Action 3 — Kiné", "Tâche cachée"):
        assert never not in html


# --- Searching ---------------------------------------------------------------------------------


def test_the_search_folds_accents_case_and_hyphens(acting, world, coordinator, structure, dossier) -> None:
    speech = make_user(username="ortho", last_name="Lefèvre", first_name="Bérénice")
    accept_current_terms(speech)
    row = CircleMember.objects.create(patient=dossier, user=speech, is_habilitated=True)
    make_task(
        actor_for(coordinator, structure),
        dossier,
        "Bilan orthophonique",
        recipients=[member_row(dossier, user=coordinator), row],
        action="Action 4 — Orthophonie à l'école",
    )
    for typed in ("lefev", "LEFÈV", "lefèvre", "bérén", "BERENICE", "  Bérénice  ", "efè"):
        assert _offered(acting, "destinataire", typed) == ["LEFÈVRE Bérénice"], typed
    assert _offered(acting, "destinataire", "IDEL") == ["IDEL Nina"]
    assert _offered(acting, "destinataire", "nina") == ["IDEL Nina"]
    assert _offered(acting, "destinataire", "dac test") == ["DAC Test Azur (structure)"]
    assert _offered(acting, "destinataire", "(structure)") == ["DAC Test Azur (structure)"]
    for typed in ("ecole", "L'ÉCOLE", "l école", "orthophonie-a-l-ecole", "action 4 — ortho"):
        assert _offered(acting, "action", typed) == ["Action 4 — Orthophonie à l'école"], typed
    assert _offered(acting, "action", "SOINS-infirmiers") == ["Action 1 — Soins infirmiers"]
    assert _offered(acting, "action", "action") == [
        "Action 1 — Soins infirmiers",
        "Action 2 — Aide",
        "Action 4 — Orthophonie à l'école",
    ]
    html, choices = _pick(acting, "destinataire", "zzz")
    assert choices == [] and "Aucun choix ne correspond à « zzz »." in html
    # What was typed is shown back escaped, never as markup.
    html, _ = _pick(acting, "destinataire", "<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_the_chosen_values_come_first_checked_and_are_not_repeated(
    acting, world, coordinator, structure
) -> None:
    nurse = f"p-{world.nurse.public_id}"
    dac = f"s-{structure.public_id}"
    me = f"p-{coordinator.public_id}"
    _, choices = _pick(acting, "destinataire", destinataire=[dac, nurse])
    assert choices == [
        Choice(nurse, "IDEL Nina", True),
        Choice(dac, "DAC Test Azur (structure)", True),
        Choice(me, "COORDIN Claire", False),
    ]
    # A chosen value stays, checked, whatever is typed; it is not offered a second time.
    _, choices = _pick(acting, "destinataire", "coord", destinataire=nurse)
    assert choices == [Choice(nurse, "IDEL Nina", True), Choice(me, "COORDIN Claire", False)]
    _, choices = _pick(acting, "destinataire", "i", destinataire=nurse)
    assert [choice.value for choice in choices].count(nurse) == 1
    assert choices[0] == Choice(nurse, "IDEL Nina", True)
    assert all(not choice.checked for choice in choices[1:])
    html, choices = _pick(acting, "destinataire", destinataire=[me, nurse, dac])
    assert [choice.checked for choice in choices] == [True, True, True]
    assert NOTHING_ELSE in html
    # The same for the plan actions.
    _, choices = _pick(acting, "action", action="Action 2 — Aide")
    assert choices == [
        Choice("Action 2 — Aide", "Action 2 — Aide", True),
        Choice("Action 1 — Soins infirmiers", "Action 1 — Soins infirmiers", False),
    ]
    _, choices = _pick(acting, "action", "soins", action="Action 2 — Aide")
    assert choices == [
        Choice("Action 2 — Aide", "Action 2 — Aide", True),
        Choice("Action 1 — Soins infirmiers", "Action 1 — Soins infirmiers", False),
    ]


def test_more_matches_than_the_picker_shows_ask_to_narrow_the_search(
    acting, coordinator, structure, dossier
) -> None:
    assert filters.PICKER_SIZE == 20
    rows = [member_row(dossier, user=coordinator)]
    for index in range(filters.PICKER_SIZE + 1):
        person = make_user(username=f"dupont{index}", last_name="Dupont", first_name=f"Prénom{index:02d}")
        rows.append(CircleMember.objects.create(patient=dossier, user=person, is_habilitated=True))
    make_task(actor_for(coordinator, structure), dossier, "Réunion", recipients=rows)

    html, choices = _pick(acting, "destinataire", "dupont")
    assert len(choices) == filters.PICKER_SIZE and not any(choice.checked for choice in choices)
    assert [choice.label for choice in choices] == [f"DUPONT Prénom{index:02d}" for index in range(20)]
    assert NARROW in html
    html, choices = _pick(acting, "destinataire")
    assert len(choices) == filters.PICKER_SIZE and NARROW in html
    # Narrowed, the hint goes.
    html, choices = _pick(acting, "destinataire", "prenom2")
    assert [choice.label for choice in choices] == ["DUPONT Prénom20"]
    assert NARROW not in html
    # One of the 21 chosen: it leads, checked, and the 20 others fit.
    last = f"p-{User.objects.get(first_name='Prénom20').public_id}"
    html, choices = _pick(acting, "destinataire", "dupont", destinataire=last)
    assert choices[0] == Choice(last, "DUPONT Prénom20", True)
    assert len(choices) == filters.PICKER_SIZE + 1
    assert NARROW not in html


def test_an_unknown_picker_is_not_found(acting, world) -> None:
    for field in ("contexte", "statut", "zone", "type", "niveau", "patient", "tri", "DESTINATAIRE", "x" * 60):
        assert acting.get(picker_url(field), {"q": "a"}).status_code == 404, field
    assert acting.get("/taches/choix/d%C3%A9stinataire/").status_code == 404
    assert acting.get("/taches/choix/").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "\x00"},
        {"action": "\x00", "destinataire": "p-\x00"},
        {"action": "Action 1 — Soins infirmiers\x00"},
        {"q": "%"},
        {"q": "_"},
        {"destinataire": ["", "p-", "s-", "-", "p"], "action": ["", "x" * 10_000]},
        {"patient": "pas-un-uuid"},
        {"patient": ""},
    ],
    ids=[
        "long-search",
        "nul-search",
        "nul-values",
        "nul-in-a-real-action",
        "percent",
        "underscore",
        "empty-values",
        "patient-not-an-id",
        "patient-empty",
    ],
)
def test_garbage_sent_to_a_picker_never_fails(acting, world, params) -> None:
    for field in PICKERS:
        response = acting.get(picker_url(field), params)
        assert response.status_code == 200
        for never in (*NEVER, *NOT_MINE):
            assert never not in response.content.decode()


def test_a_picker_of_a_dossier_one_cannot_see_is_refused_as_the_dossier_is(acting, world, client_for) -> None:
    """As `get_dossier` answers: not found to a stranger to the dossier, forbidden to a listed
    member without habilitation; journaled; and nothing of it named."""
    secret = str(world.secret.public_id)
    listed = make_user(username="liste", last_name="Liste", first_name="Lina")
    accept_current_terms(listed)
    CircleMember.objects.create(patient=world.secret, user=listed, is_habilitated=False)
    for client, status, outcome in (
        (acting, 404, Access.Outcome.NOT_FOUND),
        (client_for(listed), 403, Access.Outcome.FORBIDDEN),
    ):
        assert client.get(DASHBOARD, {"patient": secret}).status_code == status
        for field in PICKERS:
            before = Access.objects.filter(patient=world.secret, outcome=outcome).count()
            response = client.get(picker_url(field), {"q": "", "patient": secret})
            assert response.status_code == status
            html = response.content.decode()
            for never in NEVER:
                assert never not in html
            assert Access.objects.filter(patient=world.secret, outcome=outcome).count() == before + 1


def test_the_page_lists_no_options_only_the_chosen_values_checked(acting, world) -> None:
    response = acting.get(DASHBOARD, {"motif": "structure"})
    assert _labels(response) == ["Pour la structure"]
    page = response.content.decode()
    assert _on_the_page(response, "destinataire") == [] and _on_the_page(response, "action") == []
    # Neither a select of every option, nor any name of the recipients and actions the picker
    # would offer (the table shows only "Pour la structure", addressed to the DAC).
    assert 'name="destinataire"' not in page and 'name="action"' not in page
    for offered in (
        "IDEL Nina",
        "DAC Test Azur (structure)",
        "Action 1 — Soins infirmiers",
        "Action 2 — Aide",
    ):
        assert offered not in page
    assert "IDEL Nina" in _offered(acting, "destinataire")

    nurse = f"p-{world.nurse.public_id}"
    chosen = acting.get(DASHBOARD, {"motif": "o", "destinataire": nurse, "action": "Action 2 — Aide"})
    assert _labels(chosen) == ["Pour moi et l'IDEL"]
    assert _on_the_page(chosen, "destinataire") == [Choice(nurse, "IDEL Nina", True)]
    assert _on_the_page(chosen, "action") == [Choice("Action 2 — Aide", "Action 2 — Aide", True)]
    page = chosen.content.decode()
    for other in ("DAC Test Azur (structure)", "Action 1 — Soins infirmiers"):
        assert other not in page
    # An htmx search swaps only the results: the pickers are not drawn again.
    partial = acting.get(DASHBOARD, {"destinataire": nurse}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="choix-destinataire"' not in partial and 'name="destinataire"' not in partial


def test_the_plan_action_is_set_on_creation_and_its_change_kept_in_history(acting, dossier) -> None:
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    form = acting.get(url).content.decode()
    assert "Action du plan" in form and "plan personnalisé (PPCS)" in form
    acting.post(
        url,
        {
            "task_type": TaskType.objects.get(label="Relance").pk,
            "label": "Bilan du PPCS",
            "level": TaskLevel.objects.get(label="Information").pk,
            "status": "TODO",
            "due_at": "2030-01-04T09:00",
            "action": "Action 1 — Orthophonie",
        },
    )
    task = Task.objects.get()
    assert task.action == "Action 1 — Orthophonie"
    edit = reverse("tasks:edit", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    acting.post(
        edit,
        {
            "task_type": task.task_type_id,
            "label": task.label,
            "level": task.level_id,
            "due_at": "2030-01-04T09:00",
            "action": "Action 2 — Kinésithérapie",
            "version": task.version,
        },
    )
    task.refresh_from_db()
    assert task.action == "Action 2 — Kinésithérapie"
    assert TaskChange.objects.filter(task=task, description="Modifié : action du plan").exists()


@pytest.mark.parametrize(
    "params",
    [
        {"statut": "HACK"},
        {"contexte": "tout-le-monde"},
        {"debut": "hier", "fin": "31/02/2024"},
        {"zone": "x", "type": "abc", "niveau": "999999"},
        {"patient": "pas-un-uuid"},
        {"page": "-1"},
        {"page": "99999"},
        {"destinataire": ["", "p-", "s-", "-", "p"]},
        {"action": "x" * 10_000, "motif": "y" * 10_000},
    ],
)
def test_garbage_in_the_url_never_fails(acting, world, params) -> None:
    assert acting.get(DASHBOARD, params).status_code == 200
    assert acting.get(DASHBOARD, params, HTTP_HX_REQUEST="true").status_code == 200


def test_a_dossier_one_cannot_see_stays_not_found(acting, world) -> None:
    assert acting.get(DASHBOARD, {"patient": str(world.secret.public_id)}).status_code == 404


def test_a_large_scope_offers_what_its_soonest_open_tasks_hold(
    acting, world, dossier, structure, monkeypatch
) -> None:
    """At regional scale the pickers search the soonest open tasks only (an indexed read); a
    dossier's own tasks are searched whole; and a value chosen in the URL is checked against the
    whole scope, so that a choice made earlier still applies."""
    soonest = Task.objects.filter(label="Pour moi et l'IDEL").get()
    Task.objects.exclude(pk=soonest.pk).update(due_at=soonest.due_at + datetime.timedelta(days=30))
    for task in Task.objects.all():
        TaskRecipient.follow(task)  # the inboxes' copy of the due dates
    monkeypatch.setattr(filters, "OPTIONS_CAP", 1)
    assert _offered(acting, "destinataire") == ["COORDIN Claire", "IDEL Nina"]
    assert _offered(acting, "action") == ["Action 2 — Aide"]
    assert _offered(acting, "action", "soins") == []
    whole = _offered(acting, "destinataire", patient=str(dossier.public_id))
    assert "KINE Karl" in whole and "DAC Test Azur (structure)" in whole
    assert "Action 1 — Soins infirmiers" in _offered(acting, "action", patient=str(dossier.public_id))

    # Beyond the soonest, still in my scope: applied, checked, no error; first in its picker.
    dac = f"s-{structure.public_id}"
    response = acting.get(DASHBOARD, {"destinataire": dac})
    assert _labels(response) == ["Pour la structure"]
    assert _on_the_page(response, "destinataire") == [Choice(dac, "DAC Test Azur (structure)", True)]
    assert _labels(acting.get(DASHBOARD, {"action": "Action 1 — Soins infirmiers"})) == ["Pour moi"]
    assert NOT_OFFERED not in acting.get(DASHBOARD, {"destinataire": dac}).content.decode()
    _, choices = _pick(acting, "destinataire", destinataire=dac)
    assert choices[0] == Choice(dac, "DAC Test Azur (structure)", True)
    assert [choice.label for choice in choices[1:]] == ["COORDIN Claire", "IDEL Nina"]

    # A closed task's recipients are not among the soonest open ones, yet stay choosable.
    Task.objects.filter(pk=soonest.pk).update(status="DONE")
    TaskRecipient.follow(Task.objects.get(pk=soonest.pk))
    assert "IDEL Nina" not in _offered(acting, "destinataire")
    nurse = f"p-{world.nurse.public_id}"
    closed = acting.get(DASHBOARD, {"destinataire": nurse, "statut": "DONE"})
    assert _labels(closed) == ["Pour moi et l'IDEL"]
    assert _on_the_page(closed, "destinataire") == [Choice(nurse, "IDEL Nina", True)]
    # Still nothing of the hidden dossier, however the cap is set.
    monkeypatch.setattr(filters, "OPTIONS_CAP", 10_000)
    for field in PICKERS:
        html, _ = _pick(acting, field)
        for never in (*NEVER, *NOT_MINE):
            assert never not in html


def test_zones_types_and_levels_are_checkboxes_several_chosen_at_once(acting, world) -> None:
    """Issue 23: no Ctrl-click list box — zones, types and levels are checkboxes (app.js shows
    them as a drop-down); two levels ticked answer the tasks of either, and stay ticked."""
    urgent, information = TaskLevel.objects.get(label="Urgent"), TaskLevel.objects.get(label="Information")
    Task.objects.filter(label="Pour moi").update(level=urgent)
    Task.objects.filter(label="Pour la structure").update(level=information)
    response = acting.get(DASHBOARD, {"niveau": [urgent.pk, information.pk]})
    assert _labels(response) == ["Pour la structure", "Pour moi"]
    html = response.content.decode()
    for name in ("zone", "type", "niveau"):
        assert f'<select name="{name}"' not in html
    assert html.count("data-multiselect") == 3
    important = TaskLevel.objects.get(label="Important")
    for level, ticked in ((urgent, True), (information, True), (important, False)):
        tag = re.search(rf'<input type="checkbox" name="niveau" value="{level.pk}"[^>]*>', html)
        assert tag is not None, html
        assert (" checked" in tag.group(0)) is ticked
