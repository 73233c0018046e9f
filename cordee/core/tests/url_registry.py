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
# For URLs refused before any lookup (FHIR without a token).
ANY_ID = "00000000-0000-4000-8000-000000000000"


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
    note: Any
    memo: Any
    appointment: Any = None


@dataclass(frozen=True)
class Expect:
    anonymous: int | str
    stranger: int | str
    member: int | str
    method: str = "get"
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    # A request's URLs: its assignee (the member, personally assigned), signed in as themself
    # (not acting for the team): not let in, as any member not acting for the team.
    assignee: int | str | None = None


def _structure(w: World) -> dict[str, Any]:
    return {"public_id": w.structure.public_id}


def _referrals_filter(w: World) -> dict[str, Any]:
    from cordee.patients.models import SavedFilter

    saved, _ = SavedFilter.objects.get_or_create(
        user=w.saved_filter.user,
        board=SavedFilter.Board.REFERRALS,
        name="Annulées",
        defaults={"query": "statut=annulees"},
    )
    return {"public_id": saved.public_id}


def _my_referrals_filter(w: World) -> dict[str, Any]:
    from cordee.patients.models import SavedFilter

    saved, _ = SavedFilter.objects.get_or_create(
        user=w.saved_filter.user,
        board=SavedFilter.Board.MY_REFERRALS,
        name="Annulées",
        defaults={"query": "statut=annulees"},
    )
    return {"public_id": saved.public_id}


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


def _note(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "note_id": w.note.public_id}


def _memo(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "memo_id": w.memo.public_id}


def _flag(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "flag_id": w.duplicate.public_id}


def _document(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "document_id": w.document.public_id}


def _stay(w: World) -> dict[str, Any]:
    return {"public_id": w.patient.public_id, "stay_id": w.stay.public_id}


def _listed_team(w: World) -> dict[str, Any]:
    from cordee.directory.models import ResourceTeam

    ResourceTeam.objects.get_or_create(structure=w.structure, defaults={"is_listed": True})
    return {"team_id": w.structure.public_id}


def referral_of(w: World) -> Any:
    """The world's request (made on first use)."""
    from cordee.referrals.models import Referral

    return Referral.objects.get(public_id=_referral(w)["public_id"])


def _referral(w: World) -> dict[str, Any]:
    """A request from the coordinator (acting as the maternity) to the structure, a listed team."""
    from cordee.accounts.models import Membership
    from cordee.core.actor import Actor
    from cordee.referrals.models import Motif, Referral
    from cordee.referrals.services import NewReferral, create_referral

    referral = Referral.objects.first()
    if referral is None:
        _listed_team(w)
        membership = Membership.objects.filter(user=w.professional).exclude(structure=w.structure).first()
        motif = Motif.objects.get(code="situation-complexe")
        referral = create_referral(
            Actor(w.professional, membership),
            NewReferral(team=w.structure, motif=motif, detail="Appui", patient=w.patient),
        )
    return {"public_id": referral.public_id}


def _appointment(w: World) -> dict[str, Any]:
    return {"appointment_id": w.appointment.public_id}


def _notification(w: World) -> dict[str, Any]:
    """A notification of the professional's (the coordinator): neither persona's own."""
    from cordee.notifications.models import Notification

    told, _ = Notification.objects.get_or_create(recipient=w.professional, kind="PASSWORD_CHANGED")
    return {"public_id": told.public_id}


def _directory_entry() -> Any:
    """A professional of the national directory not registered (created on first use)."""
    from cordee.directory.models import DirectoryProfessional, NationalProfession

    NationalProfession.objects.get_or_create(code="10", defaults={"label": "Médecin"})
    entry, _ = DirectoryProfessional.objects.get_or_create(
        national_id="810099000019",
        defaults={
            "identifier_type": "8",
            "rpps": "10099000019",
            "last_name": "AUBERT",
            "name_key": "AUBERT",
            "national_profession_id": "10",
            "digest": "-",
        },
    )
    return entry


