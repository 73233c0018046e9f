"""The access journal ("Qui a consulté ce dossier", SEC-2) in French sentences, as the feed
speaks: each journaled code gets the phrase a professional reads, and the ids an entry names
are replaced by what they designate (a form's title, a task's label) or hidden.

Apps that journal their own object ids register a namer here (in their AppConfig.ready):
a function from a set of ids to {id: French designation} — « a title » — which follows
the word the entry already gives ("formulaire …", "tâche …")."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cordee.audit.models import Access

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

Namer = Callable[[set[uuid.UUID]], dict[uuid.UUID, str]]
NAMERS: list[Namer] = []

# Reads and opened pages: the right `get_dossier` checked (careteam.access.Perm values).
SENTENCES = {
    "view": "a consulté le dossier",
    "edit_identity": "a ouvert l'identité en modification",
    "edit_status": "a ouvert le statut du dossier",
    "view_consent": "a consulté le consentement",
    "manage_consent": "a ouvert la gestion du consentement",
    "view_hospitalisations": "a consulté les hospitalisations",
    "manage_hospitalisations": "a ouvert la gestion des hospitalisations",
    "view_circle": "a consulté le cercle de soins",
    "manage_circle": "a ouvert la gestion du cercle de soins",
    "view_links": "a consulté les dossiers liés",
    "manage_links": "a ouvert la gestion des dossiers liés",
    "view_feed": "a consulté le fil d'actualité",
    "view_access_journal": "a consulté le journal des accès",
    "view_tasks": "a consulté les tâches",
    "manage_tasks": "a ouvert la gestion des tâches",
    "view_pathways": "a consulté le parcours",
    "fill_forms": "a ouvert un formulaire en saisie",
    "reopen_form": "a demandé la réouverture d'un formulaire",
    "view_documents": "a consulté les documents",
    "add_documents": "a ouvert l'ajout de documents",
    "supervision": "a consulté le dossier en supervision",
    "identity_search": "a vu le dossier parmi les résultats de la recherche avant création",
    "identity_duplicate": "a vu le dossier proposé comme doublon potentiel",
    # Lists and pickers naming dossiers (issue 24): one row per dossier shown, per request.
    "list_active_file": "a vu le dossier dans sa file active",
    "list_tasks": "a vu le dossier dans le tableau des tâches",
    "list_picker": "a vu le dossier proposé dans une liste de choix",
    "list_notifications": "a vu le dossier nommé dans ses notifications",
    "bulk_export": "a exporté le dossier (export FHIR en masse)",
    "bulk_export_dossiers": "a exporté le dossier (export FHIR en masse)",
    # Writes.
    "create": "a créé le dossier",
    "appointment_added": "a ajouté un rendez-vous",
    "appointment_changed": "a modifié un rendez-vous",
    "appointment_cancelled": "a annulé un rendez-vous",
    "appointment_restored": "a rétabli un rendez-vous",
    "appointment_deleted": "a supprimé un rendez-vous",
    "appointment_occurrence_removed": "a retiré une occurrence d'un rendez-vous",
    "appointment_occurrence_changed": "a modifié une occurrence d'un rendez-vous",
    "appointment_series_ended": "a arrêté une série de rendez-vous",
    "update_identity": "a modifié l'identité",
    "change_status": "a changé le statut du dossier",
    "declare_death": "a déclaré le décès",
    "record_consent": "a enregistré le consentement",
    "withdraw_consent": "a retiré le consentement",
    "save_hospitalisation": "a enregistré une hospitalisation",
    "cancel_hospitalisation": "a annulé une hospitalisation",
    "link_dossiers": "a lié le dossier à un autre",
    "unlink_dossiers": "a supprimé un lien entre dossiers",
    "merge": "a fusionné des dossiers",
    "dismiss_duplicate": "a écarté un doublon potentiel",
    "circle_added": "a ajouté un membre au cercle de soins",
    "circle_removed": "a retiré un membre du cercle de soins",
    "circle_updated": "a modifié un membre du cercle de soins",
    "circle_habilitated": "a habilité un membre du cercle de soins",
    "circle_habilitation_removed": "a retiré une habilitation",
    "circle_refusal": "a enregistré un refus de partage",
    "create_task": "a créé une tâche",
    "edit_task": "a modifié une tâche",
    "task_status": "a changé le statut d'une tâche",
    "add_theme": "a ajouté une thématique au parcours",
    "move_theme": "a déplacé une thématique du parcours",
    "remove_theme": "a retiré une thématique du parcours",
    "form_created": "a créé un formulaire",
    "form_saved": "a enregistré un formulaire",
    "form_closed": "a clôturé un formulaire",
    "form_reopened": "a rouvert un formulaire",
    "save_form_refused": "a envoyé un formulaire refusé (réponses non prévues par le questionnaire)",
    "cocon_include": "a inclus l'enfant dans le programme Cocon",
    "cocon_edit_inclusion": "a modifié l'inclusion Cocon",
    "cocon_end": "a mis fin au suivi Cocon",
}


def sentence(action: str) -> str:
    """The French phrase of a journal code; a code nobody worded yet is still said in French."""
    return SENTENCES.get(action) or "a effectué une action sur le dossier"


@dataclass(frozen=True)
class Line:
    access: Access
    sentence: str
    what: str


def ids_in(accesses: Iterable[Access]) -> set[uuid.UUID]:
    return {uuid.UUID(match) for row in accesses for match in UUID_RE.findall(row.what)}


def lines(accesses: Iterable[Access], *, known: dict[uuid.UUID, str] | None = None) -> list[Line]:
    """The page's entries worded, the ids they name resolved in one query per kind."""
    rows = list(accesses)
    wanted = ids_in(rows)
    names: dict[uuid.UUID, str] = dict(known or {})
    for namer in NAMERS:
        if wanted - names.keys():
            names.update(namer(wanted - names.keys()))

    def designate(match: re.Match[str]) -> str:
        return names.get(uuid.UUID(match.group(0)), "(élément retiré ou non visible)")

    return [
        Line(
            access=row,
            sentence=sentence(row.action),
            what=re.sub(r"\bde un\b", "d'un", UUID_RE.sub(designate, row.what)),
        )
        for row in rows
    ]
