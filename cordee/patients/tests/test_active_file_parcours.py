"""SRCH-2 / SRCH-3: the active file's "Thématiques", "Parcours" and "Tâches" filters and the
"Parcours" column (Cocon), reserved themes neither offered nor shown, saved filters keeping the
new criteria, and a page whose query count does not grow with its rows."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cordee.accounts.models import Structure, User
from cordee.cocon import services as cocon
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.programme import COCON, summaries
from cordee.cocon.tests.conftest import actor_for, inclusion_input
from cordee.core.actor import Actor
from cordee.pathways.models import DossierTheme, Theme
from cordee.patients.active_file import Catalogue, enrolments
from cordee.patients.models import Patient, SavedFilter
from cordee.patients.programmes import PROGRAMMES, Enrolment, offered
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType

URL = "/patients/"
TODAY = timezone.localdate


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def actor(coordinator: User, structure: Structure) -> Actor:
    return actor_for(coordinator, structure)


@pytest.fixture
def make_child(coordinator: User, structure: Structure) -> Callable[..., Patient]:
    """A dossier born `days_old` days ago (or on `born`)."""
    counter = itertools.count()

    def make(days_old: int = 100, *, born: datetime.date | None = None, name: str = "") -> Patient:
        n = next(counter)
        return create_test_patient(
            coordinator,
            structure,
            birth_name=name or f"Enfant{'x' * n}",
            first_name="Lou",
            birth_date=born or TODAY() - datetime.timedelta(days=days_old),
        )

    return make


@pytest.fixture
def include(actor: Actor, coordinator: User) -> Callable[..., Inclusion]:
    """A term baby (39 SA: no corrected age) included in Cocon through the service."""

    def make(patient: Patient, inclusion_date: datetime.date | None = None) -> Inclusion:
        data = inclusion_input(
            coordinator,
            inclusion_date=inclusion_date or TODAY(),
            gestational_age_weeks=39,
            gestational_age_days=0,
            birth_weight_g=3200,
            criteria=[InclusionCriterion.objects.get(code="autre")],
        )
        return cocon.include(actor, patient, data)

    return make


def _names(response) -> list[str]:
    assert response.status_code == 200
    return sorted(patient.birth_name for patient in response.context["rows"])


def _theme(patient: Patient, code: str, *, removed: bool = False) -> DossierTheme:
    return DossierTheme.objects.create(
        patient=patient,
        theme=Theme.objects.get(code=code),
        removed_at=timezone.now() if removed else None,
    )


def _task(patient: Patient, status: str) -> Task:
    return Task.objects.create(
        patient=patient,
        task_type=TaskType.objects.get(label="Relance"),
        level=TaskLevel.objects.get(label="Information"),
        label="Rappeler",
        status=status,
        due_at=timezone.now(),
    )


def _reserve(code: str) -> None:
    assert Theme.objects.filter(code=code).update(is_restricted=True) == 1


def _cell(html: str, patient: Patient, label: str) -> str:
    """The content of the `data-label` cell on the patient's row of the rendered table."""
    for row in html.split("<tr>")[1:]:
        if f'href="/patients/{patient.public_id}/"' in row:
            match = re.search(rf'<td data-label="{label}"[^>]*>(.*?)</td>', row, re.S)
            assert match is not None, row
            return match.group(1)
    raise AssertionError(f"no row for {patient.birth_name}")


def _fmt(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- "Thématiques" filter --------------------------------------------------------------------------


@pytest.fixture
def themed(make_child: Callable[..., Patient]) -> dict[str, Patient]:
    gero = make_child(name="Gero")
    _theme(gero, "gerontologie")
    handi = make_child(name="Handi")
    _theme(handi, "gerontologie", removed=True)  # removed: no longer counts
    _theme(handi, "handicap")
    plain = make_child(name="Plain")
    return {"gero": gero, "handi": handi, "plain": plain}


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["gerontologie"], ["Gero"]),
        (["handicap"], ["Handi"]),
        (["gerontologie", "handicap"], ["Gero", "Handi"]),  # either theme
        (["oncologie"], []),
    ],
)
def test_the_theme_filter_keeps_dossiers_with_the_theme_live(themed, acting, codes, expected) -> None:
    response = acting.get(URL, {"thematique": codes})
    assert _names(response) == expected
    assert response.context["filtered"] is True


