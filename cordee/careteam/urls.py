from __future__ import annotations

from django.urls import path

from cordee.careteam import group_views, views

app_name = "careteam"
urlpatterns = [
    path("<uuid:public_id>/cercle/", views.circle, name="circle"),
    path("<uuid:public_id>/cercle/professionnel/", views.add_professional, name="add_professional"),
    path("<uuid:public_id>/cercle/structure/", views.add_structure, name="add_structure"),
    path("<uuid:public_id>/cercle/ajout-manuel/", views.add_manual, name="add_manual"),
    path("<uuid:public_id>/cercle/groupe/", group_views.add_group, name="add_group"),
    path("<uuid:public_id>/cercle/<uuid:member_id>/", views.member_edit, name="member_edit"),
    path(
        "<uuid:public_id>/cercle/<uuid:member_id>/retirer-habilitation/",
        views.member_remove_habilitation,
        name="member_remove_habilitation",
    ),
    path("<uuid:public_id>/cercle/<uuid:member_id>/supprimer/", views.member_delete, name="member_delete"),
]
