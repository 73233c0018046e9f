from __future__ import annotations

from django.urls import path

from cordee.directory import import_views, resource_views, views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("professionnels/<uuid:public_id>/", views.professional_detail, name="professional"),
    path("structures/<uuid:public_id>/", views.structure_detail, name="structure"),
    path("annuaire-national/<uuid:public_id>/", views.entry_detail, name="entry"),
    path("equipes-ressource/", resource_views.resource_teams, name="resource_teams"),
    path(
        "structures/<uuid:public_id>/equipe-ressource/",
        resource_views.settings_tab,
        name="resource_team_settings",
    ),
    path("inviter/", views.invite, name="invite"),
    path("administration/imports/", import_views.import_list, name="import_list"),
    path("administration/imports/<uuid:public_id>/", import_views.import_detail, name="import_detail"),
]
