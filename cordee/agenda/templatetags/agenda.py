"""The week and day views' appointments, rendered in Python (issue 18, `BENCH agenda_week_structure`).

A busy week shows hundreds of occurrences: through `{% include %}` and a dozen `{% if %}` each, the
template engine spent about half the request on them. `format_html` escapes every value as the
template would; the markup and its classes are those of the grid (agenda.css, no inline style).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from cordee.agenda.grid import Item

register = template.Library()


@register.simple_tag
def agenda_event(item: Item, show_who: bool) -> SafeString:
    appointment = item.appointment
    cancelled = appointment.is_cancelled
    drag = ""
    if item.movable:
        occurrence = (
            format_html(' data-agd-occurrence="{}"', item.occurrence_day) if appointment.is_recurring else ""
        )
        drag = format_html(
            ' draggable="true" data-agd-move="{}" data-agd-version="{}"{}',
            item.move_link,
            appointment.version,
            occurrence,
        )
    details = ""
    if item.details:
        patient = format_html(" — {}", item.patient_name) if item.patient_name else ""
        details = format_html('<span class="d-block">{}{}</span>', appointment.event_type.label, patient)
    who = format_html('<span class="d-block">{}</span>', item.who) if show_who else ""
    return format_html(
        '<a class="agd-event {}{}" href="{}"{}><strong>{}</strong> {}{}{}{}</a>',
        item.classes,
        " agd-cancelled" if cancelled else "",
        item.link,
        drag,
        item.when,
        item.title,
        mark_safe(" (annulé)") if cancelled else "",
        details,
        who,
    )
