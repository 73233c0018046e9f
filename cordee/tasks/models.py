"""TSK: the circle's to-do list — tasks, their recipients and the history of every change."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cordee.core.models import BaseModel


class TaskType(models.Model):
    """Configurable list of task types."""

    label = models.CharField("type", max_length=100, unique=True)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "type de tâche"
        verbose_name_plural = "types de tâche"

    def __str__(self) -> str:
        return self.label


class TaskLevel(models.Model):
    """Configurable levels (Information, Important, Urgent…); `rank` orders them by weight."""

    label = models.CharField("niveau", max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField("rang", default=0)

    class Meta:
        ordering = ["rank", "label"]
        verbose_name = "niveau de tâche"
        verbose_name_plural = "niveaux de tâche"

    def __str__(self) -> str:
        return self.label


class TaskStatus(models.TextChoices):
    TODO = "TODO", "À traiter"
    IN_PROGRESS = "IN_PROGRESS", "En cours"
    DONE = "DONE", "Traité"
    CANCELLED = "CANCELLED", "Annulé"


# TSK-2: clicking the status moves it along the seed's cycle.
NEXT_STATUS = {
    TaskStatus.TODO: TaskStatus.IN_PROGRESS,
    TaskStatus.IN_PROGRESS: TaskStatus.DONE,
    TaskStatus.DONE: TaskStatus.CANCELLED,
    TaskStatus.CANCELLED: TaskStatus.TODO,
}
OPEN_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)


class Task(BaseModel):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="tasks")
    task_type = models.ForeignKey(TaskType, verbose_name="type", on_delete=models.PROTECT)
    label = models.CharField("libellé", max_length=200)
    level = models.ForeignKey(TaskLevel, verbose_name="niveau", on_delete=models.PROTECT)
    status = models.CharField("statut", max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO)
    due_at = models.DateTimeField("date d'échéance")
    comment = models.TextField("commentaire", blank=True)
    # TSK-4: the booklet's "Actions" column and "Action(s)" filter show, next to the
    # "Questionnaire" column, the action of the personalised plan (PPCS: problèmes → objectifs →
    # actions) the task carries out ("Bilan du PPCS" — "PPCS" — "Action …"). Until plans exist
    # as questionnaires, the action is named here by hand; empty when the task belongs to none.
    action = models.CharField("action du plan", max_length=200, blank=True)
    # TSK-1: the questionnaire of the dossier the task is about (e.g. a notebook to complete).
    form = models.ForeignKey(
        "pathways.FormResponse",
        verbose_name="questionnaire lié",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="créée au nom de",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # DOS-6: one task common to linked dossiers shares this id across their copies.
    common_id = models.UUIDField("tâche commune", null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = "tâche"
        indexes = [
            models.Index(fields=["patient", "status", "due_at"], name="task_patient_idx"),
            models.Index(fields=["status", "due_at"], name="task_status_due_idx"),
            # TSK-4 "Zones géographiques" + "Échéance": the open tasks of each dossier of the
            # zone, by due date (a quarter of the rows of `task_patient_idx`).
            models.Index(
                fields=["patient", "due_at"],
                condition=Q(status__in=["TODO", "IN_PROGRESS"]),
                name="task_open_patient_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def is_read_only(self) -> bool:
        """TSK-2: a "Traité" task is read-only until set back."""
        return self.status == TaskStatus.DONE


class TaskRecipient(models.Model):
    """A person or a structure of the circle the task is addressed to.

    Each row also carries its task's dossier, whether the task is open and when it is due, copied
    from the task by `tasks.services` on every write: the rows of one addressee, open, in due
    order, are then an index of their own — the dashboard's "my open tasks, soonest first"
    reads its first page from it instead of walking all the region's open tasks (TSK-4 at
    regional scale).
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The task's dossier (a task never changes dossier): visibility and zone are tested on the
    # inbox's own index, without reading the task.
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="+", db_index=False, editable=False
    )
    task_open = models.BooleanField("tâche ouverte", default=True, editable=False)
    task_due_at = models.DateTimeField("échéance de la tâche", editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(structure__isnull=True))
                | (Q(user__isnull=True) & Q(structure__isnull=False)),
                name="task_recipient_person_or_structure",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "task"], name="task_recipient_user_idx"),
            models.Index(fields=["structure", "task"], name="task_recipient_structure_idx"),
            # The inboxes: an addressee's open tasks in due order.
            models.Index(
                fields=["user", "task_due_at", "task", "patient"],
                condition=Q(task_open=True, user__isnull=False),
                name="task_inbox_user_idx",
            ),
            models.Index(
                fields=["structure", "task_due_at", "task", "patient"],
                condition=Q(task_open=True, structure__isnull=False),
                name="task_inbox_structure_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user or self.structure)

    @classmethod
    def follow(cls, task: Task) -> None:
        """Copy the task's openness and due date onto its recipient rows."""
        cls.objects.filter(task=task).update(task_open=task.is_open, task_due_at=task.due_at)


class TaskChange(models.Model):
    """TSK-2: every change of a task, kept ("Annulé" keeps the history too)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.description
