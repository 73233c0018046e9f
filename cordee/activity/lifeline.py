"""ACT-3, "La ligne de vie": the dossier's notable facts, past, present and future, on one
picture drawn on the server (SVG, as the Cocon calendar is) with a table of the same facts.

Facts come from the rows themselves, each read under the rights matrix as its own page reads
it: forms (created, closed; a reserved theme's only for who may open it), stays (spans), tasks
(at their due date, by status), documents (`readable_documents`), status changes and the death
(the feed's events). Every source asks once for the window shown, whatever the dossier's size.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from cordee.activity.feed import visible_events
from cordee.activity.models import Event
from cordee.careteam.access import Perm, can, hidden_themes
from cordee.core import clock
from cordee.core.actor import Actor

if TYPE_CHECKING:
    from cordee.patients.models import Patient


@dataclass(frozen=True)
class Period:
    code: str
    label: str
    days: int


PERIODS = (
    Period("mois", "Dernier mois", 31),
    Period("trimestre", "Dernier trimestre", 92),
    Period("annee", "Dernière année", 366),
    Period("tout", "Tout", 0),
)
DEFAULT_PERIOD = "trimestre"


@dataclass(frozen=True)
class Lane:
    code: str
    label: str


LANES = (
    Lane("sejours", "Hospitalisations"),
    Lane("taches", "Tâches"),
    Lane("formulaires", "Formulaires"),
    Lane("documents", "Documents"),
    Lane("rdv", "Rendez-vous"),
    Lane("statut", "Statut du dossier"),
)

LANE_LABELS = {lane.code: lane.label for lane in LANES}

# Colours with a 4.5:1 contrast on white (marks are also told by their shape and the table).
COLORS = {
    "tache-todo": "#b02a37",
    "tache-in_progress": "#997404",
    "tache-done": "#146c43",
    "tache-cancelled": "#6c757d",
    "sejour": "#0a58ca",
    "sejour-programme": "#6f42c1",
    "formulaire": "#087990",
    "formulaire-clos": "#0f5132",
    "document": "#495057",
    "statut": "#212529",
    "rdv": "#3d0a91",
    "rdv-annule": "#6c757d",
}


# Slots, not frozen: a year's 700 facts and marks are built per request (a frozen dataclass sets
# each field through object.__setattr__).
@dataclass(slots=True)
class Fact:
    lane: str
    day: datetime.date
    label: str
    url: str
    tone: str  # a CSS class: the task's status, the form's state…
    end: datetime.date | None = None  # a span (a stay)
    ongoing: bool = False

    @property
    def color(self) -> str:
        return COLORS.get(self.tone, "#495057")

    @property
    def lane_label(self) -> str:
        return LANE_LABELS[self.lane]


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date
    period: Period
    earliest: datetime.date

    @property
    def can_go_back(self) -> bool:
        return self.period.days > 0 and self.start > self.earliest

    def shifted(self, steps: int) -> datetime.date:
        """The end of the window `steps` periods later (earlier when negative)."""
        return self.end + datetime.timedelta(days=self.period.days * steps)


def window(patient: Patient, period_code: str | None, end: datetime.date | None) -> Window:
    """The period shown: "dernier trimestre" ends a few weeks ahead (what is planned shows too);
    the arrows move it by its own length, never before the dossier was created."""
    period = next((p for p in PERIODS if p.code == period_code), None) or next(
        p for p in PERIODS if p.code == DEFAULT_PERIOD
    )
    today = clock.today()
    earliest = clock.date_of(patient.created_at)
    if period.days == 0:
        return Window(earliest, max(today, earliest) + datetime.timedelta(days=31), period, earliest)
    ahead = datetime.timedelta(days=max(7, period.days // 4))
    last = end if end is not None else today + ahead
    # Bounded: a tampered date never makes a window before the dossier or centuries ahead.
    last = min(max(last, earliest + ahead), today + datetime.timedelta(days=3660))
    return Window(last - datetime.timedelta(days=period.days), last, period, earliest)


_SENTINEL = uuid.UUID(int=0)


def _linker(name: str, *fixed: Any) -> Callable[[Any], str]:
    """The URL of each item of a kind, reversed once (a year holds hundreds of marks)."""
    pattern = reverse(name, args=[*fixed, _SENTINEL])
    return lambda public_id: pattern.replace(str(_SENTINEL), str(public_id))


def facts(actor: Actor, patient: Patient, shown: Window) -> list[Fact]:
    """The facts of the window the actor may read, in date order."""
    start, end = clock.start_of_day(shown.start), clock.start_of_day(shown.end + datetime.timedelta(days=1))
    dossier = patient.public_id
    found: list[Fact] = []
    if can(actor, Perm.VIEW_HOSPITALISATIONS, patient):
        found += _stays(patient, shown)
    if can(actor, Perm.VIEW_TASKS, patient):
        from cordee.tasks.models import Task

        task_url = _linker("tasks:edit", dossier)
        statuses = dict(Task._meta.get_field("status").flatchoices)
        # Rows, not instances: a year holds a hundred tasks, each a model built field by field.
        for public_id, label, status, due_on in Task.objects.filter(
            patient=patient, due_at__gte=start, due_at__lt=end
        ).values_list("public_id", "label", "status", clock.date_column("due_at")):
            found.append(
                Fact(
                    "taches",
                    due_on,
                    f"{label} ({statuses.get(status, status)})",
                    task_url(public_id),
                    f"tache-{status.lower()}",
                )
            )
    if can(actor, Perm.VIEW_PATHWAYS, patient):
        found += _forms(actor, patient, start, end)
    if can(actor, Perm.VIEW_DOCUMENTS, patient):
        from cordee.documents.services import readable_documents

        document_url = _linker("documents:detail", dossier)
        for public_id, title, name, created_on in (
            readable_documents(actor, patient)
            .filter(is_current=True, withdrawn_at__isnull=True, created_at__gte=start, created_at__lt=end)
            .values_list("public_id", "title", "name", clock.date_column("created_at"))
        ):
            found.append(
                Fact(
                    "documents",
                    created_on,
                    title or name,  # the document as `str()` names it
                    document_url(public_id),
                    "document",
                )
            )
    found += _appointments(actor, patient, shown)
    status_url = reverse("patients:detail", args=[dossier]) + "#s2"
    for summary, created_on in (
        visible_events(actor, patient, documents=False)
        .filter(
            kind__in=[Event.Kind.CREATED, Event.Kind.STATUS_CHANGED, Event.Kind.DEATH_DECLARED],
            created_at__gte=start,
            created_at__lt=end,
        )
        .values_list("summary", clock.date_column("created_at"))
    ):
        found.append(Fact("statut", created_on, summary, status_url, "statut"))
    return sorted(found, key=attrgetter("day", "lane", "label"))


def _appointments(actor: Actor, patient: Patient, shown: Window) -> list[Fact]:
    """AGD-1: the dossier's appointments (occurrences of series too), read by whoever sees the
    dossier; a private one is told as such, without its title."""
    from cordee.agenda.patients import dossier_appointments

    lines = dossier_appointments(
        actor, patient, shown.start, shown.end + datetime.timedelta(days=1), limit=200
    )
    appointment_url = _linker("agenda:detail")
    theme_url = reverse("pathways:tab", args=[patient.public_id])
    return [
        Fact(
            "rdv",
            clock.date_of(line.starts_at),
            f"{line.title} ({clock.local(line.starts_at):%H:%M})"
            + (" — annulé" if line.appointment.is_cancelled else ""),
            appointment_url(line.appointment.public_id) if line.reachable else theme_url,
            "rdv-annule" if line.appointment.is_cancelled else "rdv",
        )
        for line in lines
    ]


def _stays(patient: Patient, shown: Window) -> list[Fact]:
    from django.db.models import Q

    from cordee.patients.models import Hospitalisation

    stays = (
        Hospitalisation.objects.filter(patient=patient, cancelled_at__isnull=True, start_date__lte=shown.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=shown.start))
        .select_related("establishment")
    )
    url = reverse("patients:detail", args=[patient.public_id]) + "#s3"
    return [
        Fact(
            "sejours",
            stay.start_date,
            stay.establishment_label + (f" — {stay.unit}" if stay.unit else ""),
            url,
            "sejour-programme" if stay.is_programmed else "sejour",
            end=stay.end_date or max(shown.end, stay.start_date),
            ongoing=stay.end_date is None,
        )
        for stay in stays
    ]


def _forms(actor: Actor, patient: Patient, start: datetime.datetime, end: datetime.datetime) -> list[Fact]:
    from django.db.models import Q

    from cordee.pathways.models import FormResponse

    forms = (
        FormResponse.objects.filter(patient=patient)
        .filter(Q(created_at__gte=start, created_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end))
        .exclude(theme_id__in=hidden_themes(actor, patient).values("pk"))
        .select_related("questionnaire_version__questionnaire")
        .only("public_id", "created_at", "closed_at", "questionnaire_version__questionnaire__title")
    )
    found = []
    form_url = _linker("pathways:form", patient.public_id)
    for form in forms:
        title = form.questionnaire_version.questionnaire.title
        url = form_url(form.public_id)
        if start <= form.created_at < end:
            found.append(
                Fact("formulaires", clock.date_of(form.created_at), f"{title} (créé)", url, "formulaire")
            )
        if form.closed_at is not None and start <= form.closed_at < end:
            found.append(
                Fact(
                    "formulaires", clock.date_of(form.closed_at), f"{title} (clôturé)", url, "formulaire-clos"
                )
            )
    return found


# --- the picture ----------------------------------------------------------------------------

WIDTH, LEFT, RIGHT, TOP, LANE_HEIGHT = 1000, 150, 16, 28, 34


@dataclass(slots=True)
class Mark:
    fact: Fact
    x: float
    y: float
    width: float  # 0 for a point


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Picture:
    height: int
    lanes: list[tuple[Lane, float]]
    marks: list[Mark]
    ticks: list[Tick]
    today_x: float | None
    plot_left: int
    plot_right: int

    # The marks and the table's rows are written here rather than by the template: a year holds
    # hundreds of facts, and the template's lookups and filters cost several times the SQL.
    # Values are escaped by `html.escape` (what `django.utils.html.escape` calls, without its
    # lazy-string wrapper: a year's 700 facts made 4,000 calls of it), each once for both.
    @functools.cached_property
    def _texts(self) -> list[tuple[Mark, str, str, str, str]]:
        """Each mark with its day, lane, label and link as written (escaped)."""
        lanes = {code: escape(label) for code, label in LANE_LABELS.items()}
        return [
            (mark, _day(mark.fact.day), lanes[mark.fact.lane], escape(mark.fact.label), escape(mark.fact.url))
            for mark in self.marks
        ]

    def marks_svg(self) -> SafeString:
        parts = []
        for mark, day, lane, label, url in self._texts:
            color = mark.fact.color
            shape = (
                f'<rect x="{mark.x}" y="{int(mark.y) - 7}" width="{mark.width}" height="14" rx="3" '
                f'fill="{color}"/>'
                if mark.width
                else f'<circle cx="{mark.x}" cy="{mark.y}" r="6" fill="{color}" stroke="#fff" '
                'stroke-width="1.5"/>'
            )
            parts.append(
                f'<a href="{url}" class="lifeline-mark"><title>{day} — {lane} : {label}</title>{shape}</a>'
            )
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

    def rows_html(self) -> SafeString:
        parts = []
        for mark, day, lane, label, url in self._texts:
            fact = mark.fact
            until = ""
            if fact.end:
                until = " → " + ("en cours" if fact.ongoing else _day(fact.end))
            parts.append(f'<tr><td>{day}{until}</td><td>{lane}</td><td><a href="{url}">{label}</a></td></tr>')
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _day(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def picture(shown: Window, found: list[Fact]) -> Picture:
    span = max((shown.end - shown.start).days, 1)
    plot = WIDTH - LEFT - RIGHT

    def x_of(day: datetime.date) -> float:
        offset = min(max((day - shown.start).days, 0), span)
        return round(LEFT + plot * offset / span, 1)

    lanes = [(lane, TOP + index * LANE_HEIGHT + LANE_HEIGHT / 2) for index, lane in enumerate(LANES)]
    y_of = {lane.code: y for lane, y in lanes}
    marks = []
    for fact in found:
        x = x_of(max(fact.day, shown.start))
        width = x_of(fact.end) - x if fact.end is not None else 0.0
        marks.append(Mark(fact, x, y_of[fact.lane], max(width, 4.0) if fact.end is not None else 0.0))
    ticks = []
    month = datetime.date(shown.start.year, shown.start.month, 1)
    step = 1 if span <= 200 else 3 if span <= 800 else 12
    while month <= shown.end:
        if month >= shown.start:
            label = (
                f"{MONTHS[month.month - 1]} {month.year}"
                if month.month == 1 or step >= 3
                else MONTHS[month.month - 1]
            )
            ticks.append(Tick(x_of(month), label))
        index = month.month - 1 + step
        month = datetime.date(month.year + index // 12, index % 12 + 1, 1)
    today = clock.today()
    return Picture(
        height=TOP + len(LANES) * LANE_HEIGHT + 8,
        lanes=lanes,
        marks=marks,
        ticks=ticks,
        today_x=x_of(today) if shown.start <= today <= shown.end else None,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
    )