def test_a_removed_theme_does_not_count(themed, acting) -> None:
    assert "Handi" not in _names(acting.get(URL, {"thematique": "gerontologie"}))
    # Added again after its removal, it counts again.
    _theme(themed["handi"], "gerontologie")
    assert _names(acting.get(URL, {"thematique": "gerontologie"})) == ["Gero", "Handi"]


def test_the_theme_select_offers_the_themes_one_may_add(themed, acting) -> None:
    html = acting.get(URL).content.decode()
    for code in ("coordination-dac", "cocon", "gerontologie", "handicap", "sante-mentale"):
        assert f'<input type="checkbox" name="thematique" value="{code}"' in html  # issue 23
    # Neither the themes present on every dossier nor sub-themes.
    for code in ("principal", "fil-actualite", "rdv-patient", "dac-evaluation", "cocon-inclusion"):
        assert f'value="{code}"' not in html


@pytest.mark.parametrize("code", ["inconnue", "principal", "cocon-inclusion"])
def test_a_theme_not_offered_is_refused_like_any_tampered_value(themed, acting, code) -> None:
    """Not a 500: the value is dropped, its error shown beside the field, and the other criteria
    (the name typed with it) still apply."""
    response = acting.get(URL, {"thematique": code, "nom": "gero"})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["thematique"]
    message = f"Sélectionnez un choix valide. {code} n’en fait pas partie."
    assert form.errors["thematique"] == [message]
    assert message in response.content.decode()  # next to the field
    assert _names(response) == ["Gero"]


def test_a_reserved_theme_is_neither_offered_filtered_on_nor_shown(themed, acting) -> None:
    _theme(themed["gero"], "sante-mentale")
    _reserve("sante-mentale")
    response = acting.get(URL, {"tous": "1"})
    html = response.content.decode()
    assert 'value="sante-mentale"' not in html
    assert "Santé mentale" not in _cell(html, themed["gero"], "Thématiques")
    assert "Gérontologie" in _cell(html, themed["gero"], "Thématiques")
    # Typed in the URL, it is refused: it cannot single out the dossiers holding it.
    tampered = acting.get(URL, {"thematique": "sante-mentale"})
    assert "thematique" in tampered.context["form"].errors
    assert _names(tampered) == ["Gero", "Handi", "Plain"]


def test_an_inactive_theme_is_not_offered(themed, acting) -> None:
    Theme.objects.filter(code="oncologie").update(is_active=False)
    html = acting.get(URL).content.decode()
    assert 'value="oncologie"' not in html
    assert 'value="handicap"' in html


# --- "Tâches" filter -------------------------------------------------------------------------------


def test_the_tasks_filter_counts_open_tasks_only(make_child, acting) -> None:
    todo = make_child(name="Todo")
    _task(todo, TaskStatus.TODO)
    ongoing = make_child(name="Encours")
    _task(ongoing, TaskStatus.IN_PROGRESS)
    _task(ongoing, TaskStatus.DONE)
    closed = make_child(name="Closed")
    _task(closed, TaskStatus.DONE)
    _task(closed, TaskStatus.CANCELLED)
    make_child(name="None")
    assert _names(acting.get(URL, {"taches": "oui"})) == ["Encours", "Todo"]
    assert _names(acting.get(URL, {"taches": "non"})) == ["Closed", "None"]
    assert _names(acting.get(URL, {"taches": ""})) == ["Closed", "Encours", "None", "Todo"]
    refused = acting.get(URL, {"taches": "peut-etre", "nom": "todo"})
    assert "taches" in refused.context["form"].errors
    assert _names(refused) == ["Todo"]  # the refused value is dropped, the name still applies


