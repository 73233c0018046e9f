"""The administration site with French names for the sections other libraries bring (issue 23:
"AXES", "TOTP devices", "Task Results" read as French here). Their models' own names cannot be
changed without migrations in those libraries, so the names are given where the admin lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

APP_NAMES = {
    "axes": "Connexions et blocages",
    "otp_totp": "Double authentification — applications",
    "otp_static": "Double authentification — codes de secours",
    "django_tasks_database": "Travaux en arrière-plan",
}
MODEL_NAMES = {
    ("otp_totp", "totpdevice"): "Applications d'authentification (TOTP)",
    ("otp_static", "staticdevice"): "Listes de codes de secours",
    ("django_tasks_database", "dbtaskresult"): "Travaux (courriels, notifications)",
}


class CordeeAdminSite(admin.AdminSite):
    def _build_app_dict(self, request: HttpRequest, label: str | _StrPromise | None = None) -> dict[str, Any]:
        built = super()._build_app_dict(request, label)
        for app in built.values():
            app["name"] = APP_NAMES.get(app["app_label"], app["name"])
            for model in app["models"]:
                key = (app["app_label"], model["object_name"].lower())
                model["name"] = MODEL_NAMES.get(key, model["name"])
        return built
