"""Every URL pattern and what each persona must get (STYLE.md, distilled rule 3).

A pattern missing from REGISTRY fails `test_every_url_pattern_is_registered`: a new URL
cannot ship without saying who may reach it. Outcomes:
- an int: the status code expected;
- LOGIN: a redirect to the sign-in page.

Personas: `anonymous` (not signed in), `stranger` (a signed-in professional with no tie to
the objects involved), `member` (an unprivileged member of the structure involved: role
"Utilisateur", acting as that structure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOGIN = "login"


@dataclass(frozen=True)
class World:
    """The objects the URLs are built from."""

    structure: Any
    membership: Any
    professional: Any
    registration: Any
    patient: Any
    consent: Any
    stay: Any
    link: Any
    duplicate: Any
    circle_member: Any
    group: Any
    saved_filter: Any
    task: Any
    dossier_theme: Any
    questionnaire: Any
    form: Any
    document: Any


@dataclass(frozen=True)
class Expect:
    anonymous: int | str
    stranger: int | str
    member: int | str
    method: str = "get"
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})


def _structure(w: World) -> dict[str, Any]:
    return {"public_id": w.structure.public_id}


def _registration(w: World) -> dict[str, Any]:
    return {"public_id": w.registration.public_id}


def _patient(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id}


def _circle_member(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "member_id": w.circle_member.public_id}


def _task(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "task_id": w.task.public_id}


def _form(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "form_id": w.form.public_id}


def _dossier_theme(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "row_id": w.dossier_theme.public_id}


def _flag(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "flag_id": w.duplicate.public_id}


def _stay(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "stay_id": w.stay.public_id}


REGISTRY: dict[str, Expect] = {
    "core:home": Expect(LOGIN, 200, 200),
    "accounts:login": Expect(200, 302, 302),
    "accounts:otp_verify": Expect(LOGIN, 302, 302),
    "accounts:logout": Expect(302, 302, 302, method="post"),
    "accounts:terms": Expect(LOGIN, 200, 200),
    "accounts:register": Expect(200, 200, 200),
    "accounts:register_done": Expect(200, 200, 200),
    # An unknown link shows the "Lien invalide ou expiré" page.
    "accounts:activate": Expect(200, 200, 200, kwargs=lambda w: {"uidb64": "MQ", "token": "faux-jeton"}),
    "accounts:profile": Expect(LOGIN, 200, 200),
    "accounts:switch_actor": Expect(
        LOGIN, 404, 302, method="post", data=lambda w: {"structure": str(w.structure.public_id)}
    ),
    "accounts:password_change": Expect(LOGIN, 200, 200),
    "accounts:security": Expect(LOGIN, 200, 200),
    "accounts:totp_enrol": Expect(LOGIN, 302, 302),
    "accounts:totp_confirm": Expect(LOGIN, 302, 302, method="post"),
    "accounts:recovery_codes": Expect(LOGIN, 302, 302),
    "accounts:totp_disable": Expect(LOGIN, 302, 302, method="post", data=lambda w: {"token": "000000"}),
    "accounts:structure_detail": Expect(LOGIN, 404, 200, kwargs=_structure),
    "accounts:member_role": Expect(
        LOGIN,
        404,
        403,
        method="post",
        kwargs=lambda w: {"public_id": w.structure.public_id, "membership_id": w.membership.public_id},
        data=lambda w: {"role": "SUPERUSER"},
    ),
    "accounts:registration_list": Expect(LOGIN, 403, 403),
    "accounts:registration_detail": Expect(LOGIN, 403, 403, kwargs=_registration),
    "accounts:registration_validate": Expect(LOGIN, 403, 403, method="post", kwargs=_registration),
    "accounts:registration_refuse": Expect(
        LOGIN, 403, 403, method="post", kwargs=_registration, data=lambda w: {"reason": "Essai"}
    ),
    "directory:search": Expect(LOGIN, 200, 200),
    "directory:professional": Expect(
        LOGIN, 200, 200, kwargs=lambda w: {"public_id": w.professional.public_id}
    ),
    "directory:structure": Expect(LOGIN, 200, 200, kwargs=_structure),
    "directory:invite": Expect(LOGIN, 200, 200),
    "territory:commune_search": Expect(200, 200, 200),
    "admin_login_redirect": Expect(302, 302, 302),
    # Dossiers. The member persona is in the patient's circle without habilitation: 403.
    # The stranger is outside the circle: the dossier does not exist for them (404).
    "patients:list": Expect(LOGIN, 200, 200),
    # SRCH-4: saved filters are personal; someone else's does not exist for you.
    "patients:filter_save": Expect(
        LOGIN, 302, 302, method="post", data=lambda w: {"name": "x", "query": "nom=a"}
    ),
    "patients:filter_default": Expect(
        LOGIN, 404, 404, method="post", kwargs=lambda w: {"public_id": w.saved_filter.public_id}
    ),
    "patients:filter_delete": Expect(
        LOGIN, 404, 404, method="post", kwargs=lambda w: {"public_id": w.saved_filter.public_id}
    ),
    # Creation needs to act as a structure: the stranger has none.
    "patients:search_before_create": Expect(LOGIN, 403, 200),
    "patients:create": Expect(LOGIN, 403, 200),
    "patients:consent_blank": Expect(LOGIN, 200, 200),
    "patients:detail": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:identity_edit": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:consent_document": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:consent_give": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:consent_withdraw": Expect(
        LOGIN,
        404,
        403,
        method="post",
        kwargs=lambda w: {"public_id": w.patient.public_id, "consent_id": w.consent.public_id},
        data=lambda w: {"reason": "Essai"},
    ),
    "patients:access_journal": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:status": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:death": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:hospitalisation_add": Expect(LOGIN, 404, 403, kwargs=_patient),
    "patients:hospitalisation_edit": Expect(LOGIN, 404, 403, kwargs=_stay),
    "patients:hospitalisation_cancel": Expect(LOGIN, 404, 403, method="post", kwargs=_stay),
    "patients:favourite": Expect(LOGIN, 404, 403, method="post", kwargs=_patient),
    "patients:link_add": Expect(LOGIN, 404, 403, kwargs=_patient),
    # Merging needs a structure's super user habilitated on both dossiers: the member gets 403.
    "patients:duplicate_compare": Expect(LOGIN, 404, 403, kwargs=_flag),
    "patients:duplicate_merge": Expect(
        LOGIN, 404, 403, method="post", kwargs=_flag, data=lambda w: {"confirm": "oui"}
    ),
    "patients:duplicate_dismiss": Expect(LOGIN, 404, 403, method="post", kwargs=_flag),
    # Care circle (CIR): same rule, one door (careteam/access.py).
    "careteam:circle": Expect(LOGIN, 404, 403, kwargs=_patient),
    "careteam:add_professional": Expect(LOGIN, 404, 403, kwargs=_patient),
    "careteam:add_structure": Expect(LOGIN, 404, 403, kwargs=_patient),
    "careteam:add_manual": Expect(LOGIN, 404, 403, kwargs=_patient),
    "careteam:member_edit": Expect(LOGIN, 404, 403, kwargs=_circle_member),
    "careteam:member_remove_habilitation": Expect(LOGIN, 404, 403, method="post", kwargs=_circle_member),
    "careteam:member_delete": Expect(LOGIN, 404, 403, method="post", kwargs=_circle_member),
    # CIR-7: a structure's super user acting for it; a plain member gets 403.
    "supervision:supervision": Expect(LOGIN, 403, 403),
    # CIR-8: groups are personal; another person's group does not exist for you.
    "careteam:add_group": Expect(LOGIN, 404, 403, kwargs=_patient),
    "groups:list": Expect(LOGIN, 200, 200),
    "groups:detail": Expect(LOGIN, 404, 404, kwargs=lambda w: {"public_id": w.group.public_id}),
    # TSK: tasks are reached through their dossier; the dashboard lists only one's own.
    "pathways:tab": Expect(LOGIN, 404, 403, kwargs=_patient),
    "pathways:add_theme": Expect(
        LOGIN, 404, 403, method="post", kwargs=_patient, data=lambda w: {"theme": ""}
    ),
    "pathways:remove_theme": Expect(LOGIN, 404, 403, method="post", kwargs=_dossier_theme),
    "pathways:move_theme": Expect(
        LOGIN, 404, 403, method="post", kwargs=_dossier_theme, data=lambda w: {"direction": "up"}
    ),
    "pathways:new_form": Expect(
        LOGIN,
        404,
        403,
        kwargs=lambda w: {"public_id": w.patient.public_id, "questionnaire_id": w.questionnaire.public_id},
    ),
    "pathways:form": Expect(LOGIN, 404, 403, kwargs=_form),
    "pathways:reopen": Expect(LOGIN, 404, 403, method="post", kwargs=_form, data=lambda w: {"version": "1"}),
    "pathways:history": Expect(LOGIN, 404, 403, kwargs=_form),
    "documents:download": Expect(
        LOGIN,
        404,
        403,
        kwargs=lambda w: {"public_id": w.patient.public_id, "document_id": w.document.public_id},
    ),
    "cocon:dossier": Expect(LOGIN, 404, 403, kwargs=_patient),
    "cocon:include": Expect(LOGIN, 404, 403, kwargs=_patient),
    "cocon:end": Expect(LOGIN, 404, 403, method="post", kwargs=_patient),
    # The cohort's pages need a right given by the administrators (the network's staff).
    "cocon:extraction": Expect(LOGIN, 403, 403),
    "cocon:dashboard": Expect(LOGIN, 403, 403),
    "tasks:dashboard": Expect(LOGIN, 200, 200),
    "tasks:choose_patient": Expect(LOGIN, 200, 200),
    # The pickers search one's own tasks: anyone signed in gets an answer, naming only those.
    "tasks:picker": Expect(LOGIN, 200, 200, kwargs=lambda w: {"field": "destinataire"}),
    "tasks:create": Expect(LOGIN, 404, 403, kwargs=_patient),
    "tasks:edit": Expect(LOGIN, 404, 403, kwargs=_task),
    "tasks:advance": Expect(LOGIN, 404, 403, method="post", kwargs=_task, data=lambda w: {"version": "1"}),
    "patients:link_remove": Expect(
        LOGIN,
        404,
        403,
        method="post",
        kwargs=lambda w: {"public_id": w.patient.public_id, "link_id": w.link.public_id},
    ),
}

# The Django admin is reached by platform administrators only: every one of its patterns is
# covered by one rule, checked on representative pages in the walk test (non-staff users are
# sent to the sign-in page before any object lookup).
NAMESPACE_RULES = {"admin": "staff only: anonymous and non-staff are redirected to sign in"}
