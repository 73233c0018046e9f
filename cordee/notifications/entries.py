"""What a notification shows, decided when it is read (NOT-1).

A notification keeps references; its sentence and link are written for the reader now: if they
may no longer see the dossier (habilitation removed, left the structure, refused by the
patient, dossiers merged), the entry names neither the patient nor the item, and leads nowhere.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse

from cordee.accounts.models import User
from cordee.notifications.day_list import agenda_link, day_title
from cordee.notifications.kinds import Kind
from cordee.notifications.models import Notification
from cordee.notifications.services import visible_patient_ids


@dataclass(frozen=True)
class Entry:
    notification: Notification
    text: str
    url: str
    via: str  # "en tant que <structure>" when it reached them through one
    names_patient: bool = False  # the text names the dossier's patient (journaled, issue 24)
    # The structure (public id) the reader must act for to open the item, when it reached them
    # through it and they act for another or in their own name (the centre switches, then opens).
    switch_to: str = ""

    @property
    def is_read(self) -> bool:
        return self.notification.is_read


def entries(user: User, notifications: Sequence[Notification]) -> list[Entry]:
    """The page's entries; the dossiers' visibility in one query per structure involved."""
    visible = visible_patient_ids(
        user, {(n.via_structure_id, n.patient_id) for n in notifications if n.patient_id is not None}
    )
    return [_entry(user, n, (n.via_structure_id, n.patient_id) in visible) for n in notifications]


def _author(n: Notification) -> str:
    if n.author is None:
        return "Un professionnel"
    if n.author_structure is not None:
        return f"{n.author.display_name} ({n.author_structure.name})"
    return n.author.display_name


def _entry(user: User, n: Notification, sees: bool) -> Entry:
    via = f"en tant que {n.via_structure.name}" if n.via_structure is not None else ""
    text, url = _describe(user, n, sees)
    return Entry(notification=n, text=text, url=url, via=via, names_patient=n.patient_id is not None and sees)


def _describe(user: User, n: Notification, sees: bool) -> tuple[str, str]:
    data, who = n.data, _author(n)
    if n.patient is not None and not sees:
        return _hidden(n, who), ""
    patient = n.patient
    dossier = reverse("patients:detail", kwargs={"public_id": patient.public_id}) if patient else ""
    task = (
        reverse("tasks:edit", kwargs={"public_id": patient.public_id, "task_id": data["task"]})
        if patient is not None and "task" in data
        else dossier
    )
    name = patient.display_name if patient is not None else ""
    label = data.get("label", "")
    match n.kind:
        case Kind.TASK_ADDED:
            return f"{who} a ajouté la tâche « {label} » au dossier de {name}.", task
        case Kind.TASK_ASSIGNED:
            return f"{who} vous a affecté la tâche « {label} » (dossier de {name}).", task
        case Kind.TASK_CHANGED:
            return (
                f"{who} a modifié la tâche « {label} » ({data.get('fields', '')}) — dossier de {name}.",
                task,
            )
        case Kind.TASK_STATUS:
            return (
                f"Tâche « {label} » : {data.get('previous', '')} → {data.get('status', '')}, par {who}"
                f" — dossier de {name}.",
                task,
            )
        case Kind.DOSSIER_READ:
            return f"{who} a consulté le dossier de {name}.", dossier
        case Kind.PATIENT_DECEASED:
            return f"Le décès de {name} a été déclaré par {who}.", dossier
        case Kind.DOSSIER_STATUS:
            return (
                f"Statut du dossier de {name} : {data.get('previous', '')} → {data.get('status', '')},"
                f" par {who}.",
                dossier,
            )
        case Kind.THEME_ADDED:
            pathways = reverse("pathways:tab", kwargs={"public_id": patient.public_id}) if patient else ""
            return f"{who} a ajouté la thématique « {label} » au dossier de {name}.", pathways
        case Kind.DOCUMENT_ADDED:
            document = data.get("document", "")
            link = (
                reverse("documents:detail", kwargs={"public_id": patient.public_id, "document_id": document})
                if patient is not None and document
                else dossier
            )
            return f"{who} a ajouté un document ({label}) au dossier de {name}.", link
        case Kind.NOTE_WRITTEN:
            feed = reverse("activity:feed", kwargs={"public_id": patient.public_id}) if patient else ""
            return f"{who} a écrit une note dans le fil d'actualité du dossier de {name}.", feed
        case Kind.ALERT:
            feed = reverse("activity:feed", kwargs={"public_id": patient.public_id}) if patient else ""
            return f"Nouvelle alerte de {who} sur le dossier de {name} (note « Très important »).", feed
        case Kind.HABILITATION_REMOVED:
            return f"{who} a retiré votre habilitation sur le dossier de {name}.", dossier
        case Kind.GROUP_SHARED:
            group = data.get("group", "")
            return (
                f"{who} a partagé avec vous le groupe de favoris « {label} ».",
                reverse("groups:detail", kwargs={"public_id": group}) if group else "",
            )
        case Kind.REFERRAL_UNASSIGNED:
            # No link: the request is no longer theirs (the team's dashboard still lists it).
            now = data.get("assignee", "")
            return (
                f"{who} vous a retiré la demande n° {data.get('number', '')}"
                + (f", désormais affectée à {now}." if now else "."),
                "",
            )
        case (
            Kind.REFERRAL_NEW
            | Kind.REFERRAL_ANSWERED
            | Kind.REFERRAL_ASSIGNED
            | Kind.REFERRAL_STEP
            | Kind.REFERRAL_VALIDATED
            | Kind.REFERRAL_CANCELLED
        ):
            referral, number = data.get("referral", ""), data.get("number", "")
            match n.kind:
                case Kind.REFERRAL_NEW:
                    text = f"{who} vous a adressé la demande n° {number}."
                case Kind.REFERRAL_ANSWERED:
                    text = f"{who} a répondu à votre demande n° {number}."
                case Kind.REFERRAL_ASSIGNED:
                    text = f"{who} vous a affecté la demande n° {number}."
                case Kind.REFERRAL_STEP:
                    text = (
                        f"Demande n° {number} : étape {data.get('previous', '')} → {data.get('step', '')},"
                        f" par {who}."
                    )
                case Kind.REFERRAL_VALIDATED:
                    text = f"{who} a validé la demande n° {number}."
                case _:
                    text = f"{who} a annulé la demande n° {number}."
            return text, reverse("referrals:detail", kwargs={"public_id": referral}) if referral else ""
        case Kind.APPOINTMENT_ADDED | Kind.APPOINTMENT_CHANGED | Kind.APPOINTMENT_CANCELLED:
            verb = {
                Kind.APPOINTMENT_ADDED: "a ajouté à votre agenda",
                Kind.APPOINTMENT_CHANGED: "a modifié",
                Kind.APPOINTMENT_CANCELLED: "a annulé",
            }[Kind(n.kind)]
            link = reverse("agenda:detail", kwargs={"appointment_id": data["appointment"]})
            return f"{who} {verb} le rendez-vous « {label} » du {data.get('when', '')}.", link
        case Kind.APPOINTMENT_DELETED:
            return f"{who} a supprimé le rendez-vous « {label} » du {data.get('when', '')}.", ""
        case Kind.DAY_LIST:
            return _day_list(data)
        case Kind.PASSWORD_CHANGED:
            return "Le mot de passe de votre compte a été modifié.", reverse("accounts:security")
        case Kind.ACCOUNT_CREATED:
            return "Votre compte Cordée a été créé : bienvenue !", reverse("accounts:profile")
        case Kind.REGISTRATION:
            registration = data.get("registration", "")
            if not user.is_staff or not registration:
                return "Une nouvelle demande d'inscription est arrivée.", ""
            return (
                f"Nouvelle demande d'inscription : {label}.",
                reverse("accounts:registration_detail", kwargs={"public_id": registration}),
            )
    return n.get_kind_display(), ""


def _day_list(data: dict[str, object]) -> tuple[str, str]:
    """ "Vos rendez-vous du jeudi 4 décembre 2026 : 3 rendez-vous." → that day in the agenda (which
    shows each appointment under its own rules: "Occupé", the patient only to who may see them)."""
    try:
        day = datetime.date.fromisoformat(str(data.get("day", "")))
    except ValueError:
        return "La liste de vos rendez-vous de la journée.", reverse("agenda:calendar")
    return f"Vos rendez-vous du {day_title(day)} : {data.get('count', 0)} rendez-vous.", agenda_link(day)


def _hidden(n: Notification, who: str) -> str:
    """The entry of a dossier the reader may no longer see: what happened, to no one named."""
    if n.kind == Kind.HABILITATION_REMOVED:
        return f"{who} a retiré votre habilitation sur un dossier : vous ne pouvez plus le consulter."
    return f"{_WHAT.get(Kind(n.kind), 'Un événement')} sur un dossier que vous ne pouvez plus consulter."


_WHAT = {
    Kind.TASK_ADDED: "Une tâche a été ajoutée",
    Kind.TASK_ASSIGNED: "Une tâche vous a été affectée",
    Kind.TASK_CHANGED: "Une tâche a été modifiée",
    Kind.TASK_STATUS: "Le statut d'une tâche a changé",
    Kind.DOSSIER_READ: "Un professionnel a consulté un dossier",
    Kind.PATIENT_DECEASED: "Un décès a été déclaré",
    Kind.DOSSIER_STATUS: "Le statut d'un dossier a changé",
    Kind.THEME_ADDED: "Une thématique a été ajoutée",
    Kind.DOCUMENT_ADDED: "Un document a été ajouté",
    Kind.NOTE_WRITTEN: "Une note a été écrite",
    Kind.ALERT: "Une alerte a été signalée",
}
