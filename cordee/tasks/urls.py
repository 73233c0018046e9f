from __future__ import annotations

from django.urls import path

from cordee.tasks import panel, views

app_name = "tasks"
urlpatterns = [
    path("taches/", views.dashboard, name="dashboard"),
    path("taches/choix/<slug:field>/", views.picker, name="picker"),
    path("taches/encart/", panel.panel_size, name="panel_size"),
    path("taches/nouvelle/", views.choose_patient, name="choose_patient"),
    path("patients/<uuid:public_id>/taches/nouvelle/", views.create, name="create"),
    path("patients/<uuid:public_id>/taches/<uuid:task_id>/", views.edit, name="edit"),
    path("patients/<uuid:public_id>/taches/<uuid:task_id>/statut/", views.advance, name="advance"),
]