def _directory_import() -> Any:
    from cordee.directory.models import DirectoryImport

    run, _ = DirectoryImport.objects.get_or_create(file_name="PS_LibreAcces_Personne_activite.txt")
    return run


REGISTRY: dict[str, Expect] = {
    "core:home": Expect(LOGIN, 200, 200),
    "accounts:login": Expect(200, 302, 302),
    "accounts:otp_verify": Expect(LOGIN, 302, 302),
    # ACC-2: Pro Santé Connect does not exist until it is configured (its own tests configure it).
    "accounts:psc_start": Expect(404, 404, 404),
    "accounts:psc_callback": Expect(404, 404, 404),
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
    # DIR-2: the national directory is open to every signed-in professional, like DIR-1.
    "directory:entry": Expect(LOGIN, 200, 200, kwargs=lambda w: {"public_id": _directory_entry().public_id}),
    "directory:invite": Expect(LOGIN, 200, 200),
    # ACC-8: the directory of resource teams is open to every signed-in professional; a
    # structure's settings tab to its members, changed by its super user only (the
    # refused POST: cordee/directory/tests/test_resource_teams.py).
    "directory:resource_teams": Expect(LOGIN, 200, 200),
    "directory:resource_team_settings": Expect(LOGIN, 404, 200, kwargs=_structure),
    # DEM-1/DEM-2: a request exists for its team (members acting for it) and its requester only;
    # the world's request is from the coordinator to the structure, so the member acting for it
    # reads it but the team's actions on it are theirs too: they act for the team (302). Other
    # refusals (the requester acting, tampered fields): cordee/referrals/tests.
    "referrals:dashboard": Expect(LOGIN, 403, 200),
    "referrals:mine": Expect(LOGIN, 200, 200),
    "referrals:new": Expect(LOGIN, 200, 200, kwargs=_listed_team),
    # Its assignee, signed in as themself, is not let in: the request is read acting for the team
    # (their notification's entry switches to it), as every other member of the team.
    "referrals:detail": Expect(LOGIN, 404, 200, kwargs=_referral, assignee=404),
    "referrals:act": Expect(
        LOGIN,
        404,
        302,
        method="post",
        kwargs=_referral,
        data=lambda w: {"action": "next", "version": "1"},
        assignee=404,
    ),
    "referrals:take_on": Expect(LOGIN, 404, 302, method="post", kwargs=_referral, assignee=404),
    # Issue 19: a dashboard row's buttons ([↑] [↓] [×]) — the team's actions, the same refusals.
    "referrals:row_action": Expect(
        LOGIN,
        404,
        302,
        method="post",
        kwargs=_referral,
        data=lambda w: {"action": "next", "version": "1"},
        assignee=404,
    ),
    # DEM-2: the dashboard's saved filters are the active file's mechanism: personal, so the
    # coordinator's filter of the dashboard does not exist for anyone else (404).
    "referrals:filter_save": Expect(
        LOGIN, 302, 302, method="post", data=lambda w: {"name": "x", "query": "statut=annulees"}
    ),
    "referrals:filter_default": Expect(LOGIN, 404, 404, method="post", kwargs=_referrals_filter),
    "referrals:filter_delete": Expect(LOGIN, 404, 404, method="post", kwargs=_referrals_filter),
    # Issue 19: "Mes demandes" has its own saved filters, as personal as the dashboard's.
    "referrals:mine_filter_save": Expect(
        LOGIN, 302, 302, method="post", data=lambda w: {"name": "x", "query": "statut=annulees"}
    ),
    "referrals:mine_filter_default": Expect(LOGIN, 404, 404, method="post", kwargs=_my_referrals_filter),
    "referrals:mine_filter_delete": Expect(LOGIN, 404, 404, method="post", kwargs=_my_referrals_filter),
    # DIR-2: uploading an extract is for platform administrators only.
    "directory:import_list": Expect(LOGIN, 403, 403),
    "directory:import_detail": Expect(
        LOGIN, 403, 403, kwargs=lambda w: {"public_id": _directory_import().public_id}
    ),
    "territory:commune_search": Expect(200, 200, 200),
    "admin_login_redirect": Expect(302, 302, 302),
    # Dossiers. The member persona is in the patient's circle without habilitation: 403.
    # The stranger is outside the circle: the dossier does not exist for them (404).
    "patients:list": Expect(LOGIN, 200, 200),
    # SRCH-4: saved filters are personal; someone else's does not exist for you.
    "patients:filter_save": Expect(
        LOGIN, 302, 302, method="post", data=lambda w: {"name": "x", "query": "nom=a"}
    ),
    # Issue 23: one's own columns of the active file.
    "patients:columns": Expect(LOGIN, 302, 302, method="post", data=lambda w: {"colonne": ["statut"]}),
    "patients:filter_default": Expect(
        LOGIN, 404, 404, method="post", kwargs=lambda w: {"public_id": w.saved_filter.public_id}
    ),
    "patients:filter_delete": Expect(
        LOGIN, 404, 404, method="post", kwargs=lambda w: {"public_id": w.saved_filter.public_id}
    ),
    # Creation needs to act as a structure: the stranger has none.
    "patients:search_before_create": Expect(LOGIN, 403, 200),
    "patients:create": Expect(LOGIN, 403, 302),  # IDV-2: no identity form before the search
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
    "pathways:computed": Expect(
        LOGIN,
        404,
        403,
        method="post",
        kwargs=lambda w: {
            "public_id": w.patient.public_id,
            "version_id": w.form.questionnaire_version.public_id,
        },
        data=lambda w: {"q-poids": "12"},
    ),
    # ACT-1: the feed and its notes, through the dossier like everything in it.
    "activity:feed": Expect(LOGIN, 404, 403, kwargs=_patient),
    "activity:note_add": Expect(
        LOGIN, 404, 403, method="post", kwargs=_patient, data=lambda w: {"text": "x", "importance": "NORMAL"}
    ),
    "activity:note_edit": Expect(LOGIN, 404, 403, kwargs=_note),
    "activity:note_withdraw": Expect(
        LOGIN, 404, 403, method="post", kwargs=_note, data=lambda w: {"version": "1"}
    ),
    "activity:note_history": Expect(LOGIN, 404, 403, kwargs=_note),
    # ACT-3: the life line, each fact read under its own right.
    "activity:lifeline": Expect(LOGIN, 404, 403, kwargs=_patient),
    # ACT-2: memos, through the dossier; a memo one may not read does not exist for them.
    "memos:list": Expect(LOGIN, 404, 403, kwargs=_patient),
    "memos:create": Expect(
        LOGIN,
        404,
        403,
        method="post",
        kwargs=_patient,
        data=lambda w: {"title": "x", "text": "x", "visibility": "PUBLIC"},
    ),
    "memos:edit": Expect(LOGIN, 404, 403, kwargs=_memo),
    "memos:delete": Expect(LOGIN, 404, 403, method="post", kwargs=_memo, data=lambda w: {"version": "1"}),
    # ACT-4: the documents space; a document is reached through its dossier only.
    "documents:tab": Expect(LOGIN, 404, 403, kwargs=_patient),
    "documents:add": Expect(LOGIN, 404, 403, kwargs=_patient),
    "documents:download": Expect(LOGIN, 404, 403, kwargs=_document),
    "documents:detail": Expect(LOGIN, 404, 403, kwargs=_document),
    "documents:preview": Expect(LOGIN, 404, 403, kwargs=_document),
    "documents:new_version": Expect(
        LOGIN, 404, 403, method="post", kwargs=_document, data=lambda w: {"version": "1"}
    ),
    "documents:withdraw": Expect(
        LOGIN, 404, 403, method="post", kwargs=_document, data=lambda w: {"version": "1", "reason": "Erreur"}
    ),
    "cocon:dossier": Expect(LOGIN, 404, 403, kwargs=_patient),
    "cocon:include": Expect(LOGIN, 404, 403, kwargs=_patient),
    "cocon:end": Expect(LOGIN, 404, 403, method="post", kwargs=_patient),
    # The cohort's pages need a right given by the administrators (the network's staff).
    "cocon:extraction": Expect(LOGIN, 403, 403),
    "cocon:dashboard": Expect(LOGIN, 403, 403),
    "tasks:dashboard": Expect(LOGIN, 200, 200),
    "tasks:choose_patient": Expect(LOGIN, 200, 200),
    # Fiche 25: one's own panel size; nothing of a dossier is read or written.
    "tasks:panel_size": Expect(LOGIN, 302, 302, method="post", data=lambda w: {"agrandi": "1"}),
    # The pickers search one's own tasks: anyone signed in gets an answer, naming only those.
    "tasks:picker": Expect(LOGIN, 200, 200, kwargs=lambda w: {"field": "destinataire"}),
    # NOT-1: one's own notifications and preferences; another's notification does not exist.
    # AGD-1: one's own agenda and one's colleagues' (the member shares the coordinator's
    # structure); an appointment outside one's reach does not exist; the feed opens by its
    # secret alone (an unknown one: 404 to everyone).
    "agenda:calendar": Expect(LOGIN, 200, 200),
    "agenda:create": Expect(LOGIN, 200, 200),
    "agenda:patient_search": Expect(LOGIN, 200, 200, data=lambda w: {"q": "mar"}),
    "agenda:detail": Expect(LOGIN, 404, 200, kwargs=_appointment),
    "agenda:ics": Expect(LOGIN, 404, 200, kwargs=_appointment),
    "agenda:cancel": Expect(
        LOGIN, 404, 302, method="post", kwargs=_appointment, data=lambda w: {"version": "1"}
    ),
    "agenda:restore": Expect(
        LOGIN, 404, 302, method="post", kwargs=_appointment, data=lambda w: {"version": "1"}
    ),
    "agenda:delete": Expect(
        LOGIN, 404, 302, method="post", kwargs=_appointment, data=lambda w: {"version": "1"}
    ),
    "agenda:move": Expect(
        LOGIN,
        404,
        302,
        method="post",
        kwargs=_appointment,
        data=lambda w: {"version": "1", "debut": "2027-01-05T09:00"},
    ),
    "agenda:remove_occurrence": Expect(
        LOGIN,
        404,
        302,
        method="post",
        kwargs=_appointment,
        data=lambda w: {"version": "1", "occurrence": "2027-01-11"},
    ),
    "agenda:feed_settings": Expect(LOGIN, 200, 200),
    "agenda:feed": Expect(404, 404, 404, kwargs=lambda w: {"token": "inconnu"}),
    "notifications:centre": Expect(LOGIN, 200, 200),
    "notifications:bell": Expect(LOGIN, 200, 200),
    "notifications:mark_all_read": Expect(LOGIN, 302, 302, method="post"),
    "notifications:open": Expect(LOGIN, 404, 404, kwargs=_notification),
    "notifications:preferences": Expect(LOGIN, 200, 200),
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
    # INT-1: the tokens tab of the profile; the API itself answers software holding a token
    # (a session opens nothing there: 401), its schema and documentation are public. The API's
    # own walk, with each persona's token, is cordee/api/tests/test_api_walk.py.
    "api:tokens": Expect(LOGIN, 200, 200),
    "api:token_revoke": Expect(
        LOGIN, 404, 404, method="post", kwargs=lambda w: {"public_id": "00000000-0000-4000-8000-000000000000"}
    ),
    "api_v1:api-root": Expect(404, 404, 404),
    "api_v1:openapi-json": Expect(200, 200, 200),
    "api_v1:openapi-view": Expect(200, 200, 200),
    "api_v1:me": Expect(401, 401, 401),
    # INT-2: FHIR — the CapabilityStatement is public, resources need a token.
    "fhir:metadata": Expect(200, 200, 200),
    "fhir:patient_search": Expect(401, 401, 401),
    "fhir:patient_read": Expect(401, 401, 401, kwargs=lambda w: {"public_id": w.patient.public_id}),
    "fhir:task_search": Expect(401, 401, 401),
    "fhir:task_read": Expect(401, 401, 401, kwargs=lambda w: {"public_id": w.task.public_id}),
    "fhir:care_team_search": Expect(401, 401, 401),
    "fhir:care_team_read": Expect(401, 401, 401, kwargs=lambda w: {"public_id": w.patient.public_id}),
    "fhir:practitioner_read": Expect(401, 401, 401, kwargs=lambda w: {"public_id": w.professional.public_id}),
    "fhir:organization_read": Expect(401, 401, 401, kwargs=lambda w: {"public_id": w.structure.public_id}),
    "fhir:practitioner_role_search": Expect(401, 401, 401),
    "fhir:practitioner_role_read": Expect(
        401, 401, 401, kwargs=lambda w: {"public_id": w.membership.public_id}
    ),
    "fhir:appointment_search": Expect(401, 401, 401),
    "fhir:appointment_read": Expect(401, 401, 401, kwargs=lambda w: {"public_id": ANY_ID}),
    "fhir:document_reference_search": Expect(401, 401, 401),
    "fhir:document_reference_read": Expect(
        401, 401, 401, kwargs=lambda w: {"public_id": w.document.public_id}
    ),
    "fhir:questionnaire_search": Expect(401, 401, 401),
    "fhir:questionnaire_read": Expect(401, 401, 401, kwargs=lambda w: {"public_id": ANY_ID}),
    "fhir:questionnaire_response_search": Expect(401, 401, 401),
    "fhir:questionnaire_response_read": Expect(
        401, 401, 401, kwargs=lambda w: {"public_id": w.form.public_id}
    ),
    # FHIR Bulk Data: a session opens nothing there either; the walk with tokens is
    # cordee/api/tests/test_fhir_bulk.py (the Group's structure, another token, expired files).
    "fhir:group_export": Expect(401, 401, 401, kwargs=_structure),
    "fhir:bulk_status": Expect(401, 401, 401, kwargs=lambda w: {"public_id": ANY_ID}),
    "fhir:bulk_file": Expect(401, 401, 401, kwargs=lambda w: {"public_id": ANY_ID, "kind": "Patient"}),
    "api_v1:search": Expect(401, 401, 401),
    "api_v1:create": Expect(401, 401, 401, method="post"),
    "api_v1:read": Expect(401, 401, 401, kwargs=lambda w: {"dossier_id": w.patient.public_id}),
    "api_v1:circle": Expect(401, 401, 401, kwargs=lambda w: {"dossier_id": w.patient.public_id}),
    "api_v1:tasks": Expect(401, 401, 401, kwargs=lambda w: {"dossier_id": w.patient.public_id}),
    "api_v1:create_task": Expect(
        401, 401, 401, method="post", kwargs=lambda w: {"dossier_id": w.patient.public_id}
    ),
    "api_v1:change_status": Expect(
        401,
        401,
        401,
        method="post",
        kwargs=lambda w: {"dossier_id": w.patient.public_id, "task_id": w.task.public_id},
    ),
    "api_v1:forms_list": Expect(401, 401, 401, kwargs=lambda w: {"dossier_id": w.patient.public_id}),
    "api_v1:form_read": Expect(
        401, 401, 401, kwargs=lambda w: {"dossier_id": w.patient.public_id, "form_id": w.form.public_id}
    ),
    "api_v1:documents_list": Expect(401, 401, 401, kwargs=lambda w: {"dossier_id": w.patient.public_id}),
    "api_v1:document_upload": Expect(
        401, 401, 401, method="post", kwargs=lambda w: {"dossier_id": w.patient.public_id}
    ),
    "api_v1:document_download": Expect(
        401,
        401,
        401,
        kwargs=lambda w: {"dossier_id": w.patient.public_id, "document_id": w.document.public_id},
    ),
    "api_v1:appointments_list": Expect(401, 401, 401, kwargs=lambda w: {"dossier_id": w.patient.public_id}),
}

# The Django admin is reached by platform administrators only: every one of its patterns is
# covered by one rule, checked on representative pages in the walk test (non-staff users are
# sent to the sign-in page before any object lookup).
NAMESPACE_RULES = {"admin": "staff only: anonymous and non-staff are redirected to sign in"}
