"""COC-4 extraction: closed notebooks only, filtered; one column per item code across versions;
the child pseudonymised (stable, keyed, never the identity); CSV, XLSX and the dictionary; the
network staff's right only, every extraction journaled; a bad filter refused in French."""

from __future__ import annotations

import copy
import csv
import datetime
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.audit.models import Access
from cordee.cocon.export import FIXED_COLUMNS, Extraction, Filters, notebooks, pseudonym
from cordee.cocon.models import Inclusion
from cordee.cocon.tests.conftest import close_notebook
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.pathways.models import FormResponse, FormStatus, Questionnaire, QuestionnaireVersion
from cordee.patients.models import Patient
from cordee.territory.models import Commune, Zone

pytestmark = pytest.mark.usefixtures("shipped")

TODAY = clock.today  # asked when each test runs, not at import (issue 25)
STAFF_GROUP = "Réseau périnatal — évaluation Cocon"
FIXED = [code for code, _ in FIXED_COLUMNS]


@dataclass
class Cohort:
    anna: Patient  # Nice, included at 30 weeks: 3-month closed 10 days ago, 6-month draft
    basile: Patient  # Antibes, included at 39 weeks: 3-month closed 3 days ago, mobile team closed
    anna_three: FormResponse
    basile_three: FormResponse
    basile_mobile: FormResponse
    west: Zone


@pytest.fixture
def cohort(
    actor: Actor, make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion]
) -> Cohort:
    anna = make_newborn(
        days_old=200, first_name="Annabelle", birth_name="Quenouille", sex="F", commune_id="06088"
    )
    basile = make_newborn(
        days_old=120, first_name="Basile", birth_name="Trémolière", sex="M", commune_id="06004"
    )
    include_child(anna, gestational_age_weeks=30, gestational_age_days=0, birth_weight_g=1310)
    include_child(basile, gestational_age_weeks=39, gestational_age_days=4, birth_weight_g=3420)
    anna_three = close_notebook(actor, anna, "cocon-3-mois", TODAY() - datetime.timedelta(days=10))
    close_notebook(actor, anna, "cocon-6-mois", TODAY() - datetime.timedelta(days=1), closing=False)
    basile_three = close_notebook(actor, basile, "cocon-3-mois", TODAY() - datetime.timedelta(days=3))
    basile_mobile = close_notebook(actor, basile, "cocon-equipe-mobile", TODAY() - datetime.timedelta(days=2))
    west = Zone.objects.create(name="Ouest azuréen")
    west.communes.add(*Commune.objects.filter(code__in=["06004", "06155"]))
    east = Zone.objects.create(name="Est azuréen")
    east.communes.add(*Commune.objects.filter(code__in=["06088"]))
    return Cohort(anna, basile, anna_three, basile_three, basile_mobile, west)


def table(extraction: Extraction) -> list[dict[str, Any]]:
    header = extraction.header
    return [dict(zip(header, row, strict=True)) for row in extraction.rows()]


# --- content ---------------------------------------------------------------------------------------


def test_only_closed_notebooks_are_extracted(cohort: Cohort) -> None:
    assert FormResponse.objects.filter(status=FormStatus.DRAFT).count() == 1
    rows = table(Extraction(Filters()))
    assert sorted(row["CAHIER"] for row in rows) == ["cocon-3-mois", "cocon-3-mois", "cocon-equipe-mobile"]
    assert set(notebooks(Filters())) == {cohort.anna_three, cohort.basile_three, cohort.basile_mobile}
    # A notebook reopened (back to draft) leaves the extraction.
    FormResponse.objects.filter(pk=cohort.anna_three.pk).update(status=FormStatus.DRAFT, closed_at=None)
    assert [row["CAHIER"] for row in table(Extraction(Filters(step="cocon-3-mois")))] == ["cocon-3-mois"]


def test_a_closed_form_of_another_questionnaire_is_not_extracted(actor: Actor, cohort: Cohort) -> None:
    other = Questionnaire.objects.exclude(code__startswith="cocon").exclude(versions=None).first()
    assert other is not None
    version = other.current_version()
    assert version is not None
    FormResponse.objects.create(
        patient=cohort.anna,
        questionnaire_version=version,
        theme=other.theme,
        answers={"date_consultation": TODAY().isoformat()},
        status=FormStatus.CLOSED,
        closed_at=timezone.now(),
        created_by=actor.user,
    )
    assert len(table(Extraction(Filters()))) == 3


