"""The rows of "Tableau de bord Demandes" and "Mes demandes", rendered in Python (issue 19,
`BENCH requests_dashboard`).

Through the template, 25 rows of twelve cells — a dozen lookups, filters and `{% if %}` each,
two `{% url %}` and two `{% csrf_token %}` — were half the template's time. Here each value
is escaped as the template's autoescape does (`html.escape`, which `django.utils.html.escape`
is, without its lazy-string wrapper: `format_html` cost as much as the template), the links
are built from a pattern reversed once (`core.paths.uuid_path`), and the HTML is the
template's, to the character (`referrals/tests/test_table_rows.py` compares both).
"""

from __future__ import annotations

import datetime
import unicodedata
from html import escape
from typing import Any

from django import template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from cordee.core import clock
from cordee.core.csrf import csrf_input
from cordee.core.paths import uuid_path
from cordee.core.templatetags.cordee import widget
from cordee.referrals.models import Referral

register = template.Library()

_OPEN, _CANCELLED = Referral.Status.OPEN, Referral.Status.CANCELLED
_STATUS_LABELS = dict(Referral.Status.choices)
DETAIL_CHARS = 80


def _day(value: datetime.datetime | None) -> str:
    """`|date:"d/m/Y"` of an aware datetime: the day in the current time zone."""
    if value is None:
        return ""
    day = clock.wall_date(value)  # the Paris day, as the template's filter showed it
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _detail(text: str) -> str:
    """`|truncatechars:80`: Truncator's own work only when the text may be longer."""
    text = unicodedata.normalize("NFC", text)
    # Combining characters do not count: a text of at most 80 code points is never cut.
    return text if len(text) <= DETAIL_CHARS else Truncator(text).chars(DETAIL_CHARS)


def _actions(r: Referral, is_team: bool, steps: dict[str, Any], here: str, csrf: str) -> str:
    number, public_id = r.number, r.public_id
    html = (
        '<td data-label="Actions"><div class="d-flex flex-wrap gap-1">\n      '
        f'<a class="btn btn-sm btn-outline-primary" href="{uuid_path("referrals:detail", public_id)}" '
        'title="Ouvrir"><i class="bi bi-plus-lg" aria-hidden="true"></i><span class="visually-hidden">'
        f"Ouvrir la demande {number}</span></a>\n      "
    )
    if is_team and r.status != _CANCELLED:
        url = uuid_path("referrals:row_action", public_id)
        hidden = (
            f'<input type="hidden" name="version" value="{r.version}">'
            f'<input type="hidden" name="query" value="{here}">'
        )
        form = (
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="#resultats">{csrf}'
            '<input type="hidden" name="action" value='
        )
        previous = next_ = ""
        if r.step.ordering > steps["first"]:
            previous = (
                f'{form}"previous">{hidden}<button class="btn btn-sm btn-outline-secondary" type="submit" '
                f'id="precedente-{public_id}" title="Étape précédente"><i class="bi bi-arrow-up" '
                'aria-hidden="true"></i><span class="visually-hidden">Revenir à l\'étape précédente de la '
                f"demande {number}</span></button></form>"
            )
        if r.step.ordering < steps["last"]:
            next_ = (
                f'{form}"next">{hidden}<button class="btn btn-sm btn-outline-secondary" type="submit" '
                f'id="suivante-{public_id}" title="Étape suivante"><i class="bi bi-arrow-down" '
                'aria-hidden="true"></i><span class="visually-hidden">Passer à l\'étape suivante de la '
                f"demande {number}</span></button></form>"
            )
        html += (
            f"\n      {previous}\n      {next_}\n      "
            '<button class="btn btn-sm btn-outline-danger" type="button" title="Annuler" '
            f'data-bs-toggle="modal" data-bs-target="#annulation" data-dialog-action="{url}" '
            f'data-dialog-title="Annuler la demande {number}" data-dialog-version="{r.version}" '
            f'data-dialog-query="{here}"><i class="bi bi-x-lg" aria-hidden="true"></i><span '
            f'class="visually-hidden">Annuler la demande {number}</span></button>\n      '
        )
    return html + "\n    </div></td>"


