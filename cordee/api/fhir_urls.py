from __future__ import annotations

from django.urls import path

from cordee.api import fhir_views
from cordee.api.routing import open_to_software

app_name = "fhir"
urlpatterns = [
    path("metadata", open_to_software(fhir_views.metadata), name="metadata"),
    path("Patient", open_to_software(fhir_views.patient_search), name="patient_search"),
    path("Patient/<str:public_id>", open_to_software(fhir_views.patient_read), name="patient_read"),
    path("Task", open_to_software(fhir_views.task_search), name="task_search"),
    path("Task/<str:public_id>", open_to_software(fhir_views.task_read), name="task_read"),
    path("CareTeam", open_to_software(fhir_views.care_team_search), name="care_team_search"),
    path("CareTeam/<str:public_id>", open_to_software(fhir_views.care_team_read), name="care_team_read"),
    path(
        "Practitioner/<str:public_id>",
        open_to_software(fhir_views.practitioner_read),
        name="practitioner_read",
    ),
    path(
        "Organization/<str:public_id>",
        open_to_software(fhir_views.organization_read),
        name="organization_read",
    ),
]
