from __future__ import annotations

from django.urls import path

from cordee.audit import views as audit_views
from cordee.patients import consent_views, create_views, dossier_views, filter_views, merge_views, views

app_name = "patients"
urlpatterns = [
    path("", views.active_file, name="list"),
    path("filtres/", filter_views.save, name="filter_save"),
    path("colonnes/", filter_views.columns, name="columns"),
    path("filtres/<uuid:public_id>/defaut/", filter_views.make_default, name="filter_default"),
    path("filtres/<uuid:public_id>/supprimer/", filter_views.delete, name="filter_delete"),
    path("nouveau/", create_views.search_before_create, name="search_before_create"),
    path("nouveau/identite/", create_views.create, name="create"),
    path("consentement-vierge.pdf", consent_views.blank_document, name="consent_blank"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/identite/", views.identity_edit, name="identity_edit"),
    path("<uuid:public_id>/consentement.pdf", consent_views.document, name="consent_document"),
    path("<uuid:public_id>/consentement/", consent_views.give, name="consent_give"),
    path(
        "<uuid:public_id>/consentement/<uuid:consent_id>/annuler/",
        consent_views.withdraw,
        name="consent_withdraw",
    ),
    path("<uuid:public_id>/journal/", audit_views.dossier_journal, name="access_journal"),
    path("<uuid:public_id>/statut/", dossier_views.status, name="status"),
    path("<uuid:public_id>/deces/", dossier_views.death, name="death"),
    path(
        "<uuid:public_id>/hospitalisations/ajouter/",
        dossier_views.hospitalisation,
        name="hospitalisation_add",
    ),
    path(
        "<uuid:public_id>/hospitalisations/<uuid:stay_id>/",
        dossier_views.hospitalisation,
        name="hospitalisation_edit",
    ),
    path(
        "<uuid:public_id>/hospitalisations/<uuid:stay_id>/annuler/",
        dossier_views.hospitalisation_cancel,
        name="hospitalisation_cancel",
    ),
    path("<uuid:public_id>/favori/", dossier_views.favourite, name="favourite"),
    path("<uuid:public_id>/doublons/<uuid:flag_id>/", merge_views.compare, name="duplicate_compare"),
    path("<uuid:public_id>/doublons/<uuid:flag_id>/fusionner/", merge_views.merge, name="duplicate_merge"),
    path("<uuid:public_id>/doublons/<uuid:flag_id>/ecarter/", merge_views.dismiss, name="duplicate_dismiss"),
    path("<uuid:public_id>/liens/ajouter/", dossier_views.link_add, name="link_add"),
    path("<uuid:public_id>/liens/<uuid:link_id>/retirer/", dossier_views.link_remove, name="link_remove"),
]
