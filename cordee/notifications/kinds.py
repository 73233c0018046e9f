"""NOT-1: the seed's table of events ("Les notifications"), each switchable for Mail and Application.

The seed lists the events under "Tâches", "Dossier", "Agenda" and "Global", and names more on its
other pages (a task assigned to me, a task's status changed, a new task on a dossier, a note in
the feed, a dossier's status changed, a favourite group shared, a theme or a document added).
Each event here says which part of the dossier a recipient must be allowed to read to hear of it
(the rights matrix's section), and the sentence its e-mail carries: ordinary e-mail is not a
secure channel, so that sentence never names a patient nor says anything of their health.

Left out on purpose: "Événement du Code OIP", which the seed lists without saying what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from cordee.careteam.models import Section


class Kind(models.TextChoices):
    TASK_ADDED = "TASK_ADDED", "Une notification lorsque une tâche est ajoutée"
    TASK_ASSIGNED = "TASK_ASSIGNED", "Une notification lorsqu'une tâche m'est affectée"
    TASK_CHANGED = "TASK_CHANGED", "Une notification lorsque une tâche est modifiée"
    TASK_STATUS = "TASK_STATUS", "Une notification lors d'un changement de statut d'une tâche"
    DOSSIER_READ = (
        "DOSSIER_READ",
        "Une notification lorsqu'un professionnel accède en lecture à un dossier "
        "sur lequel je suis identifié",
    )
    PATIENT_DECEASED = "PATIENT_DECEASED", "Une notification lorsqu'un patient/usager est décédé"
    DOSSIER_STATUS = "DOSSIER_STATUS", "Une notification lorsque le statut d'un dossier est modifié"
    THEME_ADDED = (
        "THEME_ADDED",
        "Une notification lorsqu'une thématique est ajoutée à un dossier sur lequel je suis identifié",
    )
    DOCUMENT_ADDED = (
        "DOCUMENT_ADDED",
        "Une notification lorsqu'un document est ajouté à un dossier sur lequel je suis identifié",
    )
    NOTE_WRITTEN = (
        "NOTE_WRITTEN",
        "Une notification lorsqu'une note est écrite dans le fil d'actualité d'un dossier "
        "sur lequel je suis identifié",
    )
    HABILITATION_REMOVED = "HABILITATION_REMOVED", "Suppression d'une habilitation sur un patient"
    ALERT = "ALERT", "Nouvelle alerte sur un dossier patient"
    GROUP_SHARED = "GROUP_SHARED", "Partage d'un groupe de favoris"
    PASSWORD_CHANGED = "PASSWORD_CHANGED", "Modification du mot de passe"
    ACCOUNT_CREATED = "ACCOUNT_CREATED", "Création de compte - habilitation du mot de passe"
    REGISTRATION = "REGISTRATION", "Inscription d'un nouveau utilisateur"
    REFERRAL_NEW = "REFERRAL_NEW", "Une notification lorsqu'une demande est adressée à ma structure"
    REFERRAL_ANSWERED = "REFERRAL_ANSWERED", "Une notification lorsqu'une équipe répond à ma demande"
    REFERRAL_STEP = "REFERRAL_STEP", "Une notification lorsqu'une demande qui me concerne change d'étape"
    REFERRAL_CANCELLED = (
        "REFERRAL_CANCELLED",
        "Une notification lorsqu'une demande qui me concerne est annulée",
    )
    REFERRAL_ASSIGNED = "REFERRAL_ASSIGNED", "Une notification lorsqu'une demande m'est affectée"
    REFERRAL_UNASSIGNED = (
        "REFERRAL_UNASSIGNED",
        "Une notification lorsqu'une demande ne m'est plus affectée",
    )
    REFERRAL_VALIDATED = (
        "REFERRAL_VALIDATED",
        "Une notification lorsqu'une demande qui me concerne est validée",
    )
    APPOINTMENT_ADDED = (
        "APPOINTMENT_ADDED",
        "Une notification lorsqu'un rendez-vous est ajouté à mon agenda par un autre professionnel",
    )
    APPOINTMENT_CHANGED = (
        "APPOINTMENT_CHANGED",
        "Une notification lorsqu'un rendez-vous est modifié par un autre professionnel",
    )
    APPOINTMENT_CANCELLED = (
        "APPOINTMENT_CANCELLED",
        "Une notification lorsqu'un rendez-vous est annulé par un autre professionnel",
    )
    APPOINTMENT_DELETED = (
        "APPOINTMENT_DELETED",
        "Une notification lorsqu'un rendez-vous est supprimé par un autre professionnel",
    )
    # The seed's agenda annex: "Il est possible d'être notifié(e) […] de la liste des rdv de la
    # journée"; its table has no row of its own for it (the "ajouté" row is there twice), so the
    # label is the annex's words, written out, with the table's defaults (both switches on).
    DAY_LIST = "DAY_LIST", "Une notification de la liste des rendez-vous de la journée"


@dataclass(frozen=True)
class Event:
    kind: Kind
    group: str
    # The e-mail's subject and sentence: what happened, never to whom nor what of their health.
    mail: str
    # The dossier section a recipient must read to hear of it (None: not a dossier event).
    section: str | None = None
    # Shown only to platform administrators in the preferences.
    staff_only: bool = False
    # The event's mail is its own service's, one the person cannot do without (the activation
    # link): always sent, never a second time from here; its switch is shown fixed.
    own_mail: bool = False
    # A precision shown under the label in the preferences.
    detail: str = ""
    # The mail's subject when the sentence will not do, and a last word after it.
    subject: str = ""
    mail_note: str = ""
    # Counted in the daily summary of the notifications (the day's list is itself a morning mail).
    in_digest: bool = True

    @property
    def mail_subject(self) -> str:
        return self.subject or f"Cordée — {self.mail[0].lower()}{self.mail[1:].removesuffix(' dans Cordée')}"


TASKS, DOSSIER, AGENDA, GLOBAL = "Tâches", "Dossier", "Agenda", "Global"

CATALOGUE: dict[str, Event] = {
    event.kind.value: event
    for event in [
        Event(
            Kind.TASK_ADDED,
            TASKS,
            "Une nouvelle tâche a été ajoutée dans Cordée",
            Section.TASKS,
            detail="Nouvelle tâche sur un dossier sur lequel je suis identifié.",
        ),
        Event(Kind.TASK_ASSIGNED, TASKS, "Une nouvelle tâche vous concerne dans Cordée", Section.TASKS),
        Event(
            Kind.TASK_CHANGED,
            TASKS,
            "Une tâche qui vous concerne a été modifiée dans Cordée",
            Section.TASKS,
            detail="Une tâche que j'ai créée ou qui m'est affectée.",
        ),
        Event(
            Kind.TASK_STATUS,
            TASKS,
            "Le statut d'une tâche qui vous concerne a changé dans Cordée",
            Section.TASKS,
            detail="Une tâche que j'ai créée ou qui m'est affectée.",
        ),
        Event(
            Kind.DOSSIER_READ,
            DOSSIER,
            "Un professionnel a consulté un dossier que vous suivez dans Cordée",
            Section.ACCESS_JOURNAL,
            detail="Au plus une notification par professionnel et par dossier chaque jour "
            "(aussi « Un professionnel accède à un dossier »).",
        ),
        Event(
            Kind.PATIENT_DECEASED,
            DOSSIER,
            "Un décès a été déclaré sur un dossier que vous suivez dans Cordée",
            Section.IDENTITY,
        ),
        Event(
            Kind.DOSSIER_STATUS,
            DOSSIER,
            "Le statut d'un dossier que vous suivez a changé dans Cordée",
            Section.STATUS,
        ),
        Event(
            Kind.THEME_ADDED,
            DOSSIER,
            "Une thématique a été ajoutée à un dossier que vous suivez dans Cordée",
            Section.PATHWAYS,
        ),
        Event(
            Kind.DOCUMENT_ADDED,
            DOSSIER,
            "Un document a été ajouté à un dossier que vous suivez dans Cordée",
            Section.DOCUMENTS,
            detail="Seulement les documents que je peux lire (catégorie, partage).",
        ),
        Event(
            Kind.NOTE_WRITTEN,
            DOSSIER,
            "Une note a été écrite dans le fil d'actualité d'un dossier que vous suivez dans Cordée",
            Section.FEED,
        ),
        # AGD-2: the agenda's events name no patient (told to the agenda's owners, not the circle).
        Event(
            Kind.APPOINTMENT_ADDED,
            AGENDA,
            "Un rendez-vous a été ajouté à votre agenda dans Cordée",
            detail="Par un autre professionnel, dans mon agenda ou celui de ma structure.",
        ),
        Event(Kind.APPOINTMENT_CHANGED, AGENDA, "Un rendez-vous de votre agenda a été modifié dans Cordée"),
        Event(Kind.APPOINTMENT_CANCELLED, AGENDA, "Un rendez-vous de votre agenda a été annulé dans Cordée"),
        Event(Kind.APPOINTMENT_DELETED, AGENDA, "Un rendez-vous de votre agenda a été supprimé dans Cordée"),
        # Its mail is written by `notifications.day_list` (the day's times, no title, no patient).
        Event(
            Kind.DAY_LIST,
            AGENDA,
            "Voici la liste de vos rendez-vous de la journée dans Cordée",
            detail="Chaque matin à 7 h, les rendez-vous du jour de mon agenda et de ceux de mes "
            "structures (envoyée seulement les jours où j'en ai).",
            subject="Cordée — vos rendez-vous de la journée",
            in_digest=False,
        ),
        Event(Kind.HABILITATION_REMOVED, GLOBAL, "Une de vos habilitations a été retirée dans Cordée"),
        Event(
            Kind.ALERT,
            GLOBAL,
            "Une nouvelle alerte a été signalée sur un dossier que vous suivez dans Cordée",
            Section.FEED,
            detail="Une note « Très important » du fil d'actualité.",
        ),
        Event(
            Kind.REFERRAL_NEW,
            GLOBAL,
            "Une nouvelle demande a été adressée à votre structure dans Cordée",
            detail="Demande adressée à une équipe ressource dont je suis membre.",
        ),
        Event(Kind.REFERRAL_ANSWERED, GLOBAL, "Une équipe a répondu à votre demande dans Cordée"),
        # Told to the new assignee, and to the one it is taken from (still a member of the team),
        # never to the one who assigned: each can open the request in their own name (DEM-1).
        Event(
            Kind.REFERRAL_ASSIGNED,
            GLOBAL,
            "Une demande vous a été affectée dans Cordée",
            detail="Une demande adressée à une équipe ressource dont je suis membre.",
        ),
        Event(
            Kind.REFERRAL_UNASSIGNED,
            GLOBAL,
            "Une demande ne vous est plus affectée dans Cordée",
            detail="Une demande qui m'était affectée est confiée à un autre membre de l'équipe, "
            "ou son affectation est retirée.",
        ),
        # Told to the request's requester and its assignee (not the one who acted).
        Event(
            Kind.REFERRAL_STEP,
            GLOBAL,
            "Une demande qui vous concerne a changé d'étape dans Cordée",
            detail="Une demande que j'ai envoyée ou qui m'est affectée.",
        ),
        Event(
            Kind.REFERRAL_VALIDATED,
            GLOBAL,
            "Une demande qui vous concerne a été validée dans Cordée",
            detail="Une demande que j'ai envoyée ou qui m'est affectée.",
        ),
        Event(
            Kind.REFERRAL_CANCELLED,
            GLOBAL,
            "Une demande qui vous concerne a été annulée dans Cordée",
            detail="Une demande que j'ai envoyée ou qui m'est affectée.",
        ),
        Event(Kind.GROUP_SHARED, GLOBAL, "Un groupe de favoris a été partagé avec vous dans Cordée"),
        Event(
            Kind.PASSWORD_CHANGED,
            GLOBAL,
            "Le mot de passe de votre compte Cordée a été modifié",
            subject="Cordée — votre mot de passe a été modifié",
            mail_note="Si vous n'êtes pas à l'origine de cette modification, prévenez immédiatement "
            "l'administrateur de la plateforme.",
        ),
        Event(
            Kind.ACCOUNT_CREATED,
            GLOBAL,
            "Votre compte Cordée a été créé",
            own_mail=True,
            detail="L'e-mail portant le lien pour choisir son mot de passe est toujours envoyé.",
        ),
        Event(
            Kind.REGISTRATION,
            GLOBAL,
            "Une nouvelle demande d'inscription est arrivée dans Cordée",
            staff_only=True,
        ),
    ]
}
GROUPS = [TASKS, DOSSIER, AGENDA, GLOBAL]
