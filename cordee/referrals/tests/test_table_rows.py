"""Issue 19 (speed): the dashboards' rows written in Python (`{% referral_rows %}`) are the HTML
the template's loop wrote, to the character — for the team and for "Mes demandes", on rows that
take every branch: a dossier or traits or nothing, validated / cancelled, the first and last
steps, with or without commune, zones, assignee, service, answer; a long detail with combining
accents and characters to escape; a day that is the next one in Paris."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Max, Min
from django.http import QueryDict
from django.template import Context, Template

from cordee.accounts.models import Membership
from cordee.core.actor import Actor
from cordee.patients.testing import create_test_patient
from cordee.referrals.dashboard import DashboardForm, MineForm, _columns, _place
from cordee.referrals.models import Motif, Referral, SpecialisedService, Step
from cordee.referrals.services import NewReferral, create_referral
from cordee.referrals.templatetags.referrals import filter_fields, referral_rows
from cordee.referrals.tests.conftest import Scene
from cordee.territory.models import Commune, Zone

pytestmark = pytest.mark.django_db

# The loop `_table.html` had before the rows were written in Python (commit a3fd8ae).
REFERENCE = """{% for r in page.object_list %}
  <tr>
    <td data-label="Identifiant">{{ r.number }}</td>
    <td data-label="Patient">{{ r.patient_label }}</td>
    <td data-label="Étape">{{ r.step.label }}{% if r.status != 'OPEN' %} <span class="badge text-bg-{% if r.status == 'CANCELLED' %}secondary{% else %}success{% endif %}">{{ r.get_status_display }}</span>{% endif %}</td>
    <td data-label="Date de la demande">{{ r.created_at|date:"d/m/Y" }}</td>
    <td data-label="{% if is_team %}Demandeur / Orienteur{% else %}Équipe ressource{% endif %}">{% if is_team %}{{ r.requester.display_name }}{% if r.requester_structure %} ({{ r.requester_structure.name }}){% endif %}{% else %}{{ r.team.name }}{% endif %}</td>
    <td data-label="Détail de la demande">{{ r.detail|truncatechars:80 }}</td>
    <td data-label="Date réponse">{{ r.answered_at|date:"d/m/Y"|default:"—" }}</td>
    <td data-label="Zone géographique">{% for z in r.commune.zones.all %}{{ z.name }}{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
    <td data-label="Affecté à">{{ r.assignee.display_name|default:"—" }}</td>
    <td data-label="Externe au DAC">{{ r.external|yesno:"Oui,Non" }}</td>
    <td data-label="Service spécialisé">{{ r.specialised_service.label|default:"—" }}</td>
    <td data-label="Actions"><div class="d-flex flex-wrap gap-1">
      <a class="btn btn-sm btn-outline-primary" href="{% url 'referrals:detail' r.public_id %}" title="Ouvrir"><i class="bi bi-plus-lg" aria-hidden="true"></i><span class="visually-hidden">Ouvrir la demande {{ r.number }}</span></a>
      {% if is_team and r.status != 'CANCELLED' %}{% url 'referrals:row_action' r.public_id as row_url %}
      {% if r.step.ordering > steps.first %}<form method="post" action="{{ row_url }}" hx-post="{{ row_url }}" hx-target="#resultats">{% csrf_token %}<input type="hidden" name="action" value="previous"><input type="hidden" name="version" value="{{ r.version }}"><input type="hidden" name="query" value="{{ here }}"><button class="btn btn-sm btn-outline-secondary" type="submit" id="precedente-{{ r.public_id }}" title="Étape précédente"><i class="bi bi-arrow-up" aria-hidden="true"></i><span class="visually-hidden">Revenir à l'étape précédente de la demande {{ r.number }}</span></button></form>{% endif %}
      {% if r.step.ordering < steps.last %}<form method="post" action="{{ row_url }}" hx-post="{{ row_url }}" hx-target="#resultats">{% csrf_token %}<input type="hidden" name="action" value="next"><input type="hidden" name="version" value="{{ r.version }}"><input type="hidden" name="query" value="{{ here }}"><button class="btn btn-sm btn-outline-secondary" type="submit" id="suivante-{{ r.public_id }}" title="Étape suivante"><i class="bi bi-arrow-down" aria-hidden="true"></i><span class="visually-hidden">Passer à l'étape suivante de la demande {{ r.number }}</span></button></form>{% endif %}
      <button class="btn btn-sm btn-outline-danger" type="button" title="Annuler" data-bs-toggle="modal" data-bs-target="#annulation" data-dialog-action="{{ row_url }}" data-dialog-title="Annuler la demande {{ r.number }}" data-dialog-version="{{ r.version }}" data-dialog-query="{{ here }}"><i class="bi bi-x-lg" aria-hidden="true"></i><span class="visually-hidden">Annuler la demande {{ r.number }}</span></button>
      {% endif %}
    </div></td>
  </tr>
  {% endfor %}"""  # noqa: E501


class _Page:
    def __init__(self, rows: list[Referral]) -> None:
        self.object_list = rows


def _rows(scene: Scene) -> None:
    actor = Actor(scene.gp, Membership.objects.get(user=scene.gp, structure=scene.practice))
    nice = Commune.objects.get(code="06088")
    for name in ("Zone <Est> & « Nice »", "Alpes-Maritimes"):
        Zone.objects.create(name=name).communes.add(nice)
    motif = Motif.objects.get(code="situation-complexe")
    long_detail = 'Aidant « épuisé » <b>&</b> "urgent" — l\'équipe ' + "e\u0301" * 40 + " suite " * 12
    made = [
        create_referral(
            actor, NewReferral(team=scene.team, motif=motif, detail="Appui", patient=p, commune=nice)
        )
        for p in [create_test_patient(scene.gp, scene.practice)]
    ]
    made.append(
        create_referral(
            actor,
            NewReferral(
                team=scene.team,
                motif=motif,
                detail=long_detail,
                birth_name="O'Brien <x>",
                first_name="Zoé",
                birth_date=datetime.date(1940, 5, 2),
            ),
        )
    )
    made.append(create_referral(actor, NewReferral(team=scene.team, motif=motif, detail="x" * 81)))
    steps = list(Step.objects.order_by("ordering"))
    late = datetime.datetime(2026, 3, 28, 23, 30, tzinfo=datetime.UTC)  # the 29th in Paris
    Referral.objects.filter(pk=made[0].pk).update(
        status=Referral.Status.VALIDATED,
        step=steps[1],
        assignee=scene.member,
        specialised_service=SpecialisedService.objects.first(),
        external=True,
        answered_at=late,
        created_at=late,
    )
    Referral.objects.filter(pk=made[1].pk).update(status=Referral.Status.CANCELLED, step=steps[-1])
    Referral.objects.filter(pk=made[2].pk).update(step=steps[-1], requester_structure=None)


def test_the_rows_are_the_templates_to_the_character(scene: Scene, django_assert_num_queries: Any) -> None:
    _rows(scene)
    steps = Step.objects.aggregate(first=Min("ordering"), last=Max("ordering"))
    reference = Template(REFERENCE)
    for is_team in (True, False):
        rows = list(_columns(Referral.objects.filter(team=scene.team), team=is_team).order_by("number"))
        assert len(rows) == 3
        values: dict[str, Any] = {
            "page": _Page(rows),
            "is_team": is_team,
            "steps": steps,
            "here": 'statut=en-cours&patient=<b>"O\'Brien"',
            "csrf_token": "jeton&<",
        }
        written = referral_rows(Context(values))
        assert written == reference.render(Context(values))
        # The dashboards' own reading: the columns shown only, the steps, communes and zones by
        # `_place` — the same rows, and not one query more to write them.
        read = list(_columns(Referral.objects.filter(team=scene.team), team=is_team).order_by("number"))
        with django_assert_num_queries(3):  # steps, communes, zones
            zones = _place(read)
        with django_assert_num_queries(0):
            again = referral_rows(Context({**values, "page": _Page(read), "zones": zones}))
        assert again == written
        # The branches were taken.
        for seen in (
            "Validée",
            "Annulée",
            "Alpes-Maritimes, Zone &lt;Est&gt; &amp; « Nice »",
            "29/03/2026",
            "…",
        ):
            assert seen in written
        assert ("precedente-" in written) is is_team and ("suivante-" in written) is is_team


# The filters' loop `dashboard.html` had before `{% filter_fields %}`.
FIELDS = (
    "{% for field in form.filter_fields %}"
    '<div class="col-sm-6 col-xl-3">{% include "form_field.html" with field=field %}</div>\n    '
    "{% endfor %}"
)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "tous=1&etape=sollicitation&statut=annulees&affecte=personne",
        # Errors next to their fields (a date range backwards, not a number, a label to escape).
        "tous=1&debut=02/01/2026&fin=01/01/2026&identifiant=<b>&patient=%22O'Brien%22&reponse=31/02/2026",
    ],
)
def test_the_filters_are_the_templates_to_the_character(scene: Scene, query: str) -> None:
    reference = Template(FIELDS)
    members = [(str(scene.member.public_id), "MEMBRE <Marc> & « Co »"), ("x", "Autre")]
    for form in (
        DashboardForm(QueryDict(query) if query else None, members=members),
        MineForm(QueryDict(query) if query else None, requester=scene.gp),
    ):
        if query:
            form.is_valid()
        written = filter_fields(form)
        assert written == reference.render(Context({"form": form}))
        assert 'for="id_etape"' in written and ("invalid-feedback" in written) is ("<b>" in query)


def test_a_field_s_other_branches_are_the_templates_too() -> None:
    """The branches the dashboards' filters do not take today: a checkbox, a help text (shown as
    written, `|safe`), a required mark, several errors."""
    from django import forms

    from cordee.referrals.templatetags.referrals import _field

    class Sample(forms.Form):
        urgent = forms.BooleanField(label="Urgent <b>", help_text="Cochez <em>si</em> besoin", required=True)
        name = forms.CharField(label="Nom", help_text="Votre nom", max_length=3)

    reference = Template('{% include "form_field.html" with field=field %}')
    for data in (None, {"name": "trop long"}):
        form = Sample(data)
        form.is_valid()
        if data:
            form.add_error("name", "Deuxième erreur <i>")
        for name in ("urgent", "name"):
            assert _field(form[name]) == reference.render(Context({"field": form[name]}))
