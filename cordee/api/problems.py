"""INT-1: errors as RFC 9457 problem details (`application/problem+json`), in French, with the
fields at fault — the same words the pages put next to a field."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Requête invalide",
    401: "Authentification refusée",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    413: "Fichier trop volumineux",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
}


def problem(
    status: int,
    detail: str,
    *,
    title: str = "",
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Erreur"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=PROBLEM_TYPE
    )


# Pydantic's own error types, said in French (what a person reads beside a field).
_PYDANTIC_FR = {
    "missing": "Ce champ est obligatoire.",
    "string_too_long": "Ce texte est trop long.",
    "string_too_short": "Ce champ est obligatoire.",
    "string_type": "Une chaîne de caractères est attendue.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "date_from_datetime_parsing": "Date invalide (format attendu : AAAA-MM-JJ).",
    "date_parsing": "Date invalide (format attendu : AAAA-MM-JJ).",
    "date_type": "Date invalide (format attendu : AAAA-MM-JJ).",
    "datetime_parsing": "Date et heure invalides (format attendu : AAAA-MM-JJTHH:MM).",
    "datetime_from_date_parsing": "Date et heure invalides (format attendu : AAAA-MM-JJTHH:MM).",
    "datetime_type": "Date et heure invalides (format attendu : AAAA-MM-JJTHH:MM).",
    "uuid_parsing": "Identifiant invalide.",
    "uuid_type": "Identifiant invalide.",
    "enum": "Valeur non prévue.",
    "literal_error": "Valeur non prévue.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "bool_parsing": "Vrai ou faux attendu.",
    "greater_than_equal": "Valeur trop petite.",
    "less_than_equal": "Valeur trop grande.",
    "value_error": "Valeur invalide.",
}


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Ninja's validation errors (`loc` = where, `type` = what) as {field, message} in French."""
    found = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        message = _PYDANTIC_FR.get(str(error.get("type", "")), "Valeur invalide.")
        ctx = error.get("ctx") or {}
        if error.get("type") == "value_error" and ctx.get("error"):
            message = str(ctx["error"])
        elif error.get("type") == "greater_than_equal" and "ge" in ctx:
            message = f"Valeur trop petite (au moins {ctx['ge']})."
        elif error.get("type") == "less_than_equal" and "le" in ctx:
            message = f"Valeur trop grande (au plus {ctx['le']})."
        found.append({"field": ".".join(loc) or "(corps)", "message": message})
    return found


def lookable(value: str) -> bool:
    """A code or label that may be looked up as typed: PostgreSQL refuses a NUL character in a
    query (a 500); such a value matches nothing, and says so in French like any unknown one."""
    return "\x00" not in value
