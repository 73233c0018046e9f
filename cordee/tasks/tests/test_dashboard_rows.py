"""TSK-4 (speed): the dashboard's rows written in Python (`{% task_rows %}`, from plain values) are
the HTML the template's loop wrote from model instances, to the character — on rows that take
every branch: overdue or not (open or closed), a questionnaire or none, of a reserved theme or
sub-theme, documents or none (one, several), recipients persons, nameless persons, structures or
none, an action or none, a long comment with combining accents and characters to escape, a
dossier known by a used name."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Prefetch
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from cordee.accounts.models import User
from cordee.pathways.models import Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskLevel, TaskRecipient, TaskStatus, TaskType
from cordee.tasks.views import ROW_DOCUMENTS, _rows

from .helpers import actor_for, make_task, member_row

pytestmark = pytest.mark.django_db

# The loop `_dashboard_results.html` had before the rows were written in Python.
REFERENCE = """{% load cordee %}{% for task in page.object_list %}
  <tr{% if task.is_overdue %} class="table-danger"{% endif %}>
    <td data-label="Niveau">{{ task.level }}</td>
    <td data-label="Libellé"><a href="{% path 'tasks:edit' task.patient.public_id task.public_id %}">{{ task.label }}</a><div class="small text-body-secondary">{{ task.task_type }}</div></td>
    <td data-label="Patient"><a href="{% path 'patients:detail' task.patient.public_id %}">{{ task.patient.display_name }}</a></td>
    <td data-label="Questionnaire" class="small card-more">{% if task.form %}{% if task.form.theme.is_restricted or task.form.theme.parent.is_restricted %}Questionnaire d'une thématique réservée{% else %}<a href="{% path 'pathways:form' task.patient.public_id task.form.public_id %}">{{ task.form.questionnaire_version.questionnaire.title }}</a>{% endif %}{% else %}—{% endif %}</td>
    <td data-label="Actions" class="small card-more">{{ task.action|default:"—" }}</td>
    <td data-label="Commentaire" class="small card-more">{{ task.comment|truncatechars:80|default:"—" }}</td>
    <td data-label="Documents" class="small card-more">{% if task.joined_documents %}<a href="{% path 'tasks:edit' task.patient.public_id task.public_id %}#documents"><i class="bi bi-paperclip" aria-hidden="true"></i> {{ task.joined_documents }} document{{ task.joined_documents|pluralize }}</a>{% else %}—{% endif %}</td>
    <td data-label="Date d'échéance">{{ task.due_at|moment }}{% if task.is_overdue %} <span class="badge text-bg-danger">En retard</span>{% endif %}</td>
    <td data-label="Destinataires" class="small card-more">{% for r in task.recipients.all %}{% if r.user %}{{ r.user.display_name }}{% else %}{{ r.structure.name }}{% endif %}{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
    <td data-label="Statut">{% include "tasks/_status_button.html" with patient=task.patient %} <button type="button" class="btn btn-sm btn-link card-more-toggle" data-card-more aria-expanded="false">Plus de détails<span class="visually-hidden"> sur « {{ task.label }} »</span></button></td>
  </tr>
  {% endfor %}"""  # noqa: E501
DAYS = datetime.timedelta(days=1)
PDF = b"%PDF-1.4 compte rendu"


class _Page:
    def __init__(self, object_list: list[Any]) -> None:
        self.object_list = object_list


def _instances(ids: list[int]) -> list[Task]:
    """The page's tasks as the view read them before: instances and their related objects."""
    rows = (
        Task.objects.filter(pk__in=ids)
        .select_related("task_type", "level", "patient", "form__questionnaire_version__questionnaire")
        .select_related("form__theme__parent")
        .prefetch_related(
            Prefetch("recipients", queryset=TaskRecipient.objects.select_related("user", "structure"))
        )
        .annotate(joined_documents=ROW_DOCUMENTS)
    )
    by_id = {task.pk: task for task in rows}
    return [by_id[pk] for pk in ids]


def _both(ids: list[int], csrf: str | None) -> tuple[str, str]:
    request = RequestFactory().get("/taches/", {"motif": "l'<a>", "statut": ["TODO", "DONE"]})
    context: dict[str, Any] = {"request": request}
    if csrf is not None:
        context["csrf_token"] = csrf
    reference = Template(REFERENCE).render(Context({**context, "page": _Page(_instances(ids))}))
    rows = Template("{% load tasks %}{% task_rows %}").render(Context({**context, "page": _Page(_rows(ids))}))
    return reference, rows


@pytest.fixture
def many(coordinator, structure, dossier, client_for) -> list[int]:
    me = actor_for(coordinator, structure)
    used = create_test_patient(
        coordinator, structure, birth_name="Zola", used_name="Bernard", first_name="Anne"
    )
    used.used_first_name = "Annie"
    used.save()
    person, ours = member_row(dossier, user=coordinator), member_row(dossier, structure=structure)
    tasks = [
        make_task(me, dossier, 'Rappeler <la> "PMI" & l\'école', due_in=-2 * DAYS, action="Action 1 — aide"),
        make_task(me, dossier, "En cours, en retard", status=TaskStatus.IN_PROGRESS, due_in=-DAYS),
        make_task(me, dossier, "Traitée", status=TaskStatus.DONE, due_in=-DAYS, recipients=[person, ours]),
        make_task(me, used, "Annulée", status=TaskStatus.CANCELLED, level="Urgent", due_in=3 * DAYS),
        make_task(me, dossier, "Pour plus tard", recipients=[ours], level="Information", due_in=40 * DAYS),
    ]
    long = "Appeler l’écolé " * 4 + "<b>fin</b> & « suite »"  # combining accent, over 80 characters
    Task.objects.filter(pk=tasks[0].pk).update(comment=long)
    Task.objects.filter(pk=tasks[1].pk).update(comment="Court & <net>")
    # Questionnaires: a plain one, one of a reserved theme, one of a reserved theme's sub-theme.
    plain = make_form(make_questionnaire(code="q-plain", title="Cahier « <suivi> »"), dossier)
    Theme.objects.filter(code__in=["sante-mentale", "cocon"]).update(is_restricted=True)
    reserved = make_form(make_questionnaire(code="q-res", theme="sante-mentale"), dossier)
    sub = make_form(make_questionnaire(code="q-sub", theme="cocon-inclusion"), dossier)
    for task, form in zip(tasks[:3], [plain, reserved, sub], strict=True):
        Task.objects.filter(pk=task.pk).update(form=form)
    # Documents: two on one task, one on another (joined as the task's form joins them).
    acting = client_for(coordinator, acting_as=structure)
    create = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    for label, names in (("Deux pièces", ["a.pdf", "b.pdf"]), ("Une pièce", ["c.pdf"])):
        data = {
            "task_type": TaskType.objects.get(label="Relance").pk,
            "label": label,
            "level": TaskLevel.objects.get(label="Important").pk,
            "status": "TODO",
            "due_at": "2030-01-04T09:30",
            "documents": [SimpleUploadedFile(name, PDF, content_type="application/pdf") for name in names],
        }
        assert acting.post(create, data).status_code == 302
    ids = list(Task.objects.order_by("due_at", "pk").values_list("pk", flat=True))
    assert len(ids) == 7
    return ids


def test_the_rows_are_the_templates_to_the_character(many) -> None:
    reference, rows = _both(many, "jeton-csrf")
    assert rows == reference
    shown = ["table-danger", "En retard", "réservée", "Cahier « &lt;suivi&gt; »"]
    shown += ["2 documents", "1 document<"]
    assert all(needle in rows for needle in shown)
    assert "BERNARD Annie (né(e) ZOLA)" in rows and "&lt;la&gt; &quot;PMI&quot; &amp; l&#x27;école" in rows
    assert "motif=l%27%3Ca%3E&amp;statut=TODO&amp;statut=DONE" in rows


def test_nameless_persons_and_no_csrf_token_alike(many, coordinator) -> None:
    User.objects.filter(pk=coordinator.pk).update(last_name="", first_name="")
    for csrf in (None, "NOTPROVIDED"):
        reference, rows = _both(many, csrf)
        assert rows == reference
        assert "coordinatrice" in rows and "csrfmiddlewaretoken" not in rows


def test_an_empty_page_writes_no_row() -> None:
    assert _both([], "jeton") == ("", "")
