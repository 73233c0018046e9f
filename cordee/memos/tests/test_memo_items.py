"""Issue 15 (speed): the memo panel's items written in Python (`{% memo_items %}`) are the HTML
the template's loop wrote, to the character — public, shared (with several members) and private
memos, edited or not, with and without the author's structure, changeable or not, a title and a
text with characters to escape and every kind of line break."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Prefetch
from django.template import Context, Template
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.memos.models import Memo, MemoShare
from cordee.memos.services import MemoInput, create_memo
from cordee.memos.templatetags.memos import memo_items
from cordee.memos.views import _shown
from cordee.patients.models import Patient

pytestmark = pytest.mark.django_db

# The loop `_memo_list.html` had before the items were written in Python (main 8357163).
REFERENCE = """{% load cordee %}{% for memo, may_change in memos %}
  <li class="memo card mb-2" id="memo-{{ memo.public_id }}"><div class="card-body py-2">
    <div class="d-flex flex-wrap justify-content-between gap-2">
      <h3 class="h6 mb-1"><i class="bi bi-sticky" aria-hidden="true"></i> {{ memo.title }}</h3>
      <span class="badge {% if memo.visibility == 'PUBLIC' %}text-bg-light{% elif memo.visibility == 'SHARED' %}text-bg-info{% else %}text-bg-secondary{% endif %}">{{ memo.get_visibility_display }}</span>
    </div>
    <div class="mb-1">{{ memo.text|linebreaksbr }}</div>
    <p class="small text-body-secondary mb-0">Par {{ memo.created_by.display_name }}{% if memo.structure %} ({{ memo.structure.name }}){% endif %}, le {{ memo.created_at|moment }}{% if memo.version > 1 %} — modifié le {{ memo.updated_at|moment }}{% endif %}{% if memo.visibility == "SHARED" %} — partagé avec {% for share in memo.shares.all %}{{ share.member.display_name }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}</p>
    {% if may_change %}<div class="d-flex flex-wrap gap-2 small mt-1">
      <a href="{% url 'memos:edit' patient.public_id memo.public_id %}"><i class="bi bi-pencil" aria-hidden="true"></i> Modifier<span class="visually-hidden"> le mémo {{ memo.title }}</span></a>
      <form method="post" action="{% url 'memos:delete' patient.public_id memo.public_id %}" data-confirm="Supprimer le mémo « {{ memo.title }} » ?">{% csrf_token %}<input type="hidden" name="version" value="{{ memo.version }}"><button type="submit" class="btn btn-link btn-sm p-0 text-danger"><i class="bi bi-trash" aria-hidden="true"></i> Supprimer<span class="visually-hidden"> le mémo {{ memo.title }}</span></button></form>
    </div>{% endif %}
  </div></li>{% endfor %}"""  # noqa: E501


def test_the_items_are_the_templates_to_the_character(
    dossier: Patient, acting: Actor, colleague: User, structure: Structure, django_assert_num_queries: Any
) -> None:
    structure.name = "DAC <Nice> & « Côte »"
    structure.save()
    colleague.last_name, colleague.first_name = "O'Brien", 'Zoé "Z"'
    colleague.save()
    chosen = CircleMember.objects.get(patient=dossier, user=colleague)
    other, _ = CircleMember.objects.update_or_create(
        patient=dossier, structure=structure, defaults={"is_habilitated": True}
    )
    text = "Ligne 1 <b>&</b>\r\nLigne 2 \"x\"\rLigne 3\nfin 'ici'"
    create_memo(acting, dossier, MemoInput("Accès <5e> & « étage »", text, "PUBLIC"))
    create_memo(acting, dossier, MemoInput("Partagé", "Deux personnes", "SHARED", (chosen, other)))
    create_memo(acting, dossier, MemoInput("Interne", "Staff lundi", "PRIVATE"))
    create_memo(Actor(colleague), dossier, MemoInput("Kiné", "Séances\n\nle mardi", "SHARED", (chosen,)))
    edited = Memo.objects.get(title="Interne")
    Memo.objects.filter(pk=edited.pk).update(version=3, updated_at=timezone.now())
    # The reference reads the shares as the former view did (prefetched); the tag the view's rows.
    former = list(
        Memo.objects.filter(patient=dossier)
        .select_related("created_by", "structure")
        .prefetch_related(
            Prefetch(
                "shares",
                queryset=MemoShare.objects.select_related("member__user", "member__structure").order_by("pk"),
            )
        )
        .order_by("title")
    )
    with django_assert_num_queries(2):  # the memos, their shares' names
        rows = _shown(Memo.objects.filter(patient=dossier).order_by("title"))
    assert [memo.pk for memo in rows] == [memo.pk for memo in former] and len(rows) == 4
    reference = Template(REFERENCE)
    written = ""
    for token in ("jeton&<", "NOTPROVIDED", None):
        for parity in (0, 1):
            values: dict[str, Any] = {"patient": dossier, "csrf_token": token}
            mine = [(memo, index % 2 == parity) for index, memo in enumerate(rows)]
            theirs = [(memo, index % 2 == parity) for index, memo in enumerate(former)]
            with django_assert_num_queries(0):
                text = memo_items(Context({**values, "memos": mine}))
            assert text == reference.render(Context({**values, "memos": theirs}))
            written += text
    # The branches were taken.
    assert "csrfmiddlewaretoken" in written and "Modifier<span" in written
    for seen in (
        "&lt;b&gt;&amp;&lt;/b&gt;<br>Ligne 2 &quot;x&quot;<br>Ligne 3<br>fin &#x27;ici&#x27;",
        "Séances<br><br>le mardi",
        "— modifié le",
        "partagé avec O&#x27;BRIEN Zoé &quot;Z&quot;, DAC &lt;Nice&gt; &amp; « Côte »",
        "text-bg-secondary",
        "Supprimer le mémo « Accès &lt;5e&gt; &amp; « étage » » ?",
        'value="jeton&amp;&lt;"',
    ):
        assert seen in written


SHARES = """{% for choice in form.shared_with %}<div class="form-check">
    <input class="form-check-input" type="checkbox" name="{{ form.shared_with.html_name }}" id="{{ prefix }}{{ choice.id_for_label }}" value="{{ choice.data.value }}"{% if choice.data.selected %} checked{% endif %}>
    <label class="form-check-label" for="{{ prefix }}{{ choice.id_for_label }}">{{ choice.choice_label }}</label>
  </div>{% empty %}<p class="small text-body-secondary">Aucun membre habilité dans le cercle de soins.</p>{% endfor %}"""  # noqa: E501


def test_the_share_checkboxes_are_the_templates_to_the_character(
    dossier: Patient, acting: Actor, colleague: User, structure: Structure
) -> None:
    from django.http import QueryDict

    from cordee.memos.forms import MemoEditForm, MemoForm
    from cordee.memos.services import share_choices
    from cordee.memos.templatetags.memos import share_inputs
    from cordee.memos.views import MEMBER_SHOWN

    colleague.last_name = "O'Brien <Z>"
    colleague.save()
    chosen = CircleMember.objects.get(patient=dossier, user=colleague)
    CircleMember.objects.update_or_create(
        patient=dossier, structure=structure, defaults={"is_habilitated": True}
    )
    reference = Template(SHARES)
    members = share_choices(dossier).only(*MEMBER_SHOWN)
    forms = [
        MemoForm(None, members=members, acting_as_structure=True),
        MemoForm(
            QueryDict(f"title=x&text=y&visibility=SHARED&shared_with={chosen.public_id}"),
            members=members,
            acting_as_structure=True,
        ),
        MemoEditForm(
            None, members=members, acting_as_structure=False, initial={"shared_with": [chosen.public_id]}
        ),
        MemoForm(None, members=CircleMember.objects.none(), acting_as_structure=True),
    ]
    written = []
    for form in forms:
        for prefix in ("dialogue-", ""):
            text = share_inputs(form["shared_with"], prefix)
            assert text == reference.render(Context({"form": form, "prefix": prefix}))
            written.append(text)
    assert "O&#x27;BRIEN &lt;Z&gt;" in written[0] and " checked" not in written[0]
    assert written[2].count(" checked") == 1 and written[4].count(" checked") == 1
    assert 'id="dialogue-id_shared_with_1"' in written[0] and "Aucun membre habilité" in written[6]
