from __future__ import annotations

from django.urls import path

from cordee.referrals import dashboard, views

app_name = "referrals"
urlpatterns = [
    path("demandes/", dashboard.dashboard, name="dashboard"),
    path("demandes/mes-demandes/", dashboard.mine, name="mine"),
    path("demandes/filtres/", dashboard.filter_save, name="filter_save"),
    path("demandes/filtres/<uuid:public_id>/defaut/", dashboard.filter_default, name="filter_default"),
    path("demandes/filtres/<uuid:public_id>/supprimer/", dashboard.filter_delete, name="filter_delete"),
    path("demandes/mes-demandes/filtres/", dashboard.mine_filter_save, name="mine_filter_save"),
    path(
        "demandes/mes-demandes/filtres/<uuid:public_id>/defaut/",
        dashboard.mine_filter_default,
        name="mine_filter_default",
    ),
    path(
        "demandes/mes-demandes/filtres/<uuid:public_id>/supprimer/",
        dashboard.mine_filter_delete,
        name="mine_filter_delete",
    ),
    path("demandes/nouvelle/<uuid:team_id>/", views.new, name="new"),
    path("demandes/<uuid:public_id>/", views.detail, name="detail"),
    path("demandes/<uuid:public_id>/action/", views.act, name="act"),
    path("demandes/<uuid:public_id>/depuis-le-tableau/", dashboard.row_action, name="row_action"),
    path("demandes/<uuid:public_id>/prise-en-charge/", views.take_on, name="take_on"),
]
