"""SRCH-2/SRCH-3: the active file's filters and sorting, applied to what the policy lets one see.

Names match on their search keys (accents, case, hyphens and apostrophes folded), on birth and
used names, by prefix; on PostgreSQL, trigram similarity also forgives typos (pg_trgm indexes).
SQLite, the demo's database, keeps the keys alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from cordee.careteam.access import visible_among, visible_dossiers, visible_dossiers_in
from cordee.careteam.models import CircleMember, CircleRole
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.columns import Column, ColumnSet
from cordee.core.text import search_key
from cordee.pathways.models import DossierTheme, Theme
from cordee.patients import name_keys
from cordee.patients.identity import BirthDateField
from cordee.patients.models import DossierStatus, Favourite, Hospitalisation, Patient, PotentialDuplicate, Sex
from cordee.patients.programmes import PROGRAMMES, Enrolment, Programme, offered
from cordee.tasks.models import OPEN_STATUSES, Task
from cordee.territory.models import Commune, Zone

YES_NO = [("", "Indifférent"), ("oui", "Oui"), ("non", "Non")]
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
SORTS = {
    "nom": ("birth_name_key", "first_name_key", "pk"),
    "-nom": ("-birth_name_key", "-first_name_key", "-pk"),
    "naissance": ("birth_date", "pk"),
    "-naissance": ("-birth_date", "-pk"),
    "debut": ("created_at", "pk"),
    "-debut": ("-created_at", "-pk"),
    "maj": ("updated_at", "pk"),
    "-maj": ("-updated_at", "-pk"),
    "statut": ("status", "birth_name_key", "pk"),
    "-statut": ("-status", "birth_name_key", "pk"),
}
DEFAULT_SORT = "-maj"
# Issue 23: the columns one may hide ("Colonnes"); the name and the way in always show.
COLUMNS = ColumnSet(
    "file-active",
    (
        Column("sexe", "Sexe"),
        Column("naissance", "Date de naissance"),
        Column("deces", "Date de décès"),
        Column("commune", "CP/Commune"),
        # Off by default: with "Prochain RDV" the table no longer fits 1280 px otherwise.
        Column("debut", "Date de début", default=False),
        Column("statut", "Statut"),
        Column("thematiques", "Thématiques"),
        Column("hospitalisations", "Hospitalisations"),
        Column("parcours", "Parcours"),
        Column("maj", "Date de mise à jour"),
        Column("taches", "Tâches"),
        Column("rdv", "Prochain RDV"),
    ),
)
PAGE_SIZES = [10, 25, 50, 100]
# Below six letters a trigram match accepts nearly every name sharing two letters: prefix only.
TRIGRAM_MIN_LENGTH = 6
# Counting a structure's 50,000 visible dossiers costs more than the page itself: the active
# file counts up to this many and says "plus de 1 000" beyond.
COUNT_CAP = 1000


def page_size_field() -> forms.TypedChoiceField:
    """ "Nombre d'items par page" of the seed's lists (10 by default, in the view)."""
    return forms.TypedChoiceField(
        label="Nombre d'items par page",
        choices=[(n, n) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=None,
    )


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most COUNT_CAP + 1 rows, in the same query as the page.

    The first COUNT_CAP + 1 values of the (sorted) object list are fetched once: their number is
    the count, and every page the count allows lies within them, sliced in Python. One query
    instead of a COUNT then a LIMIT/OFFSET repeating the same filters; and with LIMIT 1001
    rather than 10, the planner no longer bets on finding ten matches early in the sort order
    (a frequent name walked along `updated_at` took 60-130 ms)."""

    @cached_property
    def head(self) -> list[Any]:
        return list(self.object_list[: COUNT_CAP + 1])

    @cached_property
    def count(self) -> int:
        return len(self.head)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(self.head[bottom:top], number, self)


@dataclass(frozen=True)
class Catalogue:
    """The themes and programmes the filters offer and the columns name, read in one query:
    reserved themes (rights matrix) are neither offered nor shown, nor their programmes."""

    theme_choices: list[tuple[str, str]]
    programmes: list[Programme]

    @classmethod
    def read(cls) -> Catalogue:
        # Inactive themes too: a reserved theme taken out of the list still hides its programme.
        themes = Theme.objects.filter(parent__isnull=True).order_by("ordering", "label")
        rows = list(themes.values_list("code", "label", "is_restricted", "is_default", "is_active"))
        restricted = {code for code, _, is_restricted, _, _ in rows if is_restricted}
        return cls(
            theme_choices=[
                (code, label)
                for code, label, is_restricted, is_default, is_active in rows
                if is_active and not (is_restricted or is_default)
            ],
            programmes=offered(restricted),
        )


class ActiveFileFilterForm(forms.Form):
    nom = forms.CharField(label="Nom du patient", max_length=100, required=False)
    prenom = forms.CharField(label="Prénom du patient", max_length=100, required=False)
    naissance = BirthDateField(label="Date de naissance", required=False)
    sexe = forms.MultipleChoiceField(
        label="Sexe", choices=Sex.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    statut = forms.MultipleChoiceField(
        label="Statuts", choices=DossierStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # Issue 23: multiple choices are checkboxes (no Ctrl-click), shown as a searchable drop-down
    # by app.js ("_multiselect.html").
    zone = forms.ModelMultipleChoiceField(
        label="Zones géographiques",
        queryset=Zone.objects.all(),
        to_field_name="public_id",
        required=False,
        widget=CHECKBOXES,
    )
    ville = forms.CharField(label="Ville ou code postal", max_length=100, required=False)
    professionnel = forms.CharField(label="Nom/Prénom du professionnel", max_length=100, required=False)
    role = forms.ModelChoiceField(
        label="Rôles", queryset=CircleRole.objects.filter(is_active=True), required=False, empty_label="Tous"
    )
    structure = forms.CharField(label="Structure", max_length=100, required=False)
    thematique = forms.MultipleChoiceField(label="Thématiques", required=False, widget=CHECKBOXES)
    parcours = forms.MultipleChoiceField(
        label="Parcours", required=False, widget=forms.CheckboxSelectMultiple
    )
    favoris = forms.ChoiceField(label="Favoris", choices=YES_NO, required=False)
    decedes = forms.ChoiceField(label="Décédés", choices=YES_NO, required=False)
    archives = forms.ChoiceField(label="Archivés", choices=YES_NO, required=False)
    taches = forms.ChoiceField(label="Tâches", choices=YES_NO, required=False)
    hospitalisation = forms.ChoiceField(label="Hospitalisation", choices=YES_NO, required=False)
    tri = forms.ChoiceField(choices=[(key, key) for key in SORTS], required=False)
    taille = page_size_field()

    def __init__(self, *args: Any, catalogue: Catalogue | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        catalogue = catalogue or Catalogue.read()
        self.fields["thematique"].choices = catalogue.theme_choices  # type: ignore[attr-defined]
        self.fields["parcours"].choices = [  # type: ignore[attr-defined]
            (programme.key, programme.label) for programme in catalogue.programmes
        ]


def _dossier_name_condition(typed: str, actor: Actor) -> Q:
    """ "Nom": birth or used name, by prefix; on PostgreSQL from six letters, similar names too.

    On PostgreSQL the dossiers so named are found from indexes alone — the names, then the
    circle rows of the policy — and only those the actor may see are read: a typo tolerated
    matches names by the thousand ("lefevre": 14,000 dossiers of the region, LEFEBVRE,
    LEFEUVRE, FEVRE…), two letters by the ten thousand ("ma": 64,000), of which a structure
    sees a few hundred or thousand."""
    key = search_key(typed)
    if not key:  # nothing but separators: no name asked
        return Q()
    if connection.vendor != "postgresql":
        return _name_condition(["birth_name_key", "used_name_key"], typed)
    return Q(pk__any_of=visible_among(actor, _named(key)))


def _named(key: str) -> RawSQL:
    """The ids of the live dossiers so named, as SQL: similar names from six letters, else by prefix."""
    return name_keys.similar_named(key) if len(key) >= TRIGRAM_MIN_LENGTH else name_keys.prefixed(key)


def active_file_dossiers(actor: Actor, data: dict[str, Any]) -> QuerySet[Patient]:
    """`apply_filters(visible_dossiers(actor), data, actor)`: the active file's dossiers (the page,
    the JSON API, FHIR Patient search). On PostgreSQL, with a name typed, from the policy's
    answer for the dossiers so named (`visible_dossiers_in`) rather than from every dossier the
    actor may see filtered by those: the same rows, the policy asked once instead of twice."""
    key = search_key(data.get("nom") or "")
    if connection.vendor != "postgresql" or not key:
        return apply_filters(visible_dossiers(actor), data, actor)
    return apply_filters(visible_dossiers_in(actor, _named(key)), {**data, "nom": ""}, actor)


def _name_condition(field_keys: list[str], typed: str) -> Q:
    key = search_key(typed)
    condition = Q()
    for field in field_keys:
        condition |= Q(**{f"{field}__startswith": key})
        if connection.vendor == "postgresql" and len(key) >= TRIGRAM_MIN_LENGTH:
            condition |= Q(**{f"{field}__trigram_similar": key})
    return condition


def named(queryset: QuerySet[Patient], typed: str) -> QuerySet[Patient]:
    """Dossiers whose birth or used name starts with what was typed (search keys), or none when
    fewer than two letters were typed. Used wherever one patient is looked up by name."""
    key = search_key(typed)
    if len(key) < 2:
        return queryset.none()
    return queryset.filter(Q(birth_name_key__startswith=key) | Q(used_name_key__startswith=key))


def visible_named(actor: Actor, typed: str) -> QuerySet[Patient]:
    """`named(visible_dossiers(actor), typed)`: on PostgreSQL from the name indexes, then the
    policy on those ids alone (as the active file's "Nom"), since starting from the dossiers
    one may see made PostgreSQL filter a structure's 50,000 by name one by one."""
    key = search_key(typed)
    if connection.vendor != "postgresql" or len(key) < 2:
        return named(visible_dossiers(actor), typed)
    return Patient.objects.filter(pk__any_of=visible_among(actor, name_keys.prefixed(key)))


def _yes_no(queryset: QuerySet[Patient], value: str, condition: Q) -> QuerySet[Patient]:
    if value == "oui":
        return queryset.filter(condition)
    if value == "non":
        return queryset.exclude(condition)
    return queryset


def apply_filters(queryset: QuerySet[Patient], data: dict[str, Any], actor: Actor) -> QuerySet[Patient]:
    """The active file's filters on `queryset`: the dossiers `actor` may see."""
    today = clock.today()
    user = actor.user
    if data.get("nom"):
        queryset = queryset.filter(_dossier_name_condition(data["nom"], actor))
    if data.get("prenom"):
        queryset = queryset.filter(_name_condition(["first_name_key"], data["prenom"]))
    if data.get("naissance"):
        queryset = queryset.filter(birth_date=data["naissance"])
    if data.get("sexe"):
        queryset = queryset.filter(sex__in=data["sexe"])
    if data.get("statut"):
        queryset = queryset.filter(status__in=data["statut"])
    if data.get("zone"):
        queryset = queryset.filter(commune__in=Commune.objects.filter(zones__in=data["zone"]))
    if data.get("ville"):
        typed = data["ville"].strip()
        if typed.isdigit():
            queryset = queryset.filter(Q(commune__postal_codes__regex=rf"(^| ){typed}") | Q(commune_id=typed))
        else:
            queryset = queryset.filter(commune__name_key__startswith=search_key(typed))
    live = CircleMember.objects.filter(patient=OuterRef("pk"), removed_at__isnull=True)
    if data.get("professionnel"):
        queryset = queryset.filter(
            Exists(live.filter(user__name_key__contains=search_key(data["professionnel"])))
        )
    if data.get("role"):
        queryset = queryset.filter(Exists(live.filter(roles=data["role"])))
    if data.get("structure"):
        queryset = queryset.filter(
            Exists(live.filter(structure__name_key__contains=search_key(data["structure"])))
        )
    if data.get("thematique"):
        themes = DossierTheme.objects.filter(
            patient=OuterRef("pk"), removed_at__isnull=True, theme__code__in=data["thematique"]
        )
        queryset = queryset.filter(Exists(themes))
    if data.get("parcours"):
        # The form only accepts programmes of the catalogue (reserved ones are not offered).
        followed = Q()
        for key in data["parcours"]:
            followed |= PROGRAMMES[key].followed()
        queryset = queryset.filter(followed)
    queryset = _yes_no(
        queryset,
        data.get("favoris", ""),
        Q(Exists(Favourite.objects.filter(user=user, patient=OuterRef("pk")))),
    )
    queryset = _yes_no(queryset, data.get("decedes", ""), Q(status=DossierStatus.DECEASED))
    archived = data.get("archives", "")
    if archived or DossierStatus.ARCHIVED in (data.get("statut") or []):
        queryset = _yes_no(queryset, archived, Q(status=DossierStatus.ARCHIVED))
    else:
        # Archived dossiers leave the active file unless asked for.
        queryset = queryset.exclude(status=DossierStatus.ARCHIVED)
    ongoing = Hospitalisation.objects.filter(patient=OuterRef("pk"), cancelled_at__isnull=True).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    queryset = _yes_no(queryset, data.get("hospitalisation", ""), Q(Exists(ongoing)))
    open_tasks = Task.objects.filter(patient=OuterRef("pk"), status__in=OPEN_STATUSES)
    queryset = _yes_no(queryset, data.get("taches", ""), Q(Exists(open_tasks)))
    return queryset


def enrolments(ids: list[int], programmes: list[Programme]) -> dict[int, list[Enrolment]]:
    """SRCH-3 "Parcours": each programme's summary of the page's dossiers (a query each)."""
    today = clock.today()
    shown: dict[int, list[Enrolment]] = {}
    if not ids:
        return shown
    for programme in programmes:
        for pk, enrolment in programme.summaries(ids, today).items():
            shown.setdefault(pk, []).append(enrolment)
    return shown


def page_rows(ids: list[int], user: Any, programmes: list[Programme]) -> list[Patient]:
    """SRCH-3 columns for one page, in a constant number of queries whatever it holds.

    The paginator counts and slices the bare filtered query; the columns are computed for the
    page's rows only, so the cost does not grow with the size of the active file."""
    today = clock.today()
    ongoing = Hospitalisation.objects.filter(patient=OuterRef("pk"), cancelled_at__isnull=True).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    # "Thématiques": the themes added to the dossier's Parcours (reserved ones are not named).
    themes = Prefetch(
        "themes",
        queryset=DossierTheme.objects.filter(removed_at__isnull=True, theme__is_restricted=False)
        .select_related("theme")
        .order_by("position"),
        to_attr="shown_themes",
    )
    open_tasks = (
        Task.objects.filter(patient=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Patient.objects.filter(pk__in=ids)
        .select_related("commune")
        .prefetch_related("commune__zones", themes)
        .annotate(
            open_tasks=Coalesce(Subquery(open_tasks), 0),
            is_favourite=Exists(Favourite.objects.filter(user=user, patient=OuterRef("pk"))),
            has_duplicate=Exists(
                PotentialDuplicate.objects.filter(
                    Q(first=OuterRef("pk")) | Q(second=OuterRef("pk")), status=PotentialDuplicate.Status.OPEN
                )
            ),
            has_stay=Exists(ongoing),
        )
    )
    by_id = {row.pk: row for row in rows}
    followed = enrolments(ids, programmes)
    # AGD-1 "Prochain RDV": one query for the page (series included).
    from cordee.agenda.patients import next_appointments

    coming = next_appointments(ids)
    for pk, row in by_id.items():
        row.enrolments = followed.get(pk, [])  # type: ignore[attr-defined]
        row.next_appointment = coming.get(pk)  # type: ignore[attr-defined]
    return [by_id[pk] for pk in ids if pk in by_id]


def sort(queryset: QuerySet[Patient], key: str) -> QuerySet[Patient]:
    return queryset.order_by(*SORTS.get(key, SORTS[DEFAULT_SORT]))