def test_notebooks_of_a_child_never_included_are_not_extracted(actor: Actor, cohort: Cohort) -> None:
    Inclusion.objects.filter(patient=cohort.anna).delete()
    assert {row["CAHIER"] for row in table(Extraction(Filters()))} == {"cocon-3-mois", "cocon-equipe-mobile"}
    assert set(notebooks(Filters())) == {cohort.basile_three, cohort.basile_mobile}


def test_the_row_s_fixed_columns_and_answers(cohort: Cohort) -> None:
    rows = {row["CAHIER"] + row["SEXE"]: row for row in table(Extraction(Filters()))}
    anna = rows["cocon-3-moisF"]
    consultation = TODAY() - datetime.timedelta(days=10)
    assert anna["ID_ENFANT"] == pseudonym(cohort.anna.public_id)
    assert (anna["VERSION_CAHIER"], anna["DATE_CLOTURE"]) == (1, TODAY().isoformat())
    assert (anna["TERME_SA"], anna["TERME_JOURS"], anna["POIDS_NAISSANCE_G"]) == (30, 0, 1310)
    assert anna["AGE_CONSULTATION_MOIS"] == round(190 / 30.4375, 1)
    assert anna["AGE_CORRIGE_CONSULTATION_MOIS"] == round((190 - 70) / 30.4375, 1)
    assert anna["ZONES"] == "Est azuréen"
    assert anna["DATE_CONSULTATION"] == consultation.isoformat()
    assert anna["CONCLUSION"] == cohort.anna_three.answers["conclusion"]
    assert anna["POIDS_KG"] == cohort.anna_three.answers["poids"]  # a number: XLSX keeps it numeric
    assert anna["M03_TENUE_TETE"] in ("oui", "non")
    assert anna["M09_TIENT_ASSIS"] == ""  # another notebook's item: empty here
    basile = rows["cocon-3-moisM"]
    assert basile["AGE_CORRIGE_CONSULTATION_MOIS"] == ""  # born at term: no corrected age
    assert (basile["TERME_SA"], basile["TERME_JOURS"], basile["ZONES"]) == (39, 4, "Ouest azuréen")


def test_a_notebook_closed_at_half_past_midnight_in_paris_is_dated_that_day(cohort: Cohort) -> None:
    """Issue 25: DATE_CLOTURE is the Paris date of the closing, not the UTC date (23:30 UTC on
    3 December is 00:30 on 4 December in Paris; 22:30 UTC in summer is 00:30 too)."""
    for closed_at, paris_day in (
        (datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC), "2026-12-04"),
        (datetime.datetime(2027, 7, 14, 22, 30, tzinfo=datetime.UTC), "2027-07-15"),
        (
            datetime.datetime(2027, 3, 28, 0, 30, tzinfo=datetime.UTC),
            "2027-03-28",
        ),  # the clocks go forward at 2:00
    ):
        FormResponse.objects.filter(pk=cohort.anna_three.pk).update(closed_at=closed_at)
        anna = next(
            row
            for row in table(Extraction(Filters()))
            if row["ID_ENFANT"] == pseudonym(cohort.anna.public_id)
        )
        assert anna["DATE_CLOTURE"] == paris_day


def test_the_header_is_the_fixed_columns_then_every_item_code_once(cohort: Cohort) -> None:
    extraction = Extraction(Filters())
    header = extraction.header
    assert header[: len(FIXED)] == FIXED
    assert len(header) == len(set(header))
    codes = set(header[len(FIXED) :])
    for code in ("DATE_CONSULTATION", "POIDS_KG", "CONCLUSION", "M03_TENUE_TETE", "A6_CLOCHE_PIED"):
        assert code in codes
    # Every answering item of every notebook has its column; groups and displays have none, nor
    # free texts and attachments the dictionary does not mark safe (issue 24).
    for version in QuestionnaireVersion.objects.filter(questionnaire__code__startswith="cocon"):
        for item in version.parsed().walk():
            if item.type in ("group", "display") or (
                item.type in ("string", "text", "attachment") and not item.extractable
            ):
                assert item.code not in codes or not item.code
            else:
                assert item.code in codes, (version, item.link_id)
    # DATE_CONSULTATION is in the 12 notebooks: one column.
    assert header.count("DATE_CONSULTATION") == 1


