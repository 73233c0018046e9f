"""The memo panel's items, rendered in Python (issue 15, `BENCH memos_dossier`).

Through the template, each memo's card — a dozen lookups and filters, two `{% url %}`, a
`{% csrf_token %}` and a loop over its shares — was most of the panel's time. Here each value
is escaped as the template's autoescape does (`html.escape`, which `django.utils.html.escape`
is, without its lazy-string wrapper), the links are built from patterns reversed once
(`core.paths.uuid_path`), and the HTML is the former loop's, to the character
(`memos/tests/test_memo_items.py` compares both).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString, mark_safe

from cordee.core.csrf import csrf_input
from cordee.core.paths import uuid_path
from cordee.core.templatetags.cordee import moment
from cordee.memos.models import Memo, Visibility

register = template.Library()

_LABELS = dict(Visibility.choices)
NO_MEMBER = '<p class="small text-body-secondary">Aucun membre habilité dans le cercle de soins.</p>'
_BADGES: dict[str, str] = {Visibility.PUBLIC: "text-bg-light", Visibility.SHARED: "text-bg-info"}


def _text(value: str) -> str:
    """`|linebreaksbr` of a text read from the database (not marked safe): escaped, then each
    line break (\\r\\n, \\r or \\n) a `<br>`."""
    return escape(value.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _item(memo: Memo, may_change: bool, dossier: Any, csrf: str) -> str:
    title = escape(memo.title)
    visibility = memo.visibility
    author = memo.created_by
    structure = memo.structure
    by = escape(author.display_name) if author is not None else ""
    if structure is not None:
        by += f" ({escape(structure.name)})"
    by += f", le {escape(moment(memo.created_at))}"
    if memo.version > 1:
        by += f" — modifié le {escape(moment(memo.updated_at))}"
    if visibility == Visibility.SHARED:
        by += " — partagé avec " + ", ".join(escape(name) for name in memo.share_names)  # type: ignore[attr-defined]
    actions = ""
    if may_change:
        public_id = memo.public_id
        actions = (
            '<div class="d-flex flex-wrap gap-2 small mt-1">\n      '
            f'<a href="{escape(uuid_path("memos:edit", dossier, public_id))}"><i class="bi bi-pencil" '
            'aria-hidden="true"></i> Modifier<span class="visually-hidden"> le mémo '
            f"{title}</span></a>\n      "
            f'<form method="post" action="{escape(uuid_path("memos:delete", dossier, public_id))}" '
            f'data-confirm="Supprimer le mémo « {title} » ?">{csrf}<input type="hidden" name="version" '
            f'value="{memo.version}"><button type="submit" class="btn btn-link btn-sm p-0 text-danger">'
            '<i class="bi bi-trash" aria-hidden="true"></i> Supprimer<span class="visually-hidden"> le mémo '
            f"{title}</span></button></form>\n    </div>"
        )
    return (
        f'\n  <li class="memo card mb-2" id="memo-{memo.public_id}"><div class="card-body py-2">'
        '\n    <div class="d-flex flex-wrap justify-content-between gap-2">'
        f'\n      <h3 class="h6 mb-1"><i class="bi bi-sticky" aria-hidden="true"></i> {title}</h3>'
        f'\n      <span class="badge {_BADGES.get(visibility, "text-bg-secondary")}">'
        f"{escape(str(_LABELS.get(visibility, visibility)))}</span>"
        "\n    </div>"
        f'\n    <div class="mb-1">{_text(memo.text)}</div>'
        f'\n    <p class="small text-body-secondary mb-0">Par {by}</p>'
        f"\n    {actions}"
        "\n  </div></li>"
    )


@register.simple_tag(takes_context=True)
def memo_items(context: template.Context) -> SafeString:
    """The `<li>` of each (memo, may change) of `memos`, as `_memo_list.html`'s loop wrote them."""
    csrf = csrf_input(context)
    dossier = context["patient"].public_id
    items = "".join(_item(memo, may_change, dossier, csrf) for memo, may_change in context["memos"])
    return mark_safe(items)  # noqa: S308 - every value above is escaped


@register.simple_tag
def share_inputs(field: BoundField, prefix: object = "") -> SafeString:
    """The memo dialog's "Partagé avec" checkboxes, as `_memo_fields.html`'s loop over the
    field's subwidgets wrote them (a circle holds dozens of members): the same choices, read by
    the field's own iterator (the same query), the same ids (`<id>_<index>`, after `prefix`)
    and the same checked ones (the field's value, as the widget formats it)."""
    widget = field.field.widget
    chosen = set(widget.format_value(field.value()))
    base = widget.attrs.get("id") or field.auto_id
    name = escape(field.html_name)
    before = escape(str(prefix))
    items = []
    for index, (value, label) in enumerate(widget.choices):
        option = "" if value is None else str(value)
        given = escape(f"{base}_{index}" if base else "None")
        items.append(
            '<div class="form-check">\n    <input class="form-check-input" type="checkbox" '
            f'name="{name}" id="{before}{given}" value="{escape(option)}"'
            f'{" checked" if option in chosen else ""}>\n    <label class="form-check-label" '
            f'for="{before}{given}">{escape(str(label))}</label>\n  </div>'
        )
    if not items:
        return mark_safe(NO_MEMBER)  # noqa: S308 - a constant
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped
