"""INT-2, FHIR Bulk Data Access (HL7 IG v2.0.0): kick-off, status and files of a Group export.

- `GET /fhir/Group/<structure>/$export`, or `POST` with a Parameters resource (`Prefer:
  respond-async`; `_type`, `_since`, `_outputFormat`, `_typeFilter` on Task `status` and
  DocumentReference `category` / `type`; any other parameter refused with an OperationOutcome
  unless `Prefer: handling=lenient`): 202 and the status URL in `Content-Location`; the task
  worker writes it.
- `GET <status URL>`: 202 with `X-Progress` and `Retry-After` while it runs, 200 and the JSON
  manifest when done; `DELETE` cancels it (and removes its files).
- `GET <file URL>`: one NDJSON file (`application/fhir+ndjson`), until it expires.

Only the token that kicked an export off polls it and downloads its files (another gets 404:
an export you did not ask for does not exist for you). Kicking off needs a token acting as the
structure whose Group it is; a refusal is journaled. Errors are French OperationOutcomes."""

from __future__ import annotations

import datetime
import email.utils
import json
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse

from cordee.accounts.models import Structure
from cordee.api import bulk, fhir
from cordee.api.auth import token_of, via
from cordee.api.fhir_views import FHIR_JSON, outcome, refused
from cordee.api.models import ApiToken, BulkExport
from cordee.api.tokens import Refusal
from cordee.audit.models import Access
from cordee.audit.services import journal
from cordee.core import clock
from cordee.core.http import parse_uuid

# Seconds a client is asked to wait between two polls of a running export.
RETRY_AFTER = 5
# The kick-off parameters this server supports; any other (the IG's optional `_elements`,
# `patient`, `includeAssociatedData`, or an unknown name) is refused unless the client prefers
# `handling=lenient`.
SUPPORTED = frozenset({"_outputFormat", "_type", "_since", "_typeFilter"})


def _guarded(*methods: str, reads: tuple[str, ...] = ("GET",)) -> Callable[[Any], Any]:
    """Token checked, refusals as OperationOutcomes (`refused`, shared with the read views).
    `reads`: the methods that only read here (a read-only token may use them: the POST kick-off
    asks for an export as the GET one does)."""

    def wrap(view: Any) -> Any:
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return outcome(405, "Méthode non prise en charge par cette adresse.", "not-supported")
            try:
                token_of(request, as_method="GET" if request.method in reads else None)
                return view(request, *args, **kwargs)  # type: ignore[no-any-return]
            except Refusal as refusal:
                return refused(refusal)
            except Http404:
                return outcome(404, "Export introuvable.", "not-found")

        run.__name__ = view.__name__
        # Authenticated by a bearer token, never by the session cookie: no forgery to guard
        # against, and a client's DELETE must read an OperationOutcome, not Django's CSRF page.
        run.csrf_exempt = True  # type: ignore[attr-defined]
        return run

    return wrap


def _information(status: int, text: str) -> HttpResponse:
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    resource = OperationOutcome.model_validate(
        {"issue": [{"severity": "information", "code": "informational", "diagnostics": text}]}
    )
    return HttpResponse(resource.model_dump_json(exclude_none=True), status=status, content_type=FHIR_JSON)


def _parse_instant(value: str) -> datetime.datetime | None:
    """A FHIR instant (`2026-12-01T00:00:00Z`, `…+01:00`): with its offset, or None."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


Params = dict[str, list[str]]


def _params(request: HttpRequest) -> Params | HttpResponse:
    """The kick-off's parameters: the query string's (GET), or a Parameters resource's (POST,
    `application/fhir+json`; references as `Patient/<id>`) — the same names either way."""
    if request.method == "GET":
        return {name: request.GET.getlist(name) for name in request.GET}
    if request.GET:
        return outcome(
            400, "Un export demandé par POST porte ses paramètres dans le corps (Parameters).", "invalid"
        )
    from fhir.resources.R4B.parameters import Parameters
    from pydantic import ValidationError

    try:
        body = json.loads(request.body or b"{}")
        resource = Parameters.model_validate(body) if isinstance(body, dict) else None
    except (ValueError, ValidationError):
        resource = None
    if resource is None or body.get("resourceType") != "Parameters":
        return outcome(
            400, "Le corps d'un export demandé par POST est une ressource Parameters (JSON).", "invalid"
        )
    params: Params = {}
    for parameter in body.get("parameter") or []:
        values = [key for key in parameter if key.startswith("value")]
        if len(values) != 1:
            return outcome(400, f"Paramètre {parameter.get('name')} sans valeur unique.", "invalid")
        value = parameter[values[0]]
        if isinstance(value, dict):  # valueReference
            value = value.get("reference", "")
        params.setdefault(str(parameter.get("name")), []).append(str(value))
    return params


def _split(values: list[str]) -> list[str]:
    """A parameter given several times counts as one comma-separated list (IG)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _types(params: Params, lenient: bool) -> list[str] | HttpResponse:
    asked = _split(params.get("_type", []))
    unknown = [kind for kind in asked if kind not in bulk.TYPES]
    if unknown and not lenient:
        return outcome(
            400,
            f"Type(s) non exporté(s) : {', '.join(unknown)} (exportés : {', '.join(bulk.TYPES)}).",
            "not-supported",
        )
    wanted = set(asked) - set(unknown)
    if asked and not wanted:
        return outcome(
            400, f"Aucun type exporté demandé (exportés : {', '.join(bulk.TYPES)}).", "not-supported"
        )
    return [kind for kind in bulk.TYPES if not asked or kind in wanted]


