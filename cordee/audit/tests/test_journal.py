"""SEC-2: the access journal is append-only, and "Qui a consulté ce dossier" reads it back."""

from __future__ import annotations

import html
import re

import pytest
from django.db import DatabaseError, IntegrityError, InternalError, connection, transaction
from django.urls import reverse

from cordee.audit.models import Access
from cordee.careteam.access import Perm
from cordee.careteam.models import CircleMember
from cordee.patients.models import Patient

REFUSED_BY_THE_DATABASE = (IntegrityError, DatabaseError, InternalError)


@pytest.fixture
def entry(dossier: Patient) -> Access:
    """The journal row written when the dossier was created."""
    return Access.objects.get(patient=dossier, action="create")


def _unchanged(entry: Access) -> None:
    again = Access.objects.get(pk=entry.pk)
    assert (again.action, again.outcome, again.user_id, again.what, again.at) == (
        entry.action,
        entry.outcome,
        entry.user_id,
        entry.what,
        entry.at,
    )


# --- Append-only -------------------------------------------------------------------------------


def test_saving_an_existing_journal_row_is_refused_by_the_model(entry: Access) -> None:
    entry.action = "rewritten"
    with pytest.raises(ValueError, match="jamais modifié"):
        entry.save()
    entry.refresh_from_db()
    assert entry.action == "create"


def test_deleting_a_journal_row_is_refused_by_the_model(entry: Access) -> None:
    with pytest.raises(ValueError, match="jamais effacé"):
        entry.delete()
    assert Access.objects.filter(pk=entry.pk).exists()


def test_a_raw_queryset_update_is_refused_by_the_database_trigger(entry: Access) -> None:
    with pytest.raises(REFUSED_BY_THE_DATABASE, match="append-only"), transaction.atomic():
        Access.objects.filter(pk=entry.pk).update(outcome=Access.Outcome.FORBIDDEN, action="rewritten")
    _unchanged(entry)