def test_a_code_shared_by_two_versions_is_one_column(actor: Actor, cohort: Cohort) -> None:
    questionnaire = Questionnaire.objects.get(code="cocon-3-mois")
    first = questionnaire.current_version()
    assert first is not None
    definition = copy.deepcopy(first.definition)
    definition["items"].insert(
        1,
        {
            "linkId": "lieu_consultation",
            "type": "string",
            "text": "Lieu de la consultation",
            "code": "LIEU_CONSULTATION",
            "extractable": True,  # the dictionary's decision: safe to extract
        },
    )
    QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=2, definition=definition, published_at=timezone.now()
    )
    second = close_notebook(actor, cohort.anna, "cocon-3-mois", TODAY(), seed=5)
    assert second.questionnaire_version.number == 2
    extraction = Extraction(Filters(step="cocon-3-mois"))
    header = extraction.header
    assert header.count("POIDS_KG") == 1 and header.count("LIEU_CONSULTATION") == 1
    rows = table(extraction)
    assert sorted(row["VERSION_CAHIER"] for row in rows) == [1, 1, 2]
    by_version = {row["VERSION_CAHIER"]: row for row in rows}
    assert by_version[2]["POIDS_KG"] == second.answers["poids"]
    assert by_version[1]["LIEU_CONSULTATION"] == ""
    dictionary = list(extraction.dictionary())
    assert [row[0] for row in dictionary].count("POIDS_KG") == 1


def test_an_unpublished_draft_version_adds_no_column(cohort: Cohort) -> None:
    """A version an administrator is still preparing is not part of the data: no column for it."""
    questionnaire = Questionnaire.objects.get(code="cocon-3-mois")
    version = questionnaire.current_version()
    assert version is not None
    definition = copy.deepcopy(version.definition)
    definition["items"].append(
        {"linkId": "brouillon", "type": "integer", "text": "Brouillon", "code": "BROUILLON"}
    )
    QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=2, definition=definition)
    extraction = Extraction(Filters())
    assert "BROUILLON" not in extraction.header
    assert "BROUILLON" not in [row[0] for row in extraction.dictionary()]


def test_filters_period_zone_step(cohort: Cohort) -> None:
    def extracted(filters: Filters) -> list[tuple[str, str]]:
        return sorted((row["CAHIER"], row["SEXE"]) for row in table(Extraction(filters)))

    five_days_ago = TODAY() - datetime.timedelta(days=5)
    assert extracted(Filters(start=five_days_ago)) == [("cocon-3-mois", "M"), ("cocon-equipe-mobile", "M")]
    assert extracted(Filters(end=five_days_ago)) == [("cocon-3-mois", "F")]
    # Bounds are inclusive, on the consultation date (not the closing date, today for all).
    ten = TODAY() - datetime.timedelta(days=10)
    assert extracted(Filters(start=ten, end=ten)) == [("cocon-3-mois", "F")]
    three = TODAY() - datetime.timedelta(days=3)
    assert extracted(Filters(start=three, end=three)) == [("cocon-3-mois", "M")]
    assert extracted(Filters(start=TODAY(), end=TODAY())) == []
    assert extracted(Filters(zone=cohort.west)) == [("cocon-3-mois", "M"), ("cocon-equipe-mobile", "M")]
    assert extracted(Filters(zone=Zone.objects.get(name="Est azuréen"))) == [("cocon-3-mois", "F")]
    assert extracted(Filters(step="cocon-equipe-mobile")) == [("cocon-equipe-mobile", "M")]
    assert extracted(Filters(step="cocon-3-mois", zone=cohort.west, end=five_days_ago)) == []
    # The step filter narrows the header to that notebook's codes.
    header = Extraction(Filters(step="cocon-equipe-mobile")).header
    assert "M03_TENUE_TETE" not in header and "DATE_CONSULTATION" in header


