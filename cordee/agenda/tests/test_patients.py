"""AGD-1 where the dossier is read: the "RDV patient" theme, "Prochain RDV", the life line."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.agenda import recurrence, services
from cordee.agenda.tests.helpers import actor_of, book
from cordee.core import clock


def _soon(days: int) -> datetime.date:
    return clock.today() + datetime.timedelta(days=days)


def test_the_rdv_patient_theme_lists_the_dossier_appointments(
    coordinator: User, structure: Structure, dossier, client_for
) -> None:
    actor = actor_of(coordinator, structure)
    book(actor, _soon(3), 10, title="Bilan orthophonique", patient=dossier, repeat="WEEKLY")
    book(actor, _soon(4), 11, title="Secret", patient=dossier, is_private=True, users=[coordinator])
    html = (
        client_for(coordinator, acting_as=structure)
        .get(reverse("pathways:tab", args=[dossier.public_id]))
        .content.decode()
    )
    assert "Bilan orthophonique" in html and "Prendre un rendez-vous" in html
    assert html.count("Bilan orthophonique") >= 3  # the series' occurrences
    assert "Secret" in html  # its author sees it


def test_a_private_appointment_shows_no_title_in_the_dossier_to_others(
    coordinator: User, member: User, structure: Structure, dossier, client_for
) -> None:
    from cordee.careteam.models import CircleMember

    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=True)
    book(
        actor_of(coordinator, structure),
        _soon(4),
        11,
        title="Secret",
        patient=dossier,
        is_private=True,
        users=[coordinator],
    )
    html = (
        client_for(member, acting_as=structure)
        .get(reverse("pathways:tab", args=[dossier.public_id]))
        .content.decode()
    )
    assert "Secret" not in html and "Rendez-vous privé" in html


def test_prochain_rdv_in_the_active_file_costs_one_query(
    coordinator: User, structure: Structure, dossier, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(coordinator, acting_as=structure)
    client.get(reverse("patients:list"))
    with django_assert_max_num_queries(200) as before:
        client.get(reverse("patients:list"))
    actor = actor_of(coordinator, structure)
    series = book(actor, _soon(-14), 9, title="Suivi", patient=dossier, repeat="WEEKLY")
    book(actor, _soon(30), 9, title="Plus tard", patient=dossier)
    with django_assert_max_num_queries(len(before.captured_queries)) as after:
        html = client.get(reverse("patients:list")).content.decode()
    assert "Prochain RDV" in html
    upcoming = next(
        o.starts_at
        for o in recurrence.occurrences(series, clock.now(), clock.now() + datetime.timedelta(days=8))
        if o.starts_at >= clock.now()
    )
    assert f"{clock.local(upcoming):%d/%m/%Y} à {clock.local(upcoming):%H:%M}" in html
    assert len(after.captured_queries) == len(before.captured_queries)
    services.cancel_appointment(actor, series, series.version)
    html = client.get(reverse("patients:list")).content.decode()
    assert f"{_soon(30):%d/%m/%Y} à 09:00" in html  # a cancelled one is not the next


def test_the_life_line_shows_appointments(
    coordinator: User, structure: Structure, dossier, client_for
) -> None:
    book(actor_of(coordinator, structure), _soon(2), 15, title="Consultation PMI", patient=dossier)
    html = (
        client_for(coordinator, acting_as=structure)
        .get(reverse("activity:lifeline", args=[dossier.public_id]))
        .content.decode()
    )
    assert "Consultation PMI (15:00)" in html and "Rendez-vous" in html
