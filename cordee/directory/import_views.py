"""DIR-2: platform administrators upload an extract; the task worker imports it; the page
follows the run (htmx polls the status while it is not finished)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cordee.accounts.registration_views import platform_admin_required
from cordee.core.http import AuthedRequest, wants_partial
from cordee.core.text import clip_to
from cordee.directory.forms import DirectoryImportForm
from cordee.directory.models import DirectoryImport
from cordee.directory.runs import run_directory_import
from cordee.documents.storage import remember, removed_on_failure
from cordee.documents.uploads import SizeLimitUploadHandler


class ExtractUploadHandler(SizeLimitUploadHandler):
    """The extract is far larger than a dossier's document: its own limit, on disk as it comes."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.limit = settings.CORDEE_ANNUAIRE_MAX_UPLOAD_BYTES


@csrf_exempt  # checked below, once the upload handlers are chosen (Django's documented pattern)
def import_list(request: AuthedRequest) -> HttpResponse:
    request.upload_handlers = [ExtractUploadHandler(request), TemporaryFileUploadHandler(request)]
    return _import_list(request)


@csrf_protect
@platform_admin_required
def _import_list(request: AuthedRequest) -> HttpResponse:
    form = DirectoryImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = DirectoryImport(
            file_name=clip_to(DirectoryImport, "file_name", str(upload.name)),
            departements=form.cleaned_data["departements"],
            created_by=request.user,
        )
        # The extract is stored before its row: a failed insert or commit removes it.
        with removed_on_failure(), transaction.atomic():
            run.file.save(str(upload.name), upload, save=False)
            remember(run.file.storage, run.file.name)
            run.save()
            transaction.on_commit(lambda: run_directory_import.enqueue(run.pk))
        return redirect("directory:import_detail", public_id=run.public_id)
    runs = DirectoryImport.objects.select_related("created_by")
    page = Paginator(runs, 20).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "directory/import_list.html", {"form": form, "page": page}, status=status)


@platform_admin_required
def import_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    run = get_object_or_404(DirectoryImport.objects.select_related("created_by"), public_id=public_id)
    template = "directory/_import_status.html" if wants_partial(request) else "directory/import_detail.html"
    return render(request, template, {"run": run})
