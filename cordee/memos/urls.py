from __future__ import annotations

from django.urls import path

from cordee.memos import views

app_name = "memos"
base = "patients/<uuid:public_id>/memos/"
urlpatterns = [
    path(base, views.memo_list, name="list"),
    path(f"{base}nouveau/", views.memo_create, name="create"),
    path(f"{base}<uuid:memo_id>/", views.memo_edit, name="edit"),
    path(f"{base}<uuid:memo_id>/supprimer/", views.memo_delete, name="delete"),
]