def _queries(values: list[str]) -> list[str]:
    """`_typeFilter`'s queries: comma-separated (IG), each URL-encoded by the client — decoded
    once by the time they are read here, so a comma inside a query (`status=a,b`) continues it:
    a part without `?` belongs to the query before it."""
    queries: list[str] = []
    for part in _split(values):
        if "?" not in part and queries:
            queries[-1] += f",{part}"
        else:
            queries.append(part)
    return queries


def _type_filters(params: Params, types: list[str], lenient: bool) -> dict[str, Any] | HttpResponse:
    """`_typeFilter=Task%3Fstatus%3Drequested,…`: the FHIR searches this server knows for the
    export (`bulk.TYPE_FILTERS`); one it does not is refused, or left out when lenient."""
    filters: dict[str, list[dict[str, list[str]]]] = {}
    for query in _queries(params.get("_typeFilter", [])):
        kind, _, search = query.partition("?")
        allowed = bulk.TYPE_FILTERS.get(kind, ())
        parsed = QueryDict(search)
        wrong = [name for name in parsed if name not in allowed]
        problem = None
        if kind not in types:
            problem = f"_typeFilter porte sur {kind or '?'}, absent des types exportés."
        elif not search or wrong:
            known = ", ".join(f"{k}?{'|'.join(v)}" for k, v in bulk.TYPE_FILTERS.items())
            problem = f"_typeFilter non pris en charge : {query} (pris en charge : {known})."
        elif kind == "Task" and (
            bad := [v for v in _split(parsed.getlist("status")) if v not in fhir.TASK_STATUS_BACK]
        ):
            problem = f"Statut de tâche inconnu dans _typeFilter : {', '.join(bad)}."
        if problem is not None:
            if lenient:
                continue
            return outcome(400, problem, "not-supported")
        filters.setdefault(kind, []).append({name: _split(parsed.getlist(name)) for name in parsed})
    return filters


@_guarded("GET", "POST", reads=("GET", "POST"))
def group_export(request: HttpRequest, public_id: str) -> HttpResponse:
    """Kick-off (GET, or POST with a Parameters resource): the Group is a structure; the token
    must act as it."""
    actor = request.actor  # type: ignore[attr-defined]
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    what = f"FHIR $export Group {public_id} — {via(request)}"
    prefer = request.headers.get("Prefer", "")
    if "respond-async" not in prefer:
        return outcome(
            400, "L'export en masse est asynchrone : envoyez l'en-tête Prefer: respond-async.", "invalid"
        )
    lenient = "handling=lenient" in prefer
    parsed = parse_uuid(public_id)
    structure = Structure.objects.filter(public_id=parsed, is_active=True).first() if parsed else None
    if structure is None:
        journal(actor, None, bulk.JOURNAL_ACTION, Access.Outcome.NOT_FOUND, what=what, requested_id=public_id)
        return outcome(404, "Groupe introuvable.", "not-found")
    if actor.structure is None or actor.structure.pk != structure.pk:
        journal(actor, None, bulk.JOURNAL_ACTION, Access.Outcome.FORBIDDEN, what=what, requested_id=public_id)
        return outcome(
            403,
            "Seul un jeton agissant au nom de cette structure peut exporter ses dossiers.",
            "forbidden",
        )
    params = _params(request)
    if isinstance(params, HttpResponse):
        return params
    output_format = ",".join(params.get("_outputFormat", []))
    if output_format and output_format not in bulk.OUTPUT_FORMATS:
        return outcome(
            400, f"Format de sortie non pris en charge : {output_format} (ndjson seulement).", "invalid"
        )
    # IG: a parameter the server does not support is an error, unless `Prefer: handling=lenient`.
    unsupported = [name for name in params if name not in SUPPORTED]
    if unsupported and not lenient:
        return outcome(400, f"Paramètre(s) non pris en charge : {', '.join(unsupported)}.", "not-supported")
    types = _types(params, lenient)
    if isinstance(types, HttpResponse):
        return types
    type_filters = _type_filters(params, types, lenient)
    if isinstance(type_filters, HttpResponse):
        return type_filters
    since = None
    if params.get("_since"):
        since = _parse_instant(params["_since"][-1])
        if since is None or len(params["_since"]) > 1:
            return outcome(
                400, "_since est un instant FHIR, par exemple 2026-12-01T00:00:00+01:00.", "invalid"
            )
    running = BulkExport.objects.filter(
        token=token, status__in=[BulkExport.Status.PENDING, BulkExport.Status.RUNNING]
    ).exists()
    if running:
        response = outcome(
            429, "Un export de ce jeton est déjà en cours : attendez sa fin ou annulez-le.", "throttled"
        )
        response["Retry-After"] = str(RETRY_AFTER * 6)
        return response
    with transaction.atomic():
        export = BulkExport.objects.create(
            token=token,
            structure=structure,
            types=types,
            type_filters=type_filters,
            since=since,
            request_url=request.build_absolute_uri()[:2000],
            base_url=request.build_absolute_uri("/fhir/"),
            created_by=token.user,
        )
        journal(actor, None, bulk.JOURNAL_ACTION, what=what, requested_id=str(structure.public_id))
        transaction.on_commit(lambda: bulk.run_bulk_export.enqueue(export.pk))
    response = _information(202, "Export accepté : suivez son avancement à l'adresse Content-Location.")
    response["Content-Location"] = request.build_absolute_uri(
        reverse("fhir:bulk_status", kwargs={"public_id": export.public_id})
    )
    return response


