"""THE access policy (SEC-1): every read and write of dossier data asks here.

- `visible_dossiers(actor)` for every list;
- `get_dossier(actor, public_id, perm)` for every page: the dossier, or 404 for whoever is not
  in its circle (a dossier you may not see does not exist for you), 403 for a member lacking
  the right; each call is journaled (SEC-2), refusals included;
- `can(actor, perm, patient)` for the rest (buttons, menus).

Who is "in": the actor's own habilitated circle row, or — while acting as a structure — that
structure's habilitated row. A row the patient refused sharing with hides the dossier from
that professional whatever else holds (CIR-2). Merged dossiers (tombstones) are never served.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from cordee.audit.models import Access
from cordee.audit.services import journal
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.core.actor import Actor
from cordee.patients.models import Patient

if TYPE_CHECKING:
    from cordee.pathways.models import Theme


class Perm(enum.StrEnum):
    VIEW = "view"
    EDIT_IDENTITY = "edit_identity"
    EDIT_STATUS = "edit_status"
    VIEW_CONSENT = "view_consent"
    MANAGE_CONSENT = "manage_consent"
    VIEW_HOSPITALISATIONS = "view_hospitalisations"
    MANAGE_HOSPITALISATIONS = "manage_hospitalisations"
    VIEW_CIRCLE = "view_circle"
    MANAGE_CIRCLE = "manage_circle"
    VIEW_LINKS = "view_links"
    MANAGE_LINKS = "manage_links"
    VIEW_FEED = "view_feed"
    VIEW_ACCESS_JOURNAL = "view_access_journal"
    VIEW_TASKS = "view_tasks"
    MANAGE_TASKS = "manage_tasks"
    MERGE = "merge"
    VIEW_PATHWAYS = "view_pathways"
    FILL_FORMS = "fill_forms"
    REMOVE_THEME = "remove_theme"
    REOPEN_FORM = "reopen_form"
    VIEW_DOCUMENTS = "view_documents"
    ADD_DOCUMENTS = "add_documents"
    WRITE_NOTES = "write_notes"
    VIEW_MEMOS = "view_memos"
    WRITE_MEMOS = "write_memos"


# What each permission asks of the rights matrix (CIR-2): a section, read or write.
_NEEDS: dict[Perm, tuple[str, bool]] = {
    Perm.VIEW: (Section.IDENTITY, False),
    Perm.EDIT_IDENTITY: (Section.IDENTITY, True),
    Perm.EDIT_STATUS: (Section.STATUS, True),
    Perm.VIEW_CONSENT: (Section.CONSENT, False),
    Perm.MANAGE_CONSENT: (Section.CONSENT, True),
    Perm.VIEW_HOSPITALISATIONS: (Section.HOSPITALISATIONS, False),
    Perm.MANAGE_HOSPITALISATIONS: (Section.HOSPITALISATIONS, True),
    Perm.VIEW_CIRCLE: (Section.CIRCLE, False),
    Perm.MANAGE_CIRCLE: (Section.CIRCLE, True),
    Perm.VIEW_LINKS: (Section.LINKS, False),
    Perm.MANAGE_LINKS: (Section.LINKS, True),
    Perm.VIEW_FEED: (Section.FEED, False),
    Perm.VIEW_ACCESS_JOURNAL: (Section.ACCESS_JOURNAL, False),
    Perm.VIEW_TASKS: (Section.TASKS, False),
    Perm.MANAGE_TASKS: (Section.TASKS, True),
    # Merging rewrites identity-vigilance history: identity writers who are a structure's
    # super user only (checked in _holds).
    Perm.MERGE: (Section.IDENTITY, True),
    Perm.VIEW_PATHWAYS: (Section.PATHWAYS, False),
    Perm.FILL_FORMS: (Section.PATHWAYS, True),
    Perm.REMOVE_THEME: (Section.THEME_REMOVAL, True),
    Perm.REOPEN_FORM: (Section.FORM_REOPENING, True),
    Perm.VIEW_DOCUMENTS: (Section.DOCUMENTS, False),
    Perm.ADD_DOCUMENTS: (Section.DOCUMENTS, True),
    Perm.WRITE_NOTES: (Section.FEED, True),
    Perm.VIEW_MEMOS: (Section.MEMO, False),
    Perm.WRITE_MEMOS: (Section.MEMO, True),
}


def _actor_rows(actor: Actor) -> Q:
    rows = Q(user=actor.user)
    if actor.structure is not None:
        rows |= Q(structure=actor.structure)
    return rows


def _live_rows() -> QuerySet[CircleMember]:
    return CircleMember.objects.filter(removed_at__isnull=True)


def visible_dossiers(actor: Actor) -> QuerySet[Patient]:
    """SRCH-1: the dossiers the actor is habilitated on.

    One EXISTS per kind of row (the actor's own, the structure's), not one EXISTS on "user OR
    structure": each is answered by its own partial index (user_id|structure_id, patient_id),
    and PostgreSQL may hash a structure's whole set once instead of probing it per dossier —
    the difference between 23,000 index probes and 23,000 hash look-ups when a large
    structure filters its active file by zone or by a frequent name (README "Performance").
    """
    habilitated = _live_rows().filter(patient=OuterRef("pk"), is_habilitated=True)
    condition = Q(Exists(habilitated.filter(user=actor.user)))
    if actor.structure is not None:
        condition |= Q(Exists(habilitated.filter(structure=actor.structure)))
    refused = _live_rows().filter(patient=OuterRef("pk"), user=actor.user, sharing_refused=True)
    return Patient.objects.filter(condition, ~Exists(refused), merged_into__isnull=True)


def visible_among(actor: Actor, dossier_ids: Iterable[int] | RawSQL) -> set[int]:
    """Which of these dossiers `visible_dossiers(actor)` holds — the same rows (habilitated,
    live, not refused, not merged) — answered from the circle's indexes for the few hundred
    dossiers a list met (the tasks dashboard's inboxes), without reading the dossiers nor
    hashing all of a structure's circle rows.

    `dossier_ids` may also be a subquery of ids, in SQL, its column named `id` (the active
    file's similar names): tested in the database, the ids never travel (`_visible_in`)."""
    if isinstance(dossier_ids, RawSQL):
        return _visible_in(actor, dossier_ids)
    wanted = set(dossier_ids)
    if not wanted:
        return set()
    among = Q(patient__any_of=wanted)
    refused = _live_rows().filter(patient=OuterRef("patient"), user=actor.user, sharing_refused=True)
    merged = Patient.objects.filter(pk=OuterRef("patient"), merged_into__isnull=False)
    rows = (
        _live_rows()
        .filter(_actor_rows(actor), among, is_habilitated=True)
        .exclude(Exists(refused))
        .exclude(Exists(merged))
    )
    return set(rows.values_list("patient_id", flat=True).distinct())


def _visible_in(actor: Actor, ids: RawSQL) -> set[int]:
    """`visible_among` for the ids a subquery gives — thousands of them (14,600 dossiers are
    named like "lefevre" in the benchmark region). The same rows as `visible_dossiers`, tested
    on each id: PostgreSQL hashes the actor's and the structure's circle rows once (10 ms),
    where the ORM's form of the question (circle rows whose dossier is in the subquery) made
    it probe the circle 14,600 times (100 ms). `test_visibility_shapes` checks it case by case."""
    circle, patients = CircleMember._meta.db_table, Patient._meta.db_table
    habilitated = (
        f"EXISTS (SELECT 1 FROM {circle} c WHERE c.patient_id = named.id AND c.{{}} = %s"  # noqa: S608 - model tables
        " AND c.removed_at IS NULL AND c.is_habilitated)"
    )
    rows = [habilitated.format("user_id")]
    params: list[Any] = [*ids.params, actor.user.pk]
    if actor.structure is not None:
        rows.append(habilitated.format("structure_id"))
        params.append(actor.structure.pk)
    sql = (
        f"SELECT named.id FROM ({ids.sql}) AS named WHERE ({' OR '.join(rows)})"  # noqa: S608
        f" AND NOT EXISTS (SELECT 1 FROM {circle} r WHERE r.patient_id = named.id AND r.user_id = %s"
        " AND r.removed_at IS NULL AND r.sharing_refused)"
        f" AND NOT EXISTS (SELECT 1 FROM {patients} m WHERE m.id = named.id AND m.merged_into_id IS NOT NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, actor.user.pk])
        return {dossier for (dossier,) in cursor.fetchall()}


def visible_dossiers_in(actor: Actor, ids: RawSQL) -> QuerySet[Patient]:
    """`visible_dossiers(actor)` among the ids a subquery gives (the active file's names), as a
    queryset: the policy asked once, by `_visible_in`, then the dossiers read by their keys.
    `visible_dossiers(actor).filter(pk__in=…)` asked it a second time on the same few thousand
    dossiers — a structure's 50,000 circle rows hashed again, 25 of a name search's 60 ms."""
    return Patient.objects.filter(pk__any_of=_visible_in(actor, ids), merged_into__isnull=True)


def visible_through(actor: Actor, field: str = "patient") -> Q:
    """`visible_dossiers(actor)` as a condition on a dossier foreign key (`field`), for lists of
    things on dossiers (the tasks dashboard): the same rows — habilitated, not refused, not
    merged — tested on the key itself, without joining the dossiers.

    Each test is an EXISTS correlated to the key, which PostgreSQL may answer from a hash of the
    structure's rows built once: `patient_id IN (SELECT id FROM patients WHERE EXISTS …)` instead
    made it probe the dossier, then the circle, for each of 20,000 tasks.
    """
    habilitated = _live_rows().filter(patient=OuterRef(field), is_habilitated=True)
    condition = Q(Exists(habilitated.filter(user=actor.user)))
    if actor.structure is not None:
        condition |= Q(Exists(habilitated.filter(structure=actor.structure)))
    refused = _live_rows().filter(patient=OuterRef(field), user=actor.user, sharing_refused=True)
    merged = Patient.objects.filter(pk=OuterRef(field), merged_into__isnull=False)
    return condition & ~Q(Exists(refused)) & ~Q(Exists(merged))


@dataclass(frozen=True)
class Standing:
    """Where the actor stands in one dossier's circle, and what the matrix grants there."""

    in_circle: bool
    habilitated: bool
    refused: bool
    readable: frozenset[str] = frozenset()
    writable: frozenset[str] = frozenset()
    # Reserved themes the matrix opens to the actor (theme ids).
    readable_themes: frozenset[int] = frozenset()
    writable_themes: frozenset[int] = frozenset()
    # Restricted document categories the matrix opens to the actor (category ids, ACT-4).
    readable_categories: frozenset[int] = frozenset()
    writable_categories: frozenset[int] = frozenset()

    @property
    def sees_dossier(self) -> bool:
        return self.habilitated and not self.refused


def _cache_key(actor: Actor) -> tuple[int, int | None]:
    return (actor.user.pk, actor.structure.pk if actor.structure else None)


def standing(actor: Actor, patient: Patient) -> Standing:
    """Computed once per actor and dossier object: `get_dossier` then `permissions` share it."""
    cached = getattr(patient, "_access_standing", None)
    if cached is not None and cached[0] == _cache_key(actor):
        return cached[1]  # type: ignore[no-any-return]
    where = _compute_standing(actor, patient)
    patient._access_standing = (_cache_key(actor), where)  # type: ignore[attr-defined]
    return where


def _compute_standing(actor: Actor, patient: Patient) -> Standing:
    rows = list(_live_rows().filter(_actor_rows(actor), patient=patient).prefetch_related("roles"))

    def rules_for(role_ids: set[int]) -> Iterable[_Rule]:
        return RightsRule.objects.filter(
            Q(profession__isnull=True) | Q(profession_id=actor.user.profession_id),
            Q(role__isnull=True) | Q(role_id__in=role_ids),
        ).values_list("section", "can_read", "can_write", "theme_id", "document_category_id")

    return _standing_from(actor, rows, rules_for)


# A rule of the matrix as `_standing_from` reads it: section, read, write, theme id, category id
# (the ids None on general rules).
_Rule = tuple[str, bool, bool, Any, Any]


def prime_standings(actor: Actor, patients: Sequence[Patient]) -> None:
    """`standing` for many dossiers at once (the FHIR bulk export's chunks): the actor's circle
    rows of all of them, their roles and the matrix's rules for the actor's profession in three
    queries whatever their number, then each dossier's Standing computed by the same rule as
    one page's (`_standing_from`) and cached on it — `can` then asks no more queries."""
    if not patients:
        return
    by_patient: dict[int, list[CircleMember]] = {p.pk: [] for p in patients}
    rows = _live_rows().filter(_actor_rows(actor), patient__any_of=list(by_patient)).prefetch_related("roles")
    for row in rows:
        by_patient[row.patient_id].append(row)
    matrix = list(
        RightsRule.objects.filter(
            Q(profession__isnull=True) | Q(profession_id=actor.user.profession_id)
        ).values_list("section", "can_read", "can_write", "theme_id", "document_category_id", "role_id")
    )

    def rules_for(role_ids: set[int]) -> Iterable[_Rule]:
        return [rule[:5] for rule in matrix if rule[5] is None or rule[5] in role_ids]

    for patient in patients:
        where = _standing_from(actor, by_patient[patient.pk], rules_for)
        patient._access_standing = (_cache_key(actor), where)  # type: ignore[attr-defined]


def _standing_from(
    actor: Actor, rows: list[CircleMember], rules_for: Callable[[set[int]], Iterable[_Rule]]
) -> Standing:
    refused = any(row.sharing_refused and row.user_id == actor.user.pk for row in rows)
    habilitated_rows = [row for row in rows if row.is_habilitated]
    if not habilitated_rows or refused:
        return Standing(in_circle=bool(rows), habilitated=bool(habilitated_rows), refused=refused)
    role_ids = {role.pk for row in habilitated_rows for role in row.roles.all()}
    rules = list(rules_for(role_ids))
    general = [rule for rule in rules if rule[3] is None and rule[4] is None]
    themed = [rule for rule in rules if rule[3] is not None]
    filed = [rule for rule in rules if rule[4] is not None]
    return Standing(
        in_circle=True,
        habilitated=True,
        refused=False,
        readable=frozenset(section for section, can_read, _, _, _ in general if can_read),
        writable=frozenset(section for section, _, can_write, _, _ in general if can_write),
        readable_themes=frozenset(theme for _, can_read, _, theme, _ in themed if can_read),
        writable_themes=frozenset(theme for _, _, can_write, theme, _ in themed if can_write),
        readable_categories=frozenset(category for _, can_read, _, _, category in filed if can_read),
        writable_categories=frozenset(category for _, _, can_write, _, category in filed if can_write),
    )


def _holds(actor: Actor, perm: Perm, patient: Patient, where: Standing) -> bool:
    if not where.sees_dossier:
        return False
    section, write = _NEEDS[perm]
    if section not in (where.writable if write else where.readable):
        return False
    return perm != Perm.MERGE or actor.is_structure_superuser


def permissions(actor: Actor, patient: Patient) -> frozenset[Perm]:
    """Every right the actor holds on the dossier, in a few queries (for a page's buttons)."""
    if patient.merged_into_id is not None:
        return frozenset()
    where = standing(actor, patient)
    return frozenset(perm for perm in Perm if _holds(actor, perm, patient, where))


def theme_rights(actor: Actor, patient: Patient, theme: Theme) -> tuple[bool, bool]:
    """CIR-2 for the Parcours tab: (may read, may write) the theme's forms. A reserved theme (or
    sub-theme of one) also needs a rule naming it."""
    if patient.merged_into_id is not None:
        return False, False
    where = standing(actor, patient)
    read = _holds(actor, Perm.VIEW_PATHWAYS, patient, where)
    write = _holds(actor, Perm.FILL_FORMS, patient, where)
    for reserved in (theme, theme.parent) if theme.parent_id else (theme,):
        if reserved is not None and reserved.is_restricted:
            read = read and reserved.pk in where.readable_themes
            write = write and reserved.pk in where.writable_themes
    return read, read and write


def document_categories(actor: Actor, patient: Patient) -> tuple[frozenset[int], frozenset[int]]:
    """ACT-4, CIR-2 for the documents space: the ids of the categories the actor may (read,
    write) — every category that is not restricted under the "Documents" rights of the matrix,
    a restricted one only where a rule names it too. Computed once per actor and dossier."""
    cached = getattr(patient, "_access_categories", None)
    if cached is not None and cached[0] == _cache_key(actor):
        return cached[1]  # type: ignore[no-any-return]
    rights = _compute_categories(actor, patient)
    patient._access_categories = (_cache_key(actor), rights)  # type: ignore[attr-defined]
    return rights


def prime_categories(actor: Actor, patients: Sequence[Patient]) -> None:
    """`document_categories` for many dossiers at once (the bulk export's chunks, their standings
    primed): the categories read in one query, each dossier's rights by the same rule."""
    from cordee.documents.models import DocumentCategory

    categories = list(DocumentCategory.objects.values_list("pk", "is_restricted"))
    for patient in patients:
        rights = _compute_categories(actor, patient, categories)
        patient._access_categories = (_cache_key(actor), rights)  # type: ignore[attr-defined]


def _compute_categories(
    actor: Actor, patient: Patient, categories: list[tuple[int, bool]] | None = None
) -> tuple[frozenset[int], frozenset[int]]:
    from cordee.documents.models import DocumentCategory

    if patient.merged_into_id is not None:
        return frozenset(), frozenset()
    where = standing(actor, patient)
    read = _holds(actor, Perm.VIEW_DOCUMENTS, patient, where)
    if not read:
        return frozenset(), frozenset()
    write = _holds(actor, Perm.ADD_DOCUMENTS, patient, where)
    if categories is None:
        categories = list(DocumentCategory.objects.values_list("pk", "is_restricted"))
    readable = frozenset(
        pk for pk, restricted in categories if not restricted or pk in where.readable_categories
    )
    writable = frozenset(
        pk for pk, restricted in categories if write and (not restricted or pk in where.writable_categories)
    )
    return readable, writable & readable


def holds_cohort_right(actor: Actor, right: str) -> bool:
    """Rights over a programme's pseudonymised cohort rather than over a dossier (COC-4, COC-5):
    given by the administrators to the network's staff, as Django permissions."""
    return bool(actor.user.is_active and actor.user.has_perm(right))


def can(actor: Actor, perm: Perm, patient: Patient) -> bool:
    if patient.merged_into_id is not None:
        return False
    return _holds(actor, perm, patient, standing(actor, patient))


def get_dossier(
    actor: Actor, public_id: uuid.UUID | str, perm: Perm = Perm.VIEW, *, what: str = ""
) -> Patient:
    """The one door to a dossier; every knock is journaled, answered or not."""
    patient = (
        Patient.objects.select_related("birth_country", "birth_commune", "commune", "discharge_reason")
        .filter(public_id=public_id, merged_into__isnull=True)
        .first()
    )
    if patient is None:
        journal(actor, None, str(perm), Access.Outcome.NOT_FOUND, what=what, requested_id=str(public_id))
        raise Http404
    where = standing(actor, patient)
    if not where.sees_dossier:
        # Out of the circle, or refused by the patient: the dossier does not exist for them.
        # A listed member without habilitation knows it exists: 403.
        outcome = (
            Access.Outcome.FORBIDDEN if where.in_circle and not where.refused else Access.Outcome.NOT_FOUND
        )
        journal(actor, patient, str(perm), outcome, what=what)
        if outcome == Access.Outcome.FORBIDDEN:
            raise PermissionDenied
        raise Http404
    if not _holds(actor, perm, patient, where):
        journal(actor, patient, str(perm), Access.Outcome.FORBIDDEN, what=what)
        raise PermissionDenied
    journal(actor, patient, str(perm), Access.Outcome.ALLOWED, what=what)
    return patient


def readable_sections(actor: Actor, patient: Patient) -> frozenset[str]:
    """ACT-1, ACT-3: the sections of the rights matrix the actor reads on this dossier — the feed
    and the life line show an event only if its section is among them."""
    if patient.merged_into_id is not None:
        return frozenset()
    where = standing(actor, patient)
    return where.readable if where.sees_dossier else frozenset()


def hidden_themes(actor: Actor, patient: Patient) -> QuerySet[Theme]:
    """The themes whose forms the actor may not read on this dossier: reserved themes the matrix
    does not open to them, and their sub-themes (the rule of `theme_rights`, for lists) — a
    query, to be used as a subquery (no round trip of its own)."""
    from cordee.pathways.models import Theme

    opened = sorted(standing(actor, patient).readable_themes)
    return Theme.objects.filter(
        (Q(is_restricted=True) & ~Q(pk__in=opened))
        | (Q(parent__is_restricted=True) & ~Q(parent_id__in=opened))
    )
