from __future__ import annotations

from django.urls import path

from cordee.api import bulk_views, fhir_views
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
    path(
        "PractitionerRole",
        open_to_software(fhir_views.practitioner_role_search),
        name="practitioner_role_search",
    ),
    path(
        "PractitionerRole/<str:public_id>",
        open_to_software(fhir_views.practitioner_role_read),
        name="practitioner_role_read",
    ),
    path("Appointment", open_to_software(fhir_views.appointment_search), name="appointment_search"),
    path(
        "Appointment/<str:public_id>", open_to_software(fhir_views.appointment_read), name="appointment_read"
    ),
    path(
        "DocumentReference",
        open_to_software(fhir_views.document_reference_search),
        name="document_reference_search",
    ),
    path(
        "DocumentReference/<str:public_id>",
        open_to_software(fhir_views.document_reference_read),
        name="document_reference_read",
    ),
    path("Questionnaire", open_to_software(fhir_views.questionnaire_search), name="questionnaire_search"),
    path(
        "Questionnaire/<str:public_id>",
        open_to_software(fhir_views.questionnaire_read),
        name="questionnaire_read",
    ),
    path(
        "QuestionnaireResponse",
        open_to_software(fhir_views.questionnaire_response_search),
        name="questionnaire_response_search",
    ),
    path(
        "QuestionnaireResponse/<str:public_id>",
        open_to_software(fhir_views.questionnaire_response_read),
        name="questionnaire_response_read",
    ),
]
# FHIR Bulk Data Access: a structure's Group export, its status URL and its files.
urlpatterns += [
    path("Group/<str:public_id>/$export", open_to_software(bulk_views.group_export), name="group_export"),
    path("bulk/<str:public_id>", open_to_software(bulk_views.bulk_status), name="bulk_status"),
    path("bulk/<str:public_id>/<str:kind>.ndjson", open_to_software(bulk_views.bulk_file), name="bulk_file"),
]
