"""The rows of "Consulter les tâches" (TSK-4), rendered in Python (`BENCH task_dashboard_structure`).

Through the template, each row of the page was ten cells of lookups and filters, three
`{% path %}`, an `{% include %}` of the status button with its `{% csrf_token %}` and
`request.get_full_path`, and the recipients' loop on model instances. Here each value is escaped
as the template's autoescape does (`html.escape`, which `django.utils.html.escape` is, without
its lazy-string wrapper), the links come from patterns reversed once (`core.paths.uuid_path`),
the rows are plain values (`tasks.views.Row`), and the HTML is the template's, to the character
(`tasks/tests/test_dashboard_rows.py` compares both).
"""

from __future__ import annotations

import datetime
from html import escape
from typing import TYPE_CHECKING

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from cordee.core.csrf import csrf_input
from cordee.core.multiselect import multiselect
from cordee.core.paths import uuid_path
from cordee.core.templatetags.cordee import moment
from cordee.tasks.models import OPEN_STATUSES, TaskStatus

if TYPE_CHECKING:
    from cordee.tasks.views import Row

register = template.Library()
# The filters' checkbox lists (zones, types, levels), as "_multiselect.html" writes them.
register.simple_tag(multiselect)

_STATUS_LABELS = dict(TaskStatus.choices)
COMMENT_CHARS = 80
_DANGER = ' class="table-danger"'
_LATE = ' <span class="badge text-bg-danger">En retard</span>'


def _questionnaire(task: Row) -> str:
    if task.form_public_id is None:
        return "—"
    if task.form_restricted:
        return "Questionnaire d'une thématique réservée"
    url = uuid_path("pathways:form", task.patient_public_id, task.form_public_id)
    return f'<a href="{url}">{escape(task.questionnaire_title)}</a>'


def _row(task: Row, now: datetime.datetime, csrf: str, here: str) -> str:
    overdue = task.status in OPEN_STATUSES and task.due_at < now
    edit = uuid_path("tasks:edit", task.patient_public_id, task.public_id)
    advance = uuid_path("tasks:advance", task.patient_public_id, task.public_id)
    label = escape(task.label)
    documents = (
        f'<a href="{edit}#documents"><i class="bi bi-paperclip" aria-hidden="true"></i> '
        f"{task.joined_documents} document{'' if task.joined_documents == 1 else 's'}</a>"
        if task.joined_documents
        else "—"
    )
    comment = escape(Truncator(task.comment).chars(COMMENT_CHARS)) or "—"
    status = escape(_STATUS_LABELS.get(task.status, task.status))
    return (
        f"\n  <tr{_DANGER if overdue else ''}>"
        f'\n    <td data-label="Niveau">{escape(task.level_label)}</td>'
        f'\n    <td data-label="Libellé"><a href="{edit}">{label}</a>'
        f'<div class="small text-body-secondary">{escape(task.type_label)}</div></td>'
        f'\n    <td data-label="Patient"><a href="{uuid_path("patients:detail", task.patient_public_id)}">'
        f"{escape(task.patient_name)}</a></td>"
        f'\n    <td data-label="Questionnaire" class="small card-more">{_questionnaire(task)}</td>'
        f'\n    <td data-label="Actions" class="small card-more">{escape(task.action) or "—"}</td>'
        f'\n    <td data-label="Commentaire" class="small card-more">{comment}</td>'
        f'\n    <td data-label="Documents" class="small card-more">{documents}</td>'
        f'\n    <td data-label="Date d\'échéance">{escape(moment(task.due_at))}'
        f"{_LATE if overdue else ''}</td>"
        f'\n    <td data-label="Destinataires" class="small card-more">'
        f"{', '.join(escape(name) for name in task.recipients) or '—'}</td>"
        # The status button, as "tasks/_status_button.html" writes it without a panel or an error.
        f'\n    <td data-label="Statut">\n<span id="statut-{task.public_id}" class="task-status">'
        f'\n<form method="post" action="{advance}" hx-post="{advance}" hx-target="#statut-{task.public_id}" '
        'hx-swap="outerHTML" class="d-inline">'
        f'\n  {csrf}<input type="hidden" name="version" value="{task.version}">'
        f'<input type="hidden" name="next" value="{here}">'
        f'\n  <button type="submit" class="btn btn-sm status-{escape(task.status.lower())}" '
        f'title="Cliquer pour passer au statut suivant">{status}<span class="visually-hidden"> — passer au '
        f"statut suivant pour « {label} »</span></button>\n</form>\n\n</span>\n "
        '<button type="button" class="btn btn-sm btn-link card-more-toggle" data-card-more '
        'aria-expanded="false">Plus de détails<span class="visually-hidden"> sur « '
        f"{label} »</span></button></td>"
        "\n  </tr>\n  "
    )


@register.simple_tag(takes_context=True)
def task_rows(context: template.Context) -> SafeString:
    """The table's rows of `page.object_list`, as `_dashboard_results.html`'s loop wrote them."""
    csrf = csrf_input(context)
    request = context.get("request")
    here = escape(request.get_full_path()) if request is not None else ""
    now = timezone.now()
    rows = "".join(_row(task, now, csrf, here) for task in context["page"].object_list)
    return mark_safe(rows)  # noqa: S308 - every value above is escaped