def test_the_tasks_filter_combines_with_the_others(make_child, acting) -> None:
    todo = make_child(name="Todo")
    _task(todo, TaskStatus.TODO)
    _theme(todo, "handicap")
    other = make_child(name="Other")
    _task(other, TaskStatus.TODO)
    assert _names(acting.get(URL, {"taches": "oui", "thematique": "handicap"})) == ["Todo"]
    assert _names(acting.get(URL, {"taches": "non", "thematique": "handicap"})) == []


# --- "Parcours" filter -----------------------------------------------------------------------------


@pytest.fixture
def cohort(make_child, include, actor) -> dict[str, Patient]:
    followed = make_child(100, name="Suivi")
    include(followed)
    left = make_child(100, name="Sorti")
    cocon.end_inclusion(actor, include(left), TODAY(), Inclusion.EndReason.MOVED)
    themed_only = make_child(100, name="Theme")  # the Cocon theme without an inclusion
    _theme(themed_only, "cocon")
    outside = make_child(100, name="Hors")
    return {"followed": followed, "left": left, "themed_only": themed_only, "outside": outside}


def test_the_programme_filter_keeps_children_followed_now(cohort, acting) -> None:
    response = acting.get(URL, {"parcours": "cocon"})
    assert _names(response) == ["Suivi"]
    assert response.context["filtered"] is True
    assert 'name="parcours" value="cocon"' in response.content.decode()


def test_the_programme_filter_combines_with_the_others(cohort, acting) -> None:
    _task(cohort["followed"], TaskStatus.TODO)
    assert _names(acting.get(URL, {"parcours": "cocon", "taches": "oui"})) == ["Suivi"]
    assert _names(acting.get(URL, {"parcours": "cocon", "taches": "non"})) == []
    # The ended inclusion keeps its Cocon theme: the theme filter still finds it.
    assert _names(acting.get(URL, {"thematique": "cocon"})) == ["Sorti", "Suivi", "Theme"]


def test_an_unknown_programme_is_refused(cohort, acting) -> None:
    response = acting.get(URL, {"parcours": "inconnu"})
    assert response.status_code == 200
    assert "parcours" in response.context["form"].errors
    assert len(_names(response)) == 4


def test_a_reserved_programme_is_neither_offered_filtered_on_nor_shown(cohort, acting) -> None:
    _reserve("cocon")
    response = acting.get(URL, {"tous": "1"})
    html = response.content.decode()
    assert 'name="parcours"' not in html
    assert "Parcours (en suivi)" not in html
    assert 'value="cocon"' not in html  # nor in the themes' select
    for patient in cohort.values():
        assert _cell(html, patient, "Parcours") == "—"  # empty, said as such (issue 23)
        assert "Cocon" not in _cell(html, patient, "Thématiques")
        assert f"/patients/{patient.public_id}/cocon/" not in html
    assert all(row.enrolments == [] for row in response.context["rows"])
    tampered = acting.get(URL, {"parcours": "cocon"})
    assert "parcours" in tampered.context["form"].errors
    assert len(_names(tampered)) == 4


def test_a_reserved_programme_stays_hidden_when_its_theme_is_made_inactive(cohort, acting) -> None:
    _reserve("cocon")
    Theme.objects.filter(code="cocon").update(is_active=False)
    html = acting.get(URL, {"tous": "1"}).content.decode()
    # The "Thématiques" column still hides the reserved theme…
    assert "Cocon" not in _cell(html, cohort["followed"], "Thématiques")
    # …and the "Parcours" column and filter should too.
    assert 'name="parcours"' not in html
    assert _cell(html, cohort["followed"], "Parcours") == "—"


