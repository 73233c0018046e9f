from __future__ import annotations

from django.urls import path

from cordee.careteam import supervision_views

app_name = "supervision"
urlpatterns = [path("", supervision_views.supervision, name="supervision")]
