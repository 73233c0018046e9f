"""Reading the dossier's story (ACT-1): what the viewer may read, filtered, a page at a time.

Visibility is the rights matrix's (`careteam.access`), applied in SQL: an event is read under
its section, a form's event under its theme too. A hidden event is absent, from the page and
from any count. Pages are keyset pages (newest first; the next starts after the last event
shown), so the hundredth page costs what the first does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse

from cordee.activity.models import Event
from cordee.careteam.access import hidden_themes, readable_sections
from cordee.careteam.models import Section
from cordee.core.actor import Actor

if TYPE_CHECKING:
    from cordee.patients.models import Patient

PAGE_SIZE = 20


@dataclass(frozen=True)
class Toggle:
    code: str
    label: str
    icon: str


# The seed's toggle icons, in its order. All off shows everything.
TOGGLES = (
    Toggle("important", "Important", "exclamation-circle"),
    Toggle("tres-important", "Très important", "exclamation-triangle-fill"),
    Toggle("notes", "Notes", "sticky"),
    Toggle("evenements", "Événements actifs", "lightning-charge"),
)
_CODES = {toggle.code for toggle in TOGGLES}


@dataclass(frozen=True)
class FeedFilters:
    """Importance toggles widen each other (important OR très important), so do the two kinds
    (notes OR events); the two groups narrow each other (très important notes)."""

    on: frozenset[str] = frozenset()

    @classmethod
    def from_query(cls, params: QueryDict) -> FeedFilters:
        return cls(frozenset(code for code in params.getlist("f") if code in _CODES))

    def apply(self, events: QuerySet[Event]) -> QuerySet[Event]:
        levels = [
            level
            for code, level in (
                ("important", Event.Importance.IMPORTANT),
                ("tres-important", Event.Importance.VERY_IMPORTANT),
            )
            if code in self.on
        ]
        if levels:
            events = events.filter(importance__in=levels)
        notes, others = "notes" in self.on, "evenements" in self.on
        if notes and not others:
            events = events.filter(kind=Event.Kind.NOTE)
        elif others and not notes:
            events = events.exclude(kind=Event.Kind.NOTE)
        return events

    def query(self) -> str:
        params = QueryDict(mutable=True)
        params.setlist("f", [toggle.code for toggle in TOGGLES if toggle.code in self.on])
        return params.urlencode()


def visible_events(actor: Actor, patient: Patient, *, documents: bool = True) -> QuerySet[Event]:
    """The dossier's events the actor may read (CIR-2): none without the feed's section.
    `documents=False` for callers that read no document event (saves the documents' query)."""
    sections = readable_sections(actor, patient)
    if Section.FEED not in sections:
        return Event.objects.none()
    events = Event.objects.filter(patient=patient, section__in=sorted(sections))
    # The reserved themes closed to the actor are a subquery of the events' query.
    events = events.exclude(theme_id__in=hidden_themes(actor, patient).values("pk"))
    if documents and Section.DOCUMENTS in sections:
        # A document the actor may not read (shared with others, a restricted category): its
        # events are not theirs either.
        closed = _closed_documents(actor, patient)
        if closed:
            events = events.exclude(kind__in=DOCUMENT_KINDS, data__document__in=closed)
    return events


DOCUMENT_KINDS = (Event.Kind.DOCUMENT_ADDED, Event.Kind.DOCUMENT_VERSIONED, Event.Kind.DOCUMENT_WITHDRAWN)


def _closed_documents(actor: Actor, patient: Patient) -> list[str]:
    """The public ids (as the events' data writes them) of the dossier's documents the actor may
    not read — one query, the documents' own rule (`readable_documents`) as a subquery."""
    from cordee.documents.models import Document
    from cordee.documents.services import readable_documents

    readable = readable_documents(actor, patient).values("pk")
    ids = (
        Document.objects.filter(patient=patient).exclude(pk__in=readable).values_list("public_id", flat=True)
    )
    return sorted(str(public_id) for public_id in ids)


@dataclass(frozen=True)
class FeedItem:
    event: Event
    url: str


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_after: uuid.UUID | None


def feed_page(
    actor: Actor,
    patient: Patient,
    filters: FeedFilters = FeedFilters(),
    after: uuid.UUID | None = None,
    size: int = PAGE_SIZE,
) -> FeedPage:
    """One page of the feed, newest first, starting after the event `after` (keyset, no OFFSET)."""
    events = filters.apply(visible_events(actor, patient))
    if after is not None:
        anchor = Event.objects.filter(patient=patient, public_id=after).values("created_at", "pk").first()
        if anchor is not None:
            moment, pk = anchor["created_at"], anchor["pk"]
            events = events.filter(
                Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk), created_at__lte=moment
            )
    rows = list(
        events.select_related("created_by", "structure", "note", "note__withdrawn_by").order_by(
            "-created_at", "-pk"
        )[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return FeedPage(
        items=[FeedItem(event, item_url(event, patient)) for event in rows],
        next_after=rows[-1].public_id if more and rows else None,
    )


def item_url(event: Event, patient: Patient) -> str:
    """Where the item an event tells of is shown (the feed only lists readable events)."""
    data, dossier = event.data or {}, patient.public_id
    detail = reverse("patients:detail", args=[dossier])
    try:
        if data.get("form"):
            return reverse("pathways:form", args=[dossier, uuid.UUID(data["form"])])
        if data.get("task"):
            return reverse("tasks:edit", args=[dossier, uuid.UUID(data["task"])])
    except ValueError:
        return detail
    anchors: dict[str, str] = {
        Section.HOSPITALISATIONS: "#s3",
        Section.STATUS: "#s2",
        Section.CONSENT: "#s-consent",
        Section.LINKS: "#s-links",
        Section.IDENTITY: "#s1",
    }
    if event.section == Section.MEMO:
        return reverse("memos:list", args=[dossier])
    if event.section == Section.CIRCLE:
        return reverse("careteam:circle", args=[dossier])
    if event.kind in (Event.Kind.THEME_ADDED, Event.Kind.THEME_REMOVED):
        return reverse("pathways:tab", args=[dossier])
    if event.kind.startswith("COCON_"):
        return reverse("cocon:dossier", args=[dossier])
    if event.kind == Event.Kind.NOTE:
        return f"{reverse('activity:feed', args=[dossier])}#note-{event.public_id}"
    return detail + anchors.get(event.section, "")
