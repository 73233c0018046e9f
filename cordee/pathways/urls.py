from __future__ import annotations

from django.urls import path

from cordee.pathways import views

app_name = "pathways"
base = "patients/<uuid:public_id>/parcours/"
urlpatterns = [
    path(base, views.tab, name="tab"),
    path(f"{base}thematiques/", views.add_theme, name="add_theme"),
    path(f"{base}thematiques/<uuid:row_id>/supprimer/", views.remove_theme, name="remove_theme"),
    path(f"{base}thematiques/<uuid:row_id>/deplacer/", views.move_theme, name="move_theme"),
    path(f"{base}nouveau/<uuid:questionnaire_id>/", views.new_form, name="new_form"),
    path(f"{base}formulaires/<uuid:form_id>/", views.form, name="form"),
    path(f"{base}calcul/<uuid:version_id>/", views.computed, name="computed"),
    path(f"{base}formulaires/<uuid:form_id>/rouvrir/", views.reopen, name="reopen"),
    path(f"{base}formulaires/<uuid:form_id>/versions/", views.history, name="history"),
]
