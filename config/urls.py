from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

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
    path("", include("cordee.cocon.urls")),
    path("annuaire/", include("cordee.directory.urls")),
    path("territoire/", include("cordee.territory.urls")),
    # One sign-in page for everyone, so the second factor and throttling always apply.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "cordee.core.views.permission_denied"
handler404 = "cordee.core.views.page_not_found"
handler500 = "cordee.core.views.server_error"
