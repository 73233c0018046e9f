from __future__ import annotations

from django.urls import path

from cordee.documents import views

app_name = "documents"
urlpatterns = [
    path("patients/<uuid:public_id>/documents/<uuid:document_id>/", views.document, name="download"),
]