def _own_export(request: HttpRequest, public_id: str) -> BulkExport:
    """The export, if this very token asked for it; 404 otherwise (and for a malformed id)."""
    parsed = parse_uuid(public_id)
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    export = (
        BulkExport.objects.select_related("structure").filter(public_id=parsed, token=token).first()
        if parsed
        else None
    )
    if export is None:
        journal(
            request.actor,  # type: ignore[attr-defined]
            None,
            "bulk_status",
            Access.Outcome.NOT_FOUND,
            what=f"FHIR $export {public_id} — {via(request)}",
            requested_id=public_id,
        )
        raise Http404
    return export


def _gone(export: BulkExport) -> bool:
    return export.status == BulkExport.Status.EXPIRED or (
        export.status == BulkExport.Status.DONE
        and export.expires_at is not None
        and export.expires_at <= clock.now()
    )


@_guarded("GET", "DELETE")
def bulk_status(request: HttpRequest, public_id: str) -> HttpResponse:
    export = _own_export(request, public_id)
    if request.method == "DELETE":
        if not bulk.cancel(export):
            return outcome(
                404,
                "Cet export est déjà terminé par une annulation, une erreur ou son expiration.",
                "not-found",
            )
        return _information(202, "Export annulé ; ses fichiers sont supprimés.")
    if export.status == BulkExport.Status.CANCELLED:
        raise Http404
    if _gone(export):
        return outcome(410, "Cet export a expiré ; ses fichiers sont supprimés. Relancez-le.", "not-found")
    if export.status == BulkExport.Status.FAILED:
        # The IG's error status (4XX or 5XX with an OperationOutcome): a told outcome, not a crash.
        return outcome(500, export.error or "L'export a échoué.", "processing")
    if export.status in (BulkExport.Status.PENDING, BulkExport.Status.RUNNING):
        response = HttpResponse(status=202)
        total, done = export.dossiers_total, export.dossiers_done
        if export.status == BulkExport.Status.PENDING:
            response["X-Progress"] = "en attente du worker"
        else:
            response["X-Progress"] = f"{done}/{total} dossiers ({100 * done // max(total, 1)} %)"
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    base = request.build_absolute_uri("/")[:-1]
    manifest = {
        "transactionTime": export.transaction_time.isoformat() if export.transaction_time else None,
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": output["type"],
                "url": base
                + reverse("fhir:bulk_file", kwargs={"public_id": export.public_id, "kind": output["type"]}),
                "count": output["count"],
            }
            for output in export.outputs
        ],
        "error": [],
    }
    response = HttpResponse(json.dumps(manifest), content_type="application/json")
    if export.expires_at is not None:
        response["Expires"] = email.utils.format_datetime(export.expires_at, usegmt=True)
    return response


@_guarded("GET")
def bulk_file(request: HttpRequest, public_id: str, kind: str) -> HttpResponse | FileResponse:
    export = _own_export(request, public_id)
    if export.status == BulkExport.Status.CANCELLED:
        raise Http404
    if _gone(export):
        return outcome(410, "Ce fichier d'export a expiré et a été supprimé. Relancez l'export.", "not-found")
    output = next((o for o in export.outputs if o["type"] == kind), None)
    if export.status != BulkExport.Status.DONE or output is None:
        raise Http404
    journal(
        request.actor,  # type: ignore[attr-defined]
        None,
        "bulk_download",
        what=f"FHIR $export {export.public_id} {kind} ({output['count']}) — {via(request)}",
        requested_id=str(export.structure.public_id),
    )
    response = FileResponse(default_storage.open(output["name"], "rb"), content_type=bulk.NDJSON)
    response["Content-Disposition"] = f'attachment; filename="{kind}.ndjson"'
    return response
