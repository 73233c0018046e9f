from __future__ import annotations

from django.urls import path

from cordee.documents import views

app_name = "documents"
urlpatterns = [
    path("patients/<uuid:public_id>/documents/", views.tab, name="tab"),
    path("patients/<uuid:public_id>/documents/ajouter/", views.add, name="add"),
    path("patients/<uuid:public_id>/documents/<uuid:document_id>/", views.document, name="download"),
    path("patients/<uuid:public_id>/documents/<uuid:document_id>/fiche/", views.detail, name="detail"),
    path("patients/<uuid:public_id>/documents/<uuid:document_id>/apercu/", views.preview, name="preview"),
    path(
        "patients/<uuid:public_id>/documents/<uuid:document_id>/nouvelle-version/",
        views.new_version,
        name="new_version",
    ),
    path("patients/<uuid:public_id>/documents/<uuid:document_id>/retrait/", views.withdraw, name="withdraw"),
]
