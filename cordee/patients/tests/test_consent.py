"""CON-2 / CON-3: withdrawing a consent needs a reason, history is kept, a new one can be given."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.patients.models import Consent, Patient
from cordee.patients.testing import create_test_patient
from tests.factories import accept_current_terms, make_user

REASON = "Les parents retirent leur accord lors de la visite du 12/05."


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def consent(dossier: Patient) -> Consent:
    return dossier.consents.get()


def _withdraw_url(consent: Consent) -> str:
    return reverse(
        "patients:consent_withdraw",
        kwargs={"public_id": consent.patient.public_id, "consent_id": consent.public_id},
    )


def _detail(patient: Patient) -> str:
    return reverse("patients:detail", kwargs={"public_id": patient.public_id})


def _give_url(patient: Patient) -> str:
    return reverse("patients:consent_give", kwargs={"public_id": patient.public_id})


def _state(consent: Consent) -> tuple[object, ...]:
    stored = Consent.objects.get(pk=consent.pk)
    return (stored.withdrawn_at, stored.withdrawn_by_id, stored.withdrawal_reason)


def _consent_badges(page: str) -> list[str]:
    """The "En cours" / "Annulé" badges of the consent section, in page order."""
    section = page.split('id="s-consent"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<span class="badge text-bg-(?:success|secondary)">([^<]+)</span>', section)


# --- Withdrawal --------------------------------------------------------------------------------


def test_the_dossier_page_offers_to_withdraw_the_active_consent(acting, dossier, consent) -> None:
    page = acting.get(_detail(dossier)).content.decode()
    assert _consent_badges(page) == ["En cours"]
    assert f'action="{_withdraw_url(consent)}"' in page


@pytest.mark.parametrize("reason", ["", "   \n\t "])
def test_withdrawing_without_a_reason_is_refused_and_the_consent_stays_active(
    acting, dossier, consent, reason: str
) -> None:
    response = acting.post(_withdraw_url(consent), {"reason": reason})
    assert response.status_code == 400
    assert "Veuillez indiquer la raison de l'annulation du consentement." in html.unescape(
        response.content.decode()
    )
    assert _state(consent) == (None, None, "")
    assert Consent.objects.get(pk=consent.pk).is_active
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.CONSENT_WITHDRAWN).exists()
    assert not Access.objects.filter(patient=dossier, action="withdraw_consent").exists()


def test_withdrawing_with_a_reason_records_who_when_and_why_and_keeps_the_history(
    acting, coordinator, structure, dossier, consent
) -> None:
    response = acting.post(_withdraw_url(consent), {"reason": f"  {REASON}  "})
    assert response.status_code == 302
    assert response["Location"] == _detail(dossier)

    stored = Consent.objects.get(pk=consent.pk)
    assert stored.withdrawn_at is not None
    assert stored.withdrawn_by == coordinator
    assert stored.withdrawal_reason == REASON
    assert not stored.is_active
    assert dossier.consents.count() == 1  # kept, not deleted

    event = Event.objects.get(patient=dossier, kind=Event.Kind.CONSENT_WITHDRAWN)
    assert event.importance == Event.Importance.IMPORTANT
    assert (event.created_by_id, event.structure_id) == (coordinator.pk, structure.pk)
    journaled = Access.objects.get(patient=dossier, action="withdraw_consent")
    assert (journaled.user_id, journaled.structure_id) == (coordinator.pk, structure.pk)

    page = html.unescape(acting.get(_detail(dossier)).content.decode())
    assert _consent_badges(page) == ["Annulé"]
    withdrawn_on = timezone.localtime(stored.withdrawn_at)  # the page shows Paris time
    assert f"Annulé le {withdrawn_on:%d/%m/%Y} par COORDIN Claire : {REASON}" in page
    assert _withdraw_url(consent) not in page  # nothing left to withdraw
    assert "Consentement annulé" in page  # in the dossier's feed


def test_withdrawing_twice_keeps_the_first_withdrawal(acting, dossier, consent) -> None:
    acting.post(_withdraw_url(consent), {"reason": REASON})
    first = _state(consent)
    acting.post(_withdraw_url(consent), {"reason": "Une autre raison"})
    assert _state(consent) == first
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.CONSENT_WITHDRAWN).count() == 1


# --- A new consent -----------------------------------------------------------------------------


def test_a_new_consent_can_be_given_after_a_withdrawal_and_both_are_listed(
    acting, coordinator, structure, dossier, consent
) -> None:
    acting.post(_withdraw_url(consent), {"reason": REASON})
    assert acting.get(_give_url(dossier)).status_code == 200
    response = acting.post(
        _give_url(dossier),
        {"consentement-attestation": "on", "consentement-given_by": Consent.GivenBy.PATIENT},
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(dossier)

    consents = list(dossier.consents.order_by("created_at", "pk"))
    assert len(consents) == 2
    assert consents[0].pk == consent.pk
    new = consents[1]
    assert new.is_active and not consents[0].is_active
    assert (new.given_by, new.structure_id, new.created_by_id) == (
        Consent.GivenBy.PATIENT,
        structure.pk,
        coordinator.pk,
    )
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.CONSENT_GIVEN).count() == 1
    assert Access.objects.filter(patient=dossier, action="record_consent").count() == 1

    page = html.unescape(acting.get(_detail(dossier)).content.decode())
    assert _consent_badges(page) == ["En cours", "Annulé"]  # newest first
    assert "le patient / l'usager lui-même" in page
    assert "le titulaire de l'autorité parentale" in page
    assert REASON in page
    assert _withdraw_url(new) in page and _withdraw_url(consent) not in page


def test_a_new_consent_needs_the_attestation(acting, dossier, consent) -> None:
    response = acting.post(_give_url(dossier), {"consentement-given_by": Consent.GivenBy.PATIENT})
    assert response.status_code == 200
    assert "vous ne pouvez pas créer le patient sans son consentement" in html.unescape(
        response.content.decode()
    )
    assert dossier.consents.count() == 1


def test_a_new_consent_by_another_person_needs_a_precision(acting, dossier) -> None:
    response = acting.post(
        _give_url(dossier), {"consentement-attestation": "on", "consentement-given_by": "AUTRE"}
    )
    assert "Veuillez préciser qui a donné son consentement." in html.unescape(response.content.decode())
    assert dossier.consents.count() == 1


def test_a_new_consent_is_given_only_while_acting_as_a_structure(coordinator, dossier, client_for) -> None:
    client = client_for(coordinator)
    assert client.get(_give_url(dossier)).status_code == 404
    response = client.post(
        _give_url(dossier),
        {"consentement-attestation": "on", "consentement-given_by": Consent.GivenBy.PATIENT},
    )
    assert response.status_code == 404
    assert dossier.consents.count() == 1
    assert "Recueillir un nouveau consentement" not in client.get(_detail(dossier)).content.decode()


# --- Refusals ----------------------------------------------------------------------------------


def test_a_stranger_cannot_withdraw_a_consent(stranger, dossier, consent, client_for) -> None:
    response = client_for(stranger).post(_withdraw_url(consent), {"reason": REASON})
    assert response.status_code == 404
    assert _state(consent) == (None, None, "")
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.CONSENT_WITHDRAWN).exists()
    refusal = Access.objects.get(patient=dossier, user=stranger)
    assert refusal.outcome == Access.Outcome.NOT_FOUND
    assert refusal.action == "manage_consent"


def test_a_stranger_cannot_give_a_consent(stranger, dossier, client_for) -> None:
    response = client_for(stranger).post(
        _give_url(dossier), {"consentement-attestation": "on", "consentement-given_by": "PATIENT"}
    )
    assert response.status_code == 404
    assert dossier.consents.count() == 1


def test_a_circle_member_without_habilitation_cannot_withdraw(dossier, consent, client_for) -> None:
    nurse = make_user(username="infirmiere", last_name="Soin", first_name="Inès")
    accept_current_terms(nurse)
    CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=False)
    response = client_for(nurse).post(_withdraw_url(consent), {"reason": REASON})
    assert response.status_code == 403
    assert _state(consent) == (None, None, "")


def test_a_consent_cannot_be_withdrawn_through_another_dossier(
    acting, coordinator, structure, dossier, consent
) -> None:
    other = create_test_patient(coordinator, structure, first_name="Inès")
    url = reverse(
        "patients:consent_withdraw", kwargs={"public_id": other.public_id, "consent_id": consent.public_id}
    )
    assert acting.post(url, {"reason": REASON}).status_code == 404
    assert _state(consent) == (None, None, "")
    assert other.consents.get().is_active
