from __future__ import annotations

from django.urls import path

from cordee.agenda import views

app_name = "agenda"
urlpatterns = [
    path("agenda/", views.calendar_page, name="calendar"),
    path("agenda/nouveau/", views.create, name="create"),
    path("agenda/patients/", views.patient_search, name="patient_search"),
    path("agenda/flux/", views.feed_settings, name="feed_settings"),
    path("agenda/flux/<str:token>/cordee.ics", views.feed, name="feed"),
    path("agenda/rdv/<uuid:appointment_id>/", views.detail, name="detail"),
    path("agenda/rdv/<uuid:appointment_id>/ics/", views.ics, name="ics"),
    path("agenda/rdv/<uuid:appointment_id>/annuler/", views.cancel, name="cancel"),
    path("agenda/rdv/<uuid:appointment_id>/retablir/", views.restore, name="restore"),
    path("agenda/rdv/<uuid:appointment_id>/supprimer/", views.delete, name="delete"),
    path("agenda/rdv/<uuid:appointment_id>/deplacer/", views.move, name="move"),
    path("agenda/rdv/<uuid:appointment_id>/occurrence/", views.remove_occurrence, name="remove_occurrence"),
]
