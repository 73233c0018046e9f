from __future__ import annotations

from django.urls import path

from cordee.accounts import psc_views, registration_views, security_views, views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.sign_in, name="login"),
    path("connexion/verification/", security_views.otp_verify, name="otp_verify"),
    path("connexion/pro-sante-connect/", psc_views.psc_start, name="psc_start"),
    path("connexion/pro-sante-connect/retour/", psc_views.psc_callback, name="psc_callback"),
    path("deconnexion/", views.SignOutView.as_view(), name="logout"),
    path("cgu/", views.terms, name="terms"),
    path("inscription/", registration_views.register, name="register"),
    path("inscription/envoyee/", registration_views.register_done, name="register_done"),
    path("compte/activer/<uidb64>/<token>/", registration_views.ActivateView.as_view(), name="activate"),
    path("profil/", views.profile, name="profile"),
    path("profil/agir-en-tant-que/", views.switch_actor, name="switch_actor"),
    path("profil/mot-de-passe/", views.password_change, name="password_change"),
    path("profil/securite/", security_views.security, name="security"),
    path("profil/securite/activer/", security_views.totp_enrol, name="totp_enrol"),
    path("profil/securite/confirmer/", security_views.totp_confirm, name="totp_confirm"),
    path("profil/securite/codes-de-secours/", security_views.recovery_codes, name="recovery_codes"),
    path("profil/securite/desactiver/", security_views.totp_disable, name="totp_disable"),
    path("structures/<uuid:public_id>/", views.structure_detail, name="structure_detail"),
    path(
        "structures/<uuid:public_id>/membres/<uuid:membership_id>/droits/",
        views.member_role,
        name="member_role",
    ),
    path("administration/inscriptions/", registration_views.registration_list, name="registration_list"),
    path(
        "administration/inscriptions/<uuid:public_id>/",
        registration_views.registration_detail,
        name="registration_detail",
    ),
    path(
        "administration/inscriptions/<uuid:public_id>/valider/",
        registration_views.registration_validate,
        name="registration_validate",
    ),
    path(
        "administration/inscriptions/<uuid:public_id>/refuser/",
        registration_views.registration_refuse,
        name="registration_refuse",
    ),
]