# --- "Parcours" column -----------------------------------------------------------------------------


def _opens_3m(born: datetime.date) -> str:
    return _fmt(born + relativedelta(months=2, days=15))


def _due(born: datetime.date, label: str, closes_after_months: int) -> str:
    """The step's window closes on the day before `closes_after_months` months and 15 days."""
    closes = born + relativedelta(months=closes_after_months, days=15) - datetime.timedelta(days=1)
    return f"Suivi des {label} : à faire (jusqu'au {_fmt(closes)})"


@pytest.mark.parametrize(
    ("days_old", "expected", "alert"),
    [
        (30, lambda b: f"Suivi des 3 mois : à venir (dès le {_opens_3m(b)})", False),
        (100, lambda b: _due(b, "3 mois", 4), False),
        (145, lambda b: "Suivi des 3 mois : en retard", True),
        (200, lambda b: _due(b, "6 mois", 7) + " · 1 suivi manquant", True),
        (260, lambda b: _due(b, "9 mois", 10) + " · 2 suivis manquants", True),
    ],
)
def test_the_programme_column_says_where_the_calendar_stands(
    make_child, include, acting, days_old, expected, alert
) -> None:
    child = make_child(days_old)
    include(child)
    others = make_child(days_old, name="Autre")
    response = acting.get(URL, {"tous": "1"})
    html = response.content.decode()
    cell = _cell(html, child, "Parcours")
    link = reverse("cocon:dossier", kwargs={"public_id": child.public_id})
    assert link == f"/patients/{child.public_id}/cocon/"
    assert f'<a href="{link}">Cocon</a>' in cell
    assert escape(expected(child.birth_date)) in cell
    assert ("text-danger-emphasis" in cell) is alert
    assert ("bi-exclamation-triangle-fill" in cell) is alert
    assert _cell(html, others, "Parcours") == "—"
    row = next(row for row in response.context["rows"] if row.pk == child.pk)
    assert row.enrolments == [Enrolment("Cocon", expected(child.birth_date), link, alert=alert)]


def test_the_programme_column_says_when_a_child_left(make_child, include, actor, acting) -> None:
    child = make_child(100)
    inclusion = include(child, inclusion_date=TODAY() - datetime.timedelta(days=20))
    left_on = TODAY() - datetime.timedelta(days=3)
    cocon.end_inclusion(actor, inclusion, left_on, Inclusion.EndReason.WITHDRAWN)
    cell = _cell(acting.get(URL).content.decode(), child, "Parcours")
    assert f'<a href="/patients/{child.public_id}/cocon/">Cocon</a>' in cell
    assert f"Sorti(e) du parcours le {_fmt(left_on)}" in cell
    assert "text-danger-emphasis" not in cell


