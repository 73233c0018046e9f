from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from cordee.api.routing import opened
from cordee.api.v1 import api as api_v1

admin.site.site_header = "Cordée — administration de la plateforme"
admin.site.site_title = "Cordée"

urlpatterns = [
    path("", include("cordee.core.urls")),
    path("", include("cordee.accounts.urls")),
    path("patients/", include("cordee.patients.urls")),
    path("patients/", include("cordee.careteam.urls")),
    path("habilitations/", include("cordee.careteam.supervision_urls")),
    path("groupes-favoris/", include("cordee.careteam.group_urls")),
    path("", include("cordee.tasks.urls")),
    path("", include("cordee.pathways.urls")),
    path("", include("cordee.documents.urls")),
    path("", include("cordee.activity.urls")),
    path("", include("cordee.memos.urls")),
    path("", include("cordee.cocon.urls")),
    path("", include("cordee.notifications.urls")),
    path("", include("cordee.referrals.urls")),
    path("", include("cordee.agenda.urls")),
    path("annuaire/", include("cordee.directory.urls")),
    path("territoire/", include("cordee.territory.urls")),
    path("", include("cordee.api.urls")),
    # INT-1: the API, for software holding a personal access token.
    # INT-2: FHIR R4 read and search (FR Core), with the same tokens.
    path("fhir/", include("cordee.api.fhir_urls")),
    path("api/v1/", include((opened(api_v1.urls[0]), api_v1.urls[1]), namespace="api_v1")),
    # One sign-in page for everyone, so the second factor and throttling always apply.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "cordee.core.views.bad_request"
handler403 = "cordee.core.views.permission_denied"
handler404 = "cordee.core.views.page_not_found"
handler500 = "cordee.core.views.server_error"
