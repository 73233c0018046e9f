from __future__ import annotations

from django.urls import path

from cordee.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.centre, name="centre"),
    path("notifications/compteur/", views.bell, name="bell"),
    path("notifications/tout-lu/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<uuid:public_id>/", views.open_entry, name="open"),
    path("profil/notifications/", views.preferences, name="preferences"),
]