def test_the_programme_column_on_htmx_results(make_child, include, acting) -> None:
    child = make_child(100)
    include(child)
    html = acting.get(URL, {"parcours": "cocon"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert '<th scope="col">Parcours</th>' in html
    assert f'<a href="/patients/{child.public_id}/cocon/">Cocon</a>' in _cell(html, child, "Parcours")


# --- cordee.cocon.programme.summaries, on a fixed calendar ---------------------------------------------

BORN = datetime.date(2024, 1, 10)  # a term baby: 3 months window 25/03–24/05/2024, missed from 10/06


@pytest.fixture
def calendar_child(make_child: Callable[..., Patient], include: Callable[..., Inclusion]) -> Inclusion:
    return include(make_child(born=BORN), inclusion_date=datetime.date(2024, 2, 1))


@pytest.mark.parametrize(
    ("today", "detail", "alert"),
    [
        (datetime.date(2024, 2, 1), "Suivi des 3 mois : à venir (dès le 25/03/2024)", False),
        (datetime.date(2024, 3, 24), "Suivi des 3 mois : à venir (dès le 25/03/2024)", False),
        (datetime.date(2024, 3, 25), "Suivi des 3 mois : à faire (jusqu'au 24/05/2024)", False),
        (datetime.date(2024, 5, 24), "Suivi des 3 mois : à faire (jusqu'au 24/05/2024)", False),
        (datetime.date(2024, 5, 25), "Suivi des 3 mois : en retard", True),
        (datetime.date(2024, 6, 9), "Suivi des 3 mois : en retard", True),
        (
            datetime.date(2024, 6, 10),
            "Suivi des 6 mois : à faire (jusqu'au 24/08/2024) · 1 suivi manquant",
            True,
        ),
        (datetime.date(2024, 8, 25), "Suivi des 6 mois : en retard · 1 suivi manquant", True),
        (
            datetime.date(2024, 9, 10),
            "Suivi des 9 mois : à faire (jusqu'au 24/11/2024) · 2 suivis manquants",
            True,
        ),
        (datetime.date(2034, 1, 1), "Calendrier terminé · 11 suivis manquants", True),
    ],
)
def test_summaries_for_each_state(calendar_child, today, detail, alert) -> None:
    patient = calendar_child.patient
    assert summaries([patient.pk], today) == {
        patient.pk: Enrolment("Cocon", detail, f"/patients/{patient.public_id}/cocon/", alert=alert)
    }


def test_summaries_skip_the_steps_done(calendar_child) -> None:
    patient = calendar_child.patient
    steps = ScheduledStep.objects.filter(inclusion=calendar_child)
    steps.filter(step="cocon-3-mois").update(done_on=datetime.date(2024, 4, 2))
    shown = summaries([patient.pk], datetime.date(2024, 5, 25))[patient.pk]
    assert (shown.detail, shown.alert) == ("Suivi des 6 mois : à venir (dès le 10/06/2024)", False)
    # Done late (after its window): still done, never counted as missed.
    shown = summaries([patient.pk], datetime.date(2024, 9, 10))[patient.pk]
    assert shown.detail == "Suivi des 9 mois : à faire (jusqu'au 24/11/2024) · 1 suivi manquant"
    steps.update(done_on=datetime.date(2024, 4, 2))
    shown = summaries([patient.pk], datetime.date(2034, 1, 1))[patient.pk]
    assert (shown.detail, shown.alert) == ("Calendrier terminé", False)


def test_summaries_of_an_ended_inclusion(calendar_child, actor) -> None:
    patient = calendar_child.patient
    cocon.end_inclusion(actor, calendar_child, datetime.date(2024, 8, 1), Inclusion.EndReason.MOVED)
    shown = summaries([patient.pk], datetime.date(2024, 9, 10))[patient.pk]
    # Neither the next step nor the consultations missed: the child left.
    assert shown == Enrolment(
        "Cocon", "Sorti(e) du parcours le 01/08/2024", f"/patients/{patient.public_id}/cocon/", alert=False
    )


def test_summaries_are_one_query_for_the_dossiers_asked_only(
    calendar_child, make_child, include, django_assert_num_queries
) -> None:
    second = make_child(born=BORN)
    include(second, inclusion_date=datetime.date(2024, 2, 1))
    third = make_child(born=BORN)
    include(third, inclusion_date=datetime.date(2024, 2, 1))
    outside = make_child(born=BORN)
    first = calendar_child.patient
    with django_assert_num_queries(1):
        shown = summaries([first.pk, third.pk, outside.pk], datetime.date(2024, 3, 25))
    assert set(shown) == {first.pk, third.pk}
    assert shown[third.pk].url == f"/patients/{third.public_id}/cocon/"
    with django_assert_num_queries(0):  # an empty page asks nothing
        assert summaries([], datetime.date(2024, 3, 25)) == {}


# --- registry, catalogue, enrolments ---------------------------------------------------------------


def test_cocon_is_registered_as_a_programme() -> None:
    assert PROGRAMMES["cocon"] is COCON
    assert (COCON.key, COCON.label, COCON.theme_code) == ("cocon", "Cocon", "cocon")
    assert offered(set()) == list(PROGRAMMES.values())
    assert COCON not in offered({"cocon"})
    assert COCON in offered({"sante-mentale"})


def test_the_catalogue_reads_the_themes_in_one_query(db, django_assert_num_queries) -> None:
    _reserve("handicap")
    with django_assert_num_queries(1):
        catalogue = Catalogue.read()
    codes = [code for code, _ in catalogue.theme_choices]
    assert codes == [
        "coordination-dac",
        "cocon",
        "perinatalite",
        "gerontologie",
        "sante-mentale",
        "soins-palliatifs",
        "oncologie",
    ]
    assert COCON in catalogue.programmes
    _reserve("cocon")
    catalogue = Catalogue.read()
    assert "cocon" not in dict(catalogue.theme_choices)
    assert COCON not in catalogue.programmes


def test_enrolments_by_dossier(calendar_child, make_child, django_assert_num_queries) -> None:
    patient = calendar_child.patient
    outside = make_child()
    with django_assert_num_queries(1):
        shown = enrolments([patient.pk, outside.pk], [COCON])
    assert list(shown) == [patient.pk]
    assert [enrolment.programme for enrolment in shown[patient.pk]] == ["Cocon"]
    with django_assert_num_queries(0):
        assert enrolments([], [COCON]) == {}
        assert enrolments([patient.pk], []) == {}


# --- query count and saved filters -------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 49])
def test_query_count_is_pinned_with_1_and_50_children_in_cocon(
    make_child, include, actor, acting, extra, django_assert_num_queries
) -> None:
    included = 0
    for index in range(extra + 1):
        child = make_child(100 + index)
        _theme(child, "gerontologie")
        if index % 3 == 0:
            inclusion = include(child)
            included += 1
            if index == 3:
                cocon.end_inclusion(actor, inclusion, TODAY(), Inclusion.EndReason.OTHER)
        if index % 2 == 0:
            _task(child, TaskStatus.TODO)
    acting.get(URL, {"taille": "50"})  # warm the session's last-seen mark
    # The same 17 queries as test_active_file's pinned count: the Cocon calendars are one query.
    with django_assert_num_queries(17):
        response = acting.get(URL, {"taille": "50"})
    rows = response.context["rows"]
    assert len(rows) == extra + 1
    assert sum(len(row.enrolments) for row in rows) == included
    assert sum(row.open_tasks for row in rows) == (extra + 2) // 2
    themes = [[shown.theme.code for shown in row.shown_themes] for row in rows]
    assert all(codes[0] == "gerontologie" for codes in themes)
    assert sum("cocon" in codes for codes in themes) == included
    assert response.content.decode().count('">Cocon</a>') == included


def test_saved_filters_keep_the_new_criteria(make_child, include, acting, coordinator) -> None:
    followed = make_child(100, name="Suivi")
    include(followed)
    _theme(followed, "handicap")
    _task(followed, TaskStatus.TODO)
    without_task = make_child(100, name="Sanstache")
    include(without_task)
    _theme(without_task, "handicap")
    query = "parcours=cocon&taches=oui&thematique=handicap"
    response = acting.post(reverse("patients:filter_save"), {"name": "Cocon à relancer", "query": query})
    saved = SavedFilter.objects.get(user=coordinator)
    assert saved.query == query
    assert response["Location"] == f"/patients/?{query}&filtre={saved.public_id}"
    assert _names(acting.get(response["Location"])) == ["Suivi"]
    # Several themes are all kept.
    acting.post(
        reverse("patients:filter_save"),
        {"name": "Deux", "query": "thematique=handicap&thematique=gerontologie&page=2"},
    )
    assert SavedFilter.objects.get(name="Deux").query == "thematique=handicap&thematique=gerontologie"