def test_a_commune_in_two_zones_is_extracted_once_and_lists_both(cohort: Cohort) -> None:
    other = Zone.objects.create(name="Pays de Grasse et littoral")
    other.communes.add(*Commune.objects.filter(code__in=["06004"]))
    rows = table(Extraction(Filters(step="cocon-3-mois", zone=cohort.west)))
    assert len(rows) == 1
    assert set(rows[0]["ZONES"].split("|")) == {"Ouest azuréen", "Pays de Grasse et littoral"}
    assert len(table(Extraction(Filters(step="cocon-3-mois")))) == 2


# --- pseudonymisation -------------------------------------------------------------------------------


def test_the_pseudonym_is_stable_distinct_and_keyed(cohort: Cohort) -> None:
    def ids() -> dict[str, str]:
        return {row["SEXE"]: row["ID_ENFANT"] for row in table(Extraction(Filters(step="cocon-3-mois")))}

    first, second = ids(), ids()
    assert first == second
    assert first["F"] != first["M"]
    assert all(len(value) == 24 and int(value, 16) >= 0 for value in first.values())
    # Both of Basile's notebooks carry the same pseudonym.
    assert {row["ID_ENFANT"] for row in table(Extraction(Filters())) if row["SEXE"] == "M"} == {first["M"]}
    # Not a plain (unkeyed) hash of the identifier: without the key it cannot be recomputed.
    for public_id in (cohort.anna.public_id, cohort.basile.public_id):
        plain = hashlib.sha256(str(public_id).encode()).hexdigest()[:24].upper()
        assert plain not in first.values()
    with override_settings(CORDEE_PSEUDONYM_KEY="une-autre-clé-du-réseau"):
        rotated = ids()
        assert rotated == ids()
    assert rotated["F"] != first["F"] and rotated["M"] != first["M"]
    with override_settings(CORDEE_PSEUDONYM_KEY="une-autre-clé-du-réseau", SECRET_KEY="changed-secret"):
        assert ids() == rotated  # a dedicated key: rotating SECRET_KEY changes nothing