def test_a_raw_queryset_delete_is_refused_by_the_database_trigger(entry: Access) -> None:
    with pytest.raises(REFUSED_BY_THE_DATABASE, match="append-only"), transaction.atomic():
        Access.objects.filter(pk=entry.pk).delete()
    _unchanged(entry)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_access SET action = 'rewritten'",
        "UPDATE audit_access SET user_id = user_id",
        "DELETE FROM audit_access",
    ],
)
def test_hand_written_sql_cannot_rewrite_or_erase_the_journal(entry: Access, statement: str) -> None:
    with (
        pytest.raises(REFUSED_BY_THE_DATABASE, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    _unchanged(entry)


def test_new_rows_can_still_be_appended_after_a_refused_rewrite(entry: Access, coordinator) -> None:
    with pytest.raises(REFUSED_BY_THE_DATABASE, match="append-only"), transaction.atomic():
        Access.objects.all().delete()
    appended = Access.objects.create(user=coordinator, action="view", outcome=Access.Outcome.ALLOWED)
    assert Access.objects.filter(pk__in=[entry.pk, appended.pk]).count() == 2


# --- "Qui a consulté ce dossier" ---------------------------------------------------------------


def _journal_rows(page: str) -> list[dict[str, str]]:
    """The journal table as a list of {column label: cell text}."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL):
        if "data-label" not in row:
            continue
        cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, flags=re.DOTALL)
        rows.append({html.unescape(label): html.unescape(text).strip() for label, text in cells})
    return rows


def _journal_url(patient: Patient) -> str:
    return reverse("patients:access_journal", kwargs={"public_id": patient.public_id})


def test_the_journal_page_lists_who_opened_the_dossier_and_as_which_structure(
    coordinator, member, structure, dossier, client_for
) -> None:
    assert (
        client_for(member, acting_as=structure)
        .get(reverse("patients:detail", kwargs={"public_id": dossier.public_id}))
        .status_code
        == 200
    )
    assert (
        client_for(coordinator)
        .get(reverse("patients:detail", kwargs={"public_id": dossier.public_id}))
        .status_code
        == 200
    )

    response = client_for(coordinator, acting_as=structure).get(_journal_url(dossier))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Qui a consulté ce dossier" in page
    rows = _journal_rows(page)
    seen = {(r["Professionnel"], r["En tant que"], r["Action"], r["Résultat"]) for r in rows}
    assert ("MEMBRE Marc — Médecin", "DAC Test Azur", "A consulté le dossier", "Autorisé") in seen
    assert ("COORDIN Claire — Médecin", "personne physique", "A consulté le dossier", "Autorisé") in seen
    assert ("COORDIN Claire — Médecin", "DAC Test Azur", "A créé le dossier", "Autorisé") in seen
    # Opening the journal is itself an access, journaled before the page is read.
    assert rows[0]["Action"] == "A consulté le journal des accès"
    assert rows[0]["Objet"] == "journal des accès"
    assert len(rows) == Access.objects.filter(patient=dossier).count()


def test_the_journal_page_is_404_to_a_stranger_and_the_refusal_is_journaled(
    coordinator, stranger, structure, dossier, client_for
) -> None:
    response = client_for(stranger).get(_journal_url(dossier))
    assert response.status_code == 404
    assert "COORDIN" not in response.content.decode()
    refusal = Access.objects.get(user=stranger)
    assert refusal.patient_id == dossier.pk
    assert refusal.structure_id is None
    assert refusal.action == Perm.VIEW_ACCESS_JOURNAL
    assert refusal.outcome == Access.Outcome.NOT_FOUND
    assert refusal.what == "journal des accès"

    # The habilitated members see the refused attempt in the journal.
    rows = _journal_rows(
        client_for(coordinator, acting_as=structure).get(_journal_url(dossier)).content.decode()
    )
    assert any(
        r["Professionnel"].startswith("ETRANGER Eric")
        and r["En tant que"] == "personne physique"
        and r["Résultat"] == "Refusé (dossier introuvable pour cet utilisateur)"
        for r in rows
    )


def test_the_journal_page_is_403_to_a_circle_member_without_habilitation(
    stranger, dossier, client_for
) -> None:
    CircleMember.objects.create(patient=dossier, user=stranger, is_habilitated=False)
    response = client_for(stranger).get(_journal_url(dossier))
    assert response.status_code == 403
    refusal = Access.objects.get(user=stranger)
    assert refusal.outcome == Access.Outcome.FORBIDDEN
    assert refusal.action == Perm.VIEW_ACCESS_JOURNAL


def test_the_journal_speaks_french_and_names_what_ids_designate(
    coordinator, structure, dossier, client_for
) -> None:
    """Issue 23: no code (`view_access_journal`, `form_closed`) and no raw id on the page."""
    from cordee.pathways.testing import make_form, make_questionnaire
    from cordee.tasks.tests.helpers import actor_for, make_task

    form = make_form(make_questionnaire(title="Bilan d'entrée"), dossier)
    task = make_task(actor_for(coordinator, structure), dossier, "Appeler la famille")
    acting = client_for(coordinator, acting_as=structure)
    acting.get(reverse("pathways:form", kwargs={"public_id": dossier.public_id, "form_id": form.public_id}))
    Access.objects.create(
        user=coordinator, patient=dossier, action="form_closed", outcome="ALLOWED", what=str(form.public_id)
    )
    Access.objects.create(
        user=coordinator,
        patient=dossier,
        action="edit_task",
        outcome="ALLOWED",
        what=f"tâche {task.public_id}",
    )
    Access.objects.create(user=coordinator, patient=dossier, action="some_new_code", outcome="ALLOWED")
    page = acting.get(_journal_url(dossier)).content.decode()
    rows = _journal_rows(page)
    actions = [r["Action"] for r in rows]
    assert "A clôturé un formulaire" in actions
    assert "A modifié une tâche" in actions
    assert "A effectué une action sur le dossier" in actions  # a code nobody worded yet
    objects = {r["Objet"] for r in rows}
    assert "formulaire « Bilan d'entrée »" in objects  # the page opened
    assert "« Bilan d'entrée »" in objects  # the closing
    assert "tâche « Appeler la famille »" in objects
    for code in ("view_access_journal", "form_closed", "edit_task", "some_new_code", "fill_forms"):
        assert code not in page
    assert str(form.public_id) not in page and str(task.public_id) not in page
    # Dates as people read them, on the Paris clock.
    assert re.search(r'<td data-label="Date">\d\d/\d\d/\d{4} à \d\d:\d\d</td>', page)


def test_the_journal_hides_another_dossiers_id(coordinator, structure, dossier, client_for) -> None:
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(coordinator, structure, first_name="Autre", birth_name="Personne")
    Access.objects.create(
        user=coordinator,
        patient=dossier,
        action="identity_duplicate",
        outcome="ALLOWED",
        what=f"doublon potentiel de {other.public_id}",
    )
    page = client_for(coordinator, acting_as=structure).get(_journal_url(dossier)).content.decode()
    assert str(other.public_id) not in page and "Personne" not in page.split("<tbody>")[1]
    assert "doublon potentiel d'un autre dossier" in html.unescape(page)


def _columns() -> list[str]:
    return [
        column.name
        for column in connection.introspection.get_table_description(connection.cursor(), "audit_access")
    ]


@pytest.mark.parametrize("verb", ["REPLACE INTO", "INSERT OR REPLACE INTO", "UPSERT"])
def test_replace_or_upsert_cannot_rewrite_a_journal_row(entry: Access, verb: str) -> None:
    """Issue 24: SQLite's REPLACE deletes the old row without firing its DELETE trigger; the
    BEFORE INSERT guard refuses an id already written. PostgreSQL's upsert is an UPDATE: refused."""
    columns = _columns()
    values = ", ".join("'rewritten'" if name == "action" else name for name in columns)
    names = ", ".join(columns)
    if verb == "UPSERT":
        statement = (
            f"INSERT INTO audit_access ({names}) SELECT {values} FROM audit_access WHERE id = %s "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET action = 'rewritten'"
        )
    elif connection.vendor == "postgresql":
        pytest.skip("REPLACE is SQLite's; PostgreSQL's form is the upsert case")
    else:
        statement = f"{verb} audit_access ({names}) SELECT {values} FROM audit_access WHERE id = %s"  # noqa: S608
    with (
        pytest.raises(REFUSED_BY_THE_DATABASE, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    _unchanged(entry)
    assert Access.objects.filter(pk=entry.pk).count() == 1
