"""DIR-2: a run of the import, by the command or by the task worker after an upload."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cordee.directory.annuaire import ExtractError
from cordee.directory.importer import Importer, ImportReport
from cordee.directory.models import DirectoryImport
from cordee.territory.models import Departement

PROGRESS_EVERY_LINES = 20000


def parse_departements(text: str) -> frozenset[str] | None:
    """ "04,05,06" → the set of codes; empty → None (the whole file). Unknown codes are refused."""
    codes = [code.strip().upper() for code in re.split(r"[,;\s]+", text or "") if code.strip()]
    if not codes:
        return None
    if len(codes) > 120 or any(len(code) > 3 for code in codes):
        raise ValueError("Liste de départements invalide.")
    known = set(Departement.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValueError(f"Département(s) inconnu(s) : {', '.join(unknown)}.")
    return frozenset(codes)


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"Lignes lues : {report.lines} (hors des départements demandés : {report.out_of_scope})",
        f"Professionnels : {report.new} nouveaux, {report.updated} mis à jour, "
        f"{report.inactivated} inactivés",
        f"Activités : {report.activities_new} nouvelles, {report.activities_closed} fermées",
        f"Structures : {report.structures_new} nouvelles, {report.structures_updated} mises à jour",
        f"Comptes Cordée reliés par leur numéro RPPS ou ADELI : {report.users_linked}",
        f"Lignes rejetées : {report.rejected}",
    ]
    lines += [f"  ligne {number} : {reason}" for number, reason in report.rejections]
    if report.rejected > len(report.rejections):
        lines.append(f"  … et {report.rejected - len(report.rejections)} autres")
    return lines


@task()
def run_directory_import(import_id: int) -> None:
    """The task worker runs an uploaded import; the page follows `lines_read`."""
    with transaction.atomic():
        run = DirectoryImport.objects.select_for_update().get(pk=import_id)
        if run.status != DirectoryImport.Status.PENDING:
            return
        run.status = DirectoryImport.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at", "updated_at"])
    last = 0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if done - last >= PROGRESS_EVERY_LINES or done == total:
            last = done
            DirectoryImport.objects.filter(pk=run.pk).update(lines_read=done, total_lines=total)

    try:
        departements = parse_departements(run.departements)
        storage, name = run.file.storage, run.file.name
        report = Importer(
            lambda: storage.open(name, "rb"), departements=departements, progress=progress
        ).run()
    except (ExtractError, ValueError) as exc:
        DirectoryImport.objects.filter(pk=run.pk).update(
            status=DirectoryImport.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        return
    except Exception:
        DirectoryImport.objects.filter(pk=run.pk).update(
            status=DirectoryImport.Status.FAILED,
            error="L'import s'est arrêté sur une erreur inattendue ; relancez-le (il reprend sans doublon).",
            finished_at=timezone.now(),
        )
        raise
    DirectoryImport.objects.filter(pk=run.pk).update(
        status=DirectoryImport.Status.DONE,
        finished_at=timezone.now(),
        total_lines=report.total_lines,
        lines_read=report.lines,
        counts=report.counts(),
        rejections=[list(item) for item in report.rejections],
    )