def _row(
    r: Referral, is_team: bool, steps: dict[str, Any], here: str, csrf: str, zones: dict[str, str] | None
) -> str:
    status = ""
    if r.status != _OPEN:
        tone = "secondary" if r.status == _CANCELLED else "success"
        status = (
            f' <span class="badge text-bg-{tone}">{escape(_STATUS_LABELS.get(r.status, r.status))}</span>'
        )
    if is_team:
        asker_label = "Demandeur / Orienteur"
        structure = r.requester_structure
        asker = escape(r.requester.display_name) + (f" ({escape(structure.name)})" if structure else "")
    else:
        asker_label, asker = "Équipe ressource", escape(r.team.name)
    if r.commune_id is None:
        places = ""
    elif zones is not None:  # the dashboards' page: read with the rows (`dashboard._place`)
        places = zones.get(r.commune_id, "")
    else:
        places = (
            ", ".join(escape(zone.name) for zone in r.commune.zones.all()) if r.commune is not None else ""
        )
    assignee = r.assignee.display_name if r.assignee is not None else ""
    service = r.specialised_service.label if r.specialised_service is not None else ""
    return (
        "\n  <tr>"
        f'\n    <td data-label="Identifiant">{r.number}</td>'
        f'\n    <td data-label="Patient">{escape(r.patient_label)}</td>'
        f'\n    <td data-label="Étape">{escape(r.step.label)}{status}</td>'
        f'\n    <td data-label="Date de la demande">{_day(r.created_at)}</td>'
        f'\n    <td data-label="{asker_label}">{asker}</td>'
        f'\n    <td data-label="Détail de la demande">{escape(_detail(r.detail))}</td>'
        f'\n    <td data-label="Date réponse">{_day(r.answered_at) or "—"}</td>'
        f'\n    <td data-label="Zone géographique">{places or "—"}</td>'
        f'\n    <td data-label="Affecté à">{escape(assignee) or "—"}</td>'
        f'\n    <td data-label="Externe au DAC">{"Oui" if r.external else "Non"}</td>'
        f'\n    <td data-label="Service spécialisé">{escape(service) or "—"}</td>'
        f"\n    {_actions(r, is_team, steps, here, csrf)}"
        "\n  </tr>\n  "
    )


@register.simple_tag(takes_context=True)
def referral_rows(context: template.Context) -> SafeString:
    """The table's rows of `page.object_list`, as `_table.html` wrote them."""
    csrf = csrf_input(context)
    is_team, steps = bool(context.get("is_team")), context.get("steps") or {}
    here = escape(str(context.get("here", "")))
    zones = context.get("zones")
    rows = "".join(_row(r, is_team, steps, here, csrf, zones) for r in context["page"].object_list)
    return mark_safe(rows)  # noqa: S308 - every value above is escaped


def _field(field: BoundField) -> str:
    """`{% include "form_field.html" with field=field %}`, to the character: the label, the widget
    (`{% widget %}`, the same function), the help and the French errors next to it."""
    label_for = conditional_escape(field.id_for_label)
    star = (
        ' <span aria-hidden="true">*</span>'
        if field.field.required or getattr(field.field, "required_mark", False)
        else ""
    )
    label = conditional_escape(field.label)
    if field.widget_type == "checkbox":
        head = (
            '\n<div class="mb-3 form-check">\n  \n    '
            f"{widget(field)}\n    "
            f'<label class="form-check-label" for="{label_for}">{label}{star}</label>\n  '
        )
    else:
        head = (
            '\n<div class="mb-3">\n  \n    '
            f'<label class="form-label" for="{label_for}">{label}{star}</label>\n    {widget(field)}\n  '
        )
    help_ = f'<div class="form-text" id="{label_for}_aide">{field.help_text}</div>' if field.help_text else ""
    errors = field.errors
    error = (
        f'<div class="invalid-feedback d-block" id="{label_for}_erreur">'
        + "<br>".join(str(conditional_escape(str(e))) for e in errors)
        + "</div>"
        if errors
        else ""
    )
    return f"{head}\n  {help_}\n  {error}\n</div>\n"


@register.simple_tag
def filter_fields(form: Any) -> SafeString:
    """The dashboards' grid of filters, as `dashboard.html`'s loop over `form.filter_fields`
    including `form_field.html` wrote it (issue 19, `BENCH requests_dashboard`: a dozen
    includes were a tenth of the request's CPU); `referrals/tests/test_table_rows.py` compares
    both, errors and help included."""
    return mark_safe(  # noqa: S308 - labels, ids and errors escaped above; the widget is Django's
        "".join(
            f'<div class="col-sm-6 col-xl-3">{_field(field)}</div>\n    ' for field in form.filter_fields()
        )
    )
