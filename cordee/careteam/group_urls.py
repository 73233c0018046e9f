from __future__ import annotations

from django.urls import path

from cordee.careteam import group_views

app_name = "groups"
urlpatterns = [
    path("", group_views.group_list, name="list"),
    path("<uuid:public_id>/", group_views.group_detail, name="detail"),
]
