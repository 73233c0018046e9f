"""COC-1 / COC-3 services: inclusion (validated in French, all or nothing), its calendar, the
version-checked edit, the end of follow-up, and the calendar following notebooks closed and
reopened through the Parcours engine."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam import services as careteam
from cordee.careteam.models import CircleMember, CircleRole
from cordee.cocon import services
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.schedule import STEPS, missed_from, windows
from cordee.cocon.tests.conftest import actor_for, close_notebook, inclusion_input
from cordee.core.actor import Actor
from cordee.pathways import services as pathways
from cordee.pathways.models import DossierTheme, FormStatus
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_user

TODAY = timezone.localdate


def _nothing_created(patient: Patient) -> None:
    assert not Inclusion.objects.filter(patient=patient).exists()
    assert not ScheduledStep.objects.exists()
    assert not DossierTheme.objects.filter(patient=patient, theme__code="cocon").exists()
    assert not Event.objects.filter(patient=patient, kind=Event.Kind.COCON_INCLUDED).exists()
    assert not Access.objects.filter(patient=patient, action="cocon_include").exists()


def _outsider(actor: Actor, patient: Patient, *, habilitated: bool = False) -> User:
    user = make_user(username=f"pediatre-{habilitated}", last_name="Pédiatre", first_name="Paul")
    accept_current_terms(user)
    careteam.add_professional(actor, patient, user, habilitated=habilitated)
    return user


# --- inclusion validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"inclusion_date": "tomorrow"},
            "inclusion_date",
            "La date d'inclusion ne peut pas être dans le futur.",
        ),
        (
            {"inclusion_date": "before_birth"},
            "inclusion_date",
            "La date d'inclusion précède la date de naissance.",
        ),
        ({"criteria": []}, "criteria", "Cochez au moins un critère d'inclusion."),
    ],
)
def test_an_invalid_inclusion_is_refused_in_french_and_creates_nothing(
    actor: Actor, coordinator: User, newborn: Patient, changes: dict[str, object], field: str, message: str
) -> None:
    if changes.get("inclusion_date") == "tomorrow":
        changes = {"inclusion_date": TODAY() + datetime.timedelta(days=1)}
    elif changes.get("inclusion_date") == "before_birth":
        changes = {"inclusion_date": newborn.birth_date - datetime.timedelta(days=1)}
    with pytest.raises(ValidationError) as error:
        services.include(actor, newborn, inclusion_input(coordinator, **changes))
    assert error.value.message_dict == {field: [message]}
    _nothing_created(newborn)


def test_an_inclusion_after_two_years_of_age_is_refused(
    actor: Actor, coordinator: User, make_newborn: Callable[..., Patient]
) -> None:
    toddler = make_newborn(days_old=2 * 366 + 10)
    with pytest.raises(ValidationError) as error:
        services.include(actor, toddler, inclusion_input(coordinator))
    assert error.value.message_dict == {
        "inclusion_date": ["Cocon suit les nouveau-nés : l'inclusion se fait avant l'âge de 2 ans."]
    }
    _nothing_created(toddler)
    # On the second birthday itself: still accepted.
    inclusion = services.include(
        actor, toddler, inclusion_input(coordinator, inclusion_date=toddler.birth_date.replace(
            year=toddler.birth_date.year + 2) if toddler.birth_date.month != 2 or toddler.birth_date.day != 29
            else datetime.date(toddler.birth_date.year + 2, 2, 28))
    )  # fmt: skip
    assert inclusion.pk


def test_the_referent_must_be_a_habilitated_member_of_the_circle(
    actor: Actor, coordinator: User, newborn: Patient, stranger: User
) -> None:
    listed = _outsider(actor, newborn, habilitated=False)
    expected = {
        "referent_pediatrician": ["Le pédiatre référent doit être un membre habilité du cercle de soins."]
    }
    for referent in (listed, stranger):
        with pytest.raises(ValidationError) as error:
            services.include(actor, newborn, inclusion_input(referent))
        assert error.value.message_dict == expected
    _nothing_created(newborn)
    assert services.referent_choices(newborn) == [coordinator]


def test_referent_choices_exclude_removed_and_refused_members(
    actor: Actor, coordinator: User, newborn: Patient
) -> None:
    habilitated = _outsider(actor, newborn, habilitated=True)
    assert set(services.referent_choices(newborn)) == {coordinator, habilitated}
    row = CircleMember.objects.get(patient=newborn, user=habilitated)
    CircleMember.objects.filter(pk=row.pk).update(sharing_refused=True)
    assert services.referent_choices(newborn) == [coordinator]
    CircleMember.objects.filter(pk=row.pk).update(sharing_refused=False, removed_at=timezone.now())
    assert services.referent_choices(newborn) == [coordinator]


def test_several_errors_come_back_together(actor: Actor, stranger: User, newborn: Patient) -> None:
    with pytest.raises(ValidationError) as error:
        services.include(
            actor,
            newborn,
            inclusion_input(stranger, criteria=[], inclusion_date=TODAY() + datetime.timedelta(days=3)),
        )
    assert set(error.value.message_dict) == {"inclusion_date", "referent_pediatrician", "criteria"}
    _nothing_created(newborn)


def test_someone_who_cannot_fill_forms_cannot_include(
    coordinator: User, stranger: User, newborn: Patient
) -> None:
    with pytest.raises(PermissionDenied):
        services.include(actor_for(stranger), newborn, inclusion_input(coordinator))
    _nothing_created(newborn)


# --- inclusion ------------------------------------------------------------------------------------


def test_inclusion_adds_the_theme_and_the_eleven_steps(
    actor: Actor, coordinator: User, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(newborn)
    assert inclusion.referent_pediatrician == coordinator and inclusion.version == 1
    assert inclusion.is_preterm and inclusion.gestational_age_total_days == 30 * 7 + 2
    assert list(inclusion.criteria.values_list("code", flat=True)) == ["moins-32-sa"]
    assert (
        DossierTheme.objects.filter(patient=newborn, theme__code="cocon", removed_at__isnull=True).count()
        == 1
    )
    rows = list(ScheduledStep.objects.filter(inclusion=inclusion).order_by("rank"))
    assert [row.step for row in rows] == [step.code for step in STEPS]
    assert [row.rank for row in rows] == list(range(1, 12))
    calendar = windows(newborn.birth_date, 30 * 7 + 2)
    for index, (row, window) in enumerate(zip(rows, calendar, strict=True)):
        following = calendar[index + 1] if index + 1 < len(calendar) else None
        assert (row.opens_on, row.closes_on, row.target_on) == (window.opens, window.closes, window.target)
        assert row.missed_from == missed_from(window, following)
        assert row.done_on is None and row.form is None and row.reminder is None
    assert Event.objects.filter(patient=newborn, kind=Event.Kind.COCON_INCLUDED).count() == 1
    # The theme is added as the Parcours tab adds one: with its event.
    assert Event.objects.filter(patient=newborn, kind=Event.Kind.THEME_ADDED).count() == 1
    assert Access.objects.filter(patient=newborn, action="cocon_include").count() == 1


def test_a_child_is_included_once(
    actor: Actor, coordinator: User, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    include_child(newborn)
    with pytest.raises(ValidationError) as error:
        include_child(newborn)
    assert error.value.messages == ["Cet enfant est déjà inclus dans le parcours Cocon."]
    assert Inclusion.objects.count() == 1 and ScheduledStep.objects.count() == 11


def test_a_theme_already_on_the_dossier_is_not_added_twice(
    actor: Actor, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    from cordee.pathways.models import Theme

    pathways.add_theme(actor, newborn, Theme.objects.get(code="cocon"))
    include_child(newborn)
    assert (
        DossierTheme.objects.filter(patient=newborn, theme__code="cocon", removed_at__isnull=True).count()
        == 1
    )


# --- edit, end ------------------------------------------------------------------------------------


def test_an_edit_with_a_stale_version_is_refused_and_changes_nothing(
    actor: Actor, coordinator: User, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(newborn)
    first = list(ScheduledStep.objects.values_list("opens_on", flat=True))
    services.edit_inclusion(actor, inclusion, inclusion_input(coordinator, birth_weight_g=1400), 1)
    inclusion.refresh_from_db()
    assert inclusion.version == 2 and inclusion.birth_weight_g == 1400
    with pytest.raises(services.StaleInclusionError):
        services.edit_inclusion(
            actor, inclusion, inclusion_input(coordinator, gestational_age_weeks=39, birth_weight_g=3300), 1
        )
    inclusion.refresh_from_db()
    assert (inclusion.version, inclusion.gestational_age_weeks, inclusion.birth_weight_g) == (2, 30, 1400)
    assert list(ScheduledStep.objects.values_list("opens_on", flat=True)) == first
    assert "modifiée par quelqu'un d'autre" in services.StaleInclusionError.message


def test_an_edit_recomputes_the_calendar(
    actor: Actor, coordinator: User, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(newborn)
    criteria = list(InclusionCriterion.objects.filter(code__in=["environnement", "autre"]))
    services.edit_inclusion(
        actor, inclusion, inclusion_input(coordinator, gestational_age_weeks=39, criteria=criteria), 1
    )
    three = ScheduledStep.objects.get(inclusion=inclusion, step="cocon-3-mois")
    assert three.opens_on == windows(newborn.birth_date, 39 * 7 + 2)[0].opens
    assert ScheduledStep.objects.filter(inclusion=inclusion).count() == 11
    assert set(inclusion.criteria.values_list("code", flat=True)) == {"environnement", "autre"}
    assert Event.objects.filter(patient=newborn, kind=Event.Kind.COCON_CHANGED).count() == 1


def test_an_edit_is_validated_like_an_inclusion(
    actor: Actor, coordinator: User, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(newborn)
    with pytest.raises(ValidationError):
        services.edit_inclusion(actor, inclusion, inclusion_input(coordinator, criteria=[]), 1)
    inclusion.refresh_from_db()
    assert inclusion.version == 1 and inclusion.criteria.count() == 1


def test_end_inclusion(actor: Actor, newborn: Patient, include_child: Callable[..., Inclusion]) -> None:
    inclusion = include_child(newborn, inclusion_date=TODAY() - datetime.timedelta(days=30))
    for day, reason, field in (
        (TODAY(), "NOPE", "end_reason"),
        (TODAY() - datetime.timedelta(days=31), Inclusion.EndReason.MOVED, "ended_on"),
        (TODAY() + datetime.timedelta(days=1), Inclusion.EndReason.MOVED, "ended_on"),
    ):
        with pytest.raises(ValidationError) as error:
            services.end_inclusion(actor, inclusion, day, reason)
        assert list(error.value.message_dict) == [field]
    inclusion.refresh_from_db()
    assert inclusion.is_active and inclusion.version == 1
    services.end_inclusion(actor, inclusion, TODAY(), Inclusion.EndReason.MOVED)
    inclusion.refresh_from_db()
    assert not inclusion.is_active
    assert (inclusion.ended_on, inclusion.end_reason, inclusion.version) == (TODAY(), "MOVED", 2)
    # The calendar stays.
    assert ScheduledStep.objects.filter(inclusion=inclusion).count() == 11
    event = Event.objects.get(patient=newborn, kind=Event.Kind.COCON_ENDED)
    assert "Déménagement hors région" in event.summary
    assert Access.objects.filter(
        patient=newborn, action="cocon_end", what="Déménagement hors région"
    ).exists()
    # A second end is refused and changes nothing.
    with pytest.raises(ValidationError):
        services.end_inclusion(actor, inclusion, TODAY(), Inclusion.EndReason.OTHER)
    inclusion.refresh_from_db()
    assert (inclusion.end_reason, inclusion.version) == ("MOVED", 2)


def test_a_stranger_cannot_end_an_inclusion(
    stranger: User, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(newborn)
    with pytest.raises(PermissionDenied):
        services.end_inclusion(actor_for(stranger), inclusion, TODAY(), Inclusion.EndReason.OTHER)
    inclusion.refresh_from_db()
    assert inclusion.is_active


# --- notebooks closed and reopened move the calendar ----------------------------------------------


@pytest.fixture
def older(make_newborn: Callable[..., Patient]) -> Patient:
    """200 days old, born at 30 weeks: 132 days corrected, in the 3-month window."""
    return make_newborn(days_old=200)


@pytest.mark.usefixtures("shipped")
def test_closing_the_3_month_notebook_marks_the_step_done_on_the_consultation_date(
    actor: Actor,
    coordinator: User,
    structure: Structure,
    older: Patient,
    include_child: Callable[..., Inclusion],
) -> None:
    inclusion = include_child(older, gestational_age_days=0)
    consultation = TODAY() - datetime.timedelta(days=5)
    draft = close_notebook(actor, older, "cocon-3-mois", consultation, closing=False)
    three = ScheduledStep.objects.get(inclusion=inclusion, step="cocon-3-mois")
    assert three.done_on is None and three.form is None  # a draft is not a consultation done
    assert three.opens_on <= consultation <= three.closes_on

    notebook = close_notebook(actor, older, "cocon-3-mois", consultation)
    assert (
        notebook.status == FormStatus.CLOSED
        and notebook.answers["date_consultation"] == consultation.isoformat()
    )
    three.refresh_from_db()
    assert three.done_on == consultation and three.form == notebook
    # Only that step moved.
    assert ScheduledStep.objects.filter(inclusion=inclusion, done_on__isnull=False).count() == 1
    assert draft.status == FormStatus.DRAFT

    # Reopening (the coordinator's right) clears it; closing again sets it back.
    member = CircleMember.objects.get(patient=older, user=coordinator)
    member.roles.add(CircleRole.objects.get(label="Coordinateur / Gestionnaire de cas"))
    notebook.refresh_from_db()
    fresh = Patient.objects.get(pk=older.pk)  # the access standing is cached on the object
    pathways.reopen_form(actor_for(coordinator, structure), fresh, notebook, notebook.version)
    three.refresh_from_db()
    assert three.done_on is None and three.form is None
    notebook.refresh_from_db()
    later = TODAY() - datetime.timedelta(days=2)
    close_notebook(actor_for(coordinator, structure), fresh, "cocon-3-mois", later, response=notebook)
    three.refresh_from_db()
    assert three.done_on == later and three.form == notebook


@pytest.mark.usefixtures("shipped")
def test_the_earliest_closed_notebook_of_a_step_counts_and_one_closed_before_inclusion_too(
    actor: Actor, older: Patient, include_child: Callable[..., Inclusion]
) -> None:
    late = TODAY() - datetime.timedelta(days=1)
    early = TODAY() - datetime.timedelta(days=9)
    close_notebook(actor, older, "cocon-3-mois", late, seed=2)
    inclusion = include_child(older)  # the notebook closed before the inclusion is found
    three = ScheduledStep.objects.get(inclusion=inclusion, step="cocon-3-mois")
    assert three.done_on == late
    first = close_notebook(actor, older, "cocon-3-mois", early, seed=3)
    three.refresh_from_db()
    assert three.done_on == early and three.form == first


@pytest.mark.usefixtures("shipped")
def test_a_mobile_team_notebook_does_not_touch_the_calendar(
    actor: Actor, older: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(older)
    close_notebook(actor, older, "cocon-equipe-mobile", TODAY())
    assert not ScheduledStep.objects.filter(inclusion=inclusion, done_on__isnull=False).exists()


@pytest.mark.usefixtures("shipped")
def test_the_gestational_age_reaches_the_notebook_s_corrected_age(
    actor: Actor, older: Patient, include_child: Callable[..., Inclusion]
) -> None:
    include_child(older, gestational_age_weeks=30, gestational_age_days=0)
    notebook = close_notebook(actor, older, "cocon-3-mois", TODAY())
    chrono, corrected = notebook.answers["age_chrono"], notebook.answers["age_corrige"]
    assert chrono == pytest.approx(200 / 30.4375, abs=0.1)
    assert chrono - corrected == pytest.approx(70 / 30.4375, abs=0.1)
