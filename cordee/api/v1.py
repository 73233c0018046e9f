"""INT-1: `/api/v1/` — the versioned JSON API, its OpenAPI 3.1 schema and documentation page.

An adapter (ARCHITECTURE, "api/ is an adapter"): it parses, calls the same services under the
same access policy (careteam/access.py), renders. Errors are problem+json in French."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cordee.api.auth import TokenAuth
from cordee.api.docs import VendoredSwagger
from cordee.api.problems import field_errors, problem
from cordee.api.tokens import Refusal
from cordee.core.http import AuthedRequest

api = NinjaAPI(
    title="API Cordée",
    version="1",
    description=(
        "API de coordination des parcours de santé. Authentification par jeton d'accès personnel "
        "(`Authorization: Bearer cordee_pat_…`), créé dans le profil (onglet « Accès API »). "
        "Les règles d'accès sont celles de l'application : un dossier hors de vos cercles de soins "
        "n'existe pas (404), un droit manquant est refusé (403). Erreurs au format "
        "`application/problem+json`."
    ),
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs=VendoredSwagger(),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)


@api.exception_handler(Refusal)
def _refusal(request: HttpRequest, exc: Refusal) -> HttpResponse:
    response = problem(exc.status, exc.detail, title=exc.title)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cordee"'
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "Jeton d'accès manquant ou invalide.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem(422, "Certaines données sont invalides.", errors=field_errors(list(exc.errors)))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "Ressource introuvable, ou hors de vos cercles de soins.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(403, str(exc) or "Vous n'avez pas le droit d'accéder à cette ressource.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc))


class Me(Schema):
    """Whom the token acts as."""

    professional: str
    professional_id: str
    structure: str | None
    structure_id: str | None
    token: str
    scope: str


@api.get("/moi", response=Me, summary="Qui agit avec ce jeton", tags=["jeton"])
def me(request: AuthedRequest) -> dict[str, Any]:
    actor = request.actor
    token = request.api_token  # type: ignore[attr-defined]
    return {
        "professional": actor.user.display_name,
        "professional_id": str(actor.user.public_id),
        "structure": actor.structure.name if actor.structure else None,
        "structure_id": str(actor.structure.public_id) if actor.structure else None,
        "token": token.name,
        "scope": token.scope,
    }


api.add_router("/", "cordee.api.dossiers.router")
api.add_router("/", "cordee.api.contents.router")
