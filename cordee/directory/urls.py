from __future__ import annotations

from django.urls import path

from cordee.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("professionnels/<uuid:public_id>/", views.professional_detail, name="professional"),
    path("structures/<uuid:public_id>/", views.structure_detail, name="structure"),
    path("inviter/", views.invite, name="invite"),
]
