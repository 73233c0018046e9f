from __future__ import annotations

from django.urls import path

from cordee.activity import views

app_name = "activity"
base = "patients/<uuid:public_id>/fil/"
urlpatterns = [
    path(base, views.feed, name="feed"),
    path("patients/<uuid:public_id>/ligne-de-vie/", views.life_line, name="lifeline"),
    path(f"{base}notes/", views.note_add, name="note_add"),
    path(f"{base}notes/<uuid:note_id>/", views.note_edit, name="note_edit"),
    path(f"{base}notes/<uuid:note_id>/retirer/", views.note_withdraw, name="note_withdraw"),
    path(f"{base}notes/<uuid:note_id>/historique/", views.note_history, name="note_history"),
]
