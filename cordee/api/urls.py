from __future__ import annotations

from django.urls import path

from cordee.api import views

app_name = "api"
urlpatterns = [
    path("profil/acces-api/", views.tokens, name="tokens"),
    path("profil/acces-api/<uuid:public_id>/revoquer/", views.token_revoke, name="token_revoke"),
]