def test_the_output_never_contains_the_identity(
    cohort: Cohort, client_for: Callable[..., Client], coordinator: User
) -> None:
    coordinator.groups.add(Group.objects.get(name=STAFF_GROUP))
    client = client_for(coordinator)
    csv_text = download(client, {"output": "csv"}).decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(download(client, {"output": "xlsx"})), read_only=True)
    xlsx_text = "\n".join(
        ";".join("" if cell is None else str(cell) for cell in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )
    dictionary = download(client, {"output": "dictionary"}).decode("utf-8-sig")
    for patient in (cohort.anna, cohort.basile):
        forbidden = [
            patient.first_name,
            patient.birth_name,
            str(patient.public_id),
            str(patient.public_id).replace("-", ""),
            patient.birth_date.isoformat(),
            f"{patient.birth_date:%d/%m/%Y}",
            str(patient.pk) if len(str(patient.pk)) > 3 else "§never§",
        ]
        for text in (csv_text, xlsx_text, dictionary):
            for value in forbidden:
                assert value.lower() not in text.lower(), value
    assert pseudonym(cohort.anna.public_id) in csv_text and pseudonym(cohort.anna.public_id) in xlsx_text


# --- the views: formats, rights, journal ------------------------------------------------------------


def download(client: Client, params: dict[str, str]) -> bytes:
    response = client.get(reverse("cocon:extraction"), params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.fixture
def staff(coordinator: User) -> User:
    coordinator.groups.add(Group.objects.get(name=STAFF_GROUP))
    return coordinator


def test_the_csv(cohort: Cohort, staff: User, client_for: Callable[..., Client]) -> None:
    content = download(client_for(staff), {"output": "csv", "step": "cocon-3-mois"})
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == Extraction(Filters(step="cocon-3-mois")).header
    assert len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)
    access = Access.objects.get(action="cocon_extraction")
    assert access.user == staff and access.patient is None and access.outcome == Access.Outcome.ALLOWED
    assert access.what.startswith("csv — 2 cahiers — cahier cocon-3-mois")


def test_the_xlsx_has_the_notebooks_and_the_dictionary(
    cohort: Cohort, staff: User, client_for: Callable[..., Client]
) -> None:
    response = client_for(staff).get(reverse("cocon:extraction"), {"output": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert book.sheetnames == ["Cahiers", "Dictionnaire"]
    rows = list(book["Cahiers"].iter_rows(values_only=True))
    extraction = Extraction(Filters())
    assert list(rows[0]) == extraction.header and len(rows) == 4
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["ID_ENFANT"] in {pseudonym(cohort.anna.public_id), pseudonym(cohort.basile.public_id)}
    dictionary = list(book["Dictionnaire"].iter_rows(values_only=True))
    assert dictionary[0] == ("code", "libellé", "type", "unité", "modalités", "cahiers")
    assert [row[0] for row in dictionary[1:]] == extraction.header
    assert Access.objects.filter(action="cocon_extraction", what__startswith="xlsx — 3 cahiers").count() == 1


def test_the_dictionary_lists_every_code(
    cohort: Cohort, staff: User, client_for: Callable[..., Client]
) -> None:
    content = download(client_for(staff), {"output": "dictionary"}).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0] == ["code", "libellé", "type", "unité", "modalités", "cahiers"]
    codes = [row[0] for row in rows[1:]]
    assert codes == Extraction(Filters()).header
    entries = {row[0]: row for row in rows[1:]}
    assert entries["POIDS_KG"][2:4] == ["decimal", "kg"]
    assert (
        "cocon-3-mois" in entries["DATE_CONSULTATION"][5]
        and "cocon-equipe-mobile" in entries["DATE_CONSULTATION"][5]
    )
    assert entries["ORIENTATION"][2] == "choice multiple" and " = " in entries["ORIENTATION"][4]
    assert entries["M03_TENUE_TETE"][5] == "cocon-3-mois"
    assert Access.objects.filter(action="cocon_dictionary").count() == 1


def test_a_permission_given_to_the_user_alone_is_enough(
    cohort: Cohort, member: User, client_for: Callable[..., Client]
) -> None:
    member.user_permissions.add(Permission.objects.get(codename="extract_notebooks"))
    download(client_for(member), {"output": "csv"})
    assert Access.objects.filter(action="cocon_extraction", user=member).count() == 1


@pytest.mark.parametrize(
    "who", ["stranger", "member", "member_acting", "coordinator_acting", "dashboard_only"]
)
def test_without_the_right_every_output_is_refused_and_nothing_journaled(
    cohort: Cohort,
    who: str,
    stranger: User,
    member: User,
    coordinator: User,
    structure: Structure,
    client_for: Callable[..., Client],
) -> None:
    if who == "stranger":
        client = client_for(stranger)
    elif who == "member":
        client = client_for(member)
    elif who == "member_acting":
        client = client_for(member, acting_as=structure)
    elif who == "coordinator_acting":  # a structure's super user, with the dossiers: still no
        client = client_for(coordinator, acting_as=structure)
    else:
        member.user_permissions.add(Permission.objects.get(codename="view_cohort"))
        client = client_for(member)
    url = reverse("cocon:extraction")
    for params in ({}, {"output": "csv"}, {"output": "xlsx"}, {"output": "dictionary"}):
        response = client.get(url, params)
        assert response.status_code == 403, params
        assert "Content-Disposition" not in response
    assert not Access.objects.filter(action__in=["cocon_extraction", "cocon_dictionary"]).exists()


def test_anonymous_is_sent_to_sign_in(cohort: Cohort) -> None:
    response = Client().get(reverse("cocon:extraction"), {"output": "csv"})
    assert response.status_code == 302 and "Content-Disposition" not in response


def test_a_period_ending_before_it_starts_is_refused_in_french(
    cohort: Cohort, staff: User, client_for: Callable[..., Client]
) -> None:
    response = client_for(staff).get(
        reverse("cocon:extraction"),
        {
            "output": "csv",
            "start": TODAY().isoformat(),
            "end": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert response["Content-Type"].startswith("text/html")
    assert "La fin de la période précède son début." in response.content.decode()
    assert not Access.objects.filter(action="cocon_extraction").exists()


def test_the_form_page(staff: User, client_for: Callable[..., Client]) -> None:
    response = client_for(staff).get(reverse("cocon:extraction"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Extraction des cahiers de suivi Cocon" in page and "Dictionnaire des données (CSV)" in page
    assert not Access.objects.filter(action="cocon_extraction").exists()


# --- issue 24: really pseudonymous, and no formula ---------------------------------------------------


def _poison(response: FormResponse, **answers: Any) -> None:
    FormResponse.objects.filter(pk=response.pk).update(answers={**response.answers, **answers})


def test_free_texts_and_file_names_never_leave_unless_marked_safe(
    cohort: Cohort, staff: User, client_for: Callable[..., Client]
) -> None:
    _poison(
        cohort.anna_three,
        synthese="Vue avec sa grand-mère Mme Quenouille",
        lait_type="Lait de Mme Quenouille",
        document={"document": "0b7c2d4e-0000-4000-8000-000000000000", "name": "cr-Quenouille-Annabelle.pdf"},
    )
    header = Extraction(Filters()).header
    assert "SYNTHESE" not in header and "DOCUMENT" not in header and "LAIT_TYPE" not in header
    assert "CONCLUSION" in header and "POIDS_KG" in header  # coded answers still go
    client = client_for(staff)
    for output in ("csv", "xlsx", "dictionary"):
        content = download(client, {"output": output})
        text = content.decode("utf-8-sig") if output != "xlsx" else _xlsx_text(content)
        assert "quenouille" not in text.lower() and "cr-" not in text


def test_an_attachment_marked_safe_is_only_its_presence(actor: Actor, cohort: Cohort) -> None:
    questionnaire = Questionnaire.objects.get(code="cocon-3-mois")
    version = questionnaire.current_version()
    assert version is not None
    definition = copy.deepcopy(version.definition)

    def mark(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("code") in ("DOCUMENT", "LAIT_TYPE"):
                item["extractable"] = True
            mark(item.get("items", []))

    mark(definition["items"])
    QuestionnaireVersion.objects.filter(pk=version.pk).update(definition=definition)
    _poison(
        cohort.anna_three,
        lait_type="Enrichie post-sortie",
        document={"document": "0b7c2d4e-0000-4000-8000-000000000000", "name": "cr-Quenouille.pdf"},
    )
    row = next(r for r in table(Extraction(Filters())) if r["ID_ENFANT"] == pseudonym(cohort.anna.public_id))
    assert row["DOCUMENT"] == "oui" and row["LAIT_TYPE"] == "Enrichie post-sortie"


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        ";".join("" if cell is None else str(cell) for cell in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_every_string_is_neutralised_against_formulas(
    cohort: Cohort, staff: User, client_for: Callable[..., Client], formula: str
) -> None:
    questionnaire = Questionnaire.objects.get(code="cocon-3-mois")
    version = questionnaire.current_version()
    assert version is not None
    definition = copy.deepcopy(version.definition)
    definition["items"].append(
        {"linkId": "remarque", "type": "string", "text": formula, "code": "REMARQUE", "extractable": True}
    )
    QuestionnaireVersion.objects.filter(pk=version.pk).update(definition=definition)
    _poison(cohort.anna_three, remarque=formula)
    # Names an administrator types are cells too: a zone's (the children's communes), neutralised.
    Zone.objects.filter(pk=cohort.west.pk).update(name=formula)
    client = client_for(staff)
    rows = list(
        csv.reader(io.StringIO(download(client, {"output": "csv"}).decode("utf-8-sig")), delimiter=";")
    )
    cells = [cell for row in rows for cell in row]
    assert "'" + formula in cells and formula not in cells
    assert cells.count("'" + formula) >= 2  # the answer and the zone
    book = openpyxl.load_workbook(io.BytesIO(download(client, {"output": "xlsx"})))
    values = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in values)  # no formula cell anywhere
    assert "'" + formula in [cell.value for cell in values]
    dictionary = download(client, {"output": "dictionary"}).decode("utf-8-sig")
    assert "'" + formula in [c for row in csv.reader(io.StringIO(dictionary), delimiter=";") for c in row]
