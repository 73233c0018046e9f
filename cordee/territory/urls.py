from __future__ import annotations

from django.urls import path

from cordee.territory import views

app_name = "territory"
urlpatterns = [
    path("communes/recherche/", views.commune_search, name="commune_search"),
]
