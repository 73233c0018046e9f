from __future__ import annotations

from django.urls import path

from cordee.cocon import cohort_views, views

app_name = "cocon"
urlpatterns = [
    path("patients/<uuid:public_id>/cocon/", views.dossier, name="dossier"),
    path("patients/<uuid:public_id>/cocon/inclusion/", views.include, name="include"),
    path("patients/<uuid:public_id>/cocon/sortie/", views.end, name="end"),
    path("cocon/extraction/", cohort_views.extraction, name="extraction"),
    path("cocon/tableau-de-bord/", cohort_views.dashboard, name="dashboard"),
]
