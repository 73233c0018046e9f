"""COC-4 extraction and COC-5 cohort dashboard: the network's staff, by explicit right only;
every extraction journaled."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from cordee.audit.services import journal
from cordee.careteam.access import holds_cohort_right
from cordee.cocon.dashboard import STATE_COLOURS, cohort
from cordee.cocon.export import Extraction, Filters
from cordee.cocon.forms import ExtractionForm
from cordee.cocon.schedule import MOBILE_TEAM_CODE, STEPS
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.http import AuthedRequest
from cordee.territory.models import Zone

EXTRACT = "cocon.extract_notebooks"
COHORT = "cocon.view_cohort"
STEP_CHOICES = [(step.code, step.short) for step in STEPS] + [(MOBILE_TEAM_CODE, "Équipe mobile")]


def home_section(actor: Actor) -> dict[str, Any] | None:
    """The home page's Cocon card: links to the cohort's pages for those holding their rights."""
    shown = {"dashboard": holds_cohort_right(actor, COHORT), "extraction": holds_cohort_right(actor, EXTRACT)}
    return shown if any(shown.values()) else None


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # so that spreadsheet software reads UTF-8
    for row in rows:
        yield writer.writerow(row)


def extraction(request: AuthedRequest) -> HttpResponseBase:
    if not holds_cohort_right(request.actor, EXTRACT):
        raise PermissionDenied
    form = ExtractionForm(request.GET or None, steps=STEP_CHOICES)
    if not request.GET or not form.is_valid():
        status = 400 if request.GET else 200
        return render(request, "cocon/extraction.html", {"form": form}, status=status)
    data = form.cleaned_data
    filters = Filters(
        start=data.get("start"), end=data.get("end"), zone=data.get("zone"), step=data.get("step") or ""
    )
    extraction = Extraction(filters)
    output = data["output"]
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    if output == "dictionary":
        journal(request.actor, None, "cocon_dictionary", what=filters.describe())
        response = StreamingHttpResponse(
            _csv_stream(extraction.dictionary()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="cocon-dictionnaire-{stamp}.csv"'
        return response
    count = extraction.count()
    journal(
        request.actor, None, "cocon_extraction", what=f"{output} — {count} cahiers — {filters.describe()}"
    )
    if output == "xlsx":
        return _xlsx(extraction, stamp)
    response = StreamingHttpResponse(_csv_rows(extraction), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cocon-cahiers-{stamp}.csv"'
    return response


def _csv_rows(extraction: Extraction) -> Iterator[str]:
    def rows() -> Iterator[list[Any]]:
        yield extraction.header
        yield from extraction.rows()

    return _csv_stream(rows())


def _xlsx(extraction: Extraction, stamp: str) -> FileResponse:
    """XLSX written row by row to a temporary file (constant-memory mode), then streamed."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    # Strings stay strings: xlsxwriter would otherwise write "=…" as a live formula (issue 24).
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    import xlsxwriter  # imported here: ~12 MB held by every worker for an occasional export

    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False, **options})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("Cahiers")
    sheet.write_row(0, 0, extraction.header, bold)
    for index, row in enumerate(extraction.rows(), start=1):
        sheet.write_row(index, 0, row)
    dictionary = workbook.add_worksheet("Dictionnaire")
    for index, row in enumerate(extraction.dictionary()):
        dictionary.write_row(index, 0, row, bold if index == 0 else None)
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"cocon-cahiers-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def dashboard(request: AuthedRequest) -> HttpResponse:
    if not holds_cohort_right(request.actor, COHORT):
        raise PermissionDenied
    zones = list(Zone.objects.all())
    zone = next((z for z in zones if str(z.public_id) == request.GET.get("zone")), None)
    journal(request.actor, None, "cocon_dashboard", what=zone.name if zone else "toutes zones")
    context = {
        "cohort": cohort(clock.today(), zone),
        "zones": zones,
        "zone": zone,
        "colours": STATE_COLOURS,
        "can_extract": holds_cohort_right(request.actor, EXTRACT),
    }
    return render(request, "cocon/dashboard.html", context)
