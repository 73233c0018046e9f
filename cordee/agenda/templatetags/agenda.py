"""The week and day views' appointments, rendered in Python (issue 18, `BENCH agenda_week_structure`).

A busy week shows hundreds of occurrences: through `{% include %}` and a dozen `{% if %}` each, the
template engine spent about half the request on them; with `format_html` for each piece of each
one (its lazy wrappers and `conditional_escape` on every argument) the template still took 27 ms
of CPU for the DAC's week, 16 ms now.
A day's column is one string here: each value is escaped by `html.escape`, exactly as Django's
`escape` does (it is the same function), the markup and its classes are those of the grid
(agenda.css, no inline style); the bench weeks, day and month pages were compared byte for byte
before and after (bench/README, agenda section).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from cordee.agenda.grid import Item

register = template.Library()


def event_html(item: Item, show_who: bool) -> str:
    """One occurrence in the time grid (a link to its page; draggable if the viewer may move it)."""
    appointment = item.appointment
    cancelled = appointment.is_cancelled
    drag = ""
    if item.movable:
        occurrence = f' data-agd-occurrence="{item.occurrence_day}"' if appointment.is_recurring else ""
        drag = (
            f' draggable="true" data-agd-move="{escape(item.move_link)}"'
            f' data-agd-version="{appointment.version}"{occurrence}'
        )
    details = ""
    if item.details:
        patient_name = item.patient_name
        patient = f" — {escape(patient_name)}" if patient_name else ""
        details = f'<span class="d-block">{escape(appointment.event_type.label)}{patient}</span>'
    who = f'<span class="d-block">{escape(item.who)}</span>' if show_who else ""
    return (
        f'<a class="agd-event {escape(item.classes)}{" agd-cancelled" if cancelled else ""}"'
        f' href="{escape(item.link)}"{drag}><strong>{escape(item.when)}</strong> {escape(item.title)}'
        f"{' (annulé)' if cancelled else ''}{details}{who}</a>"
    )


@register.simple_tag
def agenda_event(item: Item, show_who: bool) -> SafeString:
    return mark_safe(event_html(item, show_who))  # noqa: S308 - every value escaped above


@register.simple_tag
def agenda_events(items: Iterable[Item], show_who: bool) -> SafeString:
    """A column's occurrences, laid out as the template's loop laid them out."""
    return mark_safe(  # noqa: S308 - every value escaped in event_html
        "".join(f"\n      {event_html(item, show_who)}\n      " for item in items)
    )
