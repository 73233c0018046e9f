"""Account writes: registrations (ACC-1), CGU (ACC-3), second factor (ACC-2), rights (ACC-6)."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cordee.accounts.models import Membership, RegistrationRequest, TermsAcceptance, TermsVersion, User
from cordee.core.actor import Actor
from cordee.core.mail import absolute_url, queue_email
from cordee.core.text import search_key
from cordee.directory.services import link_account
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce

RECOVERY_CODE_COUNT = 10


def must_accept_terms(user: User) -> bool:
    """ACC-3: the CGU in force must be accepted before any other page.

    Asked on every signed-in request: one query (the version in force, as `TermsVersion.current`
    picks it, and whether this user accepted it), the CGU's text never read."""
    in_force = TermsVersion.objects.filter(published_at__lte=timezone.now()).order_by("-published_at")
    accepted = TermsAcceptance.objects.filter(user=user, terms=OuterRef("pk"))
    pending: bool = (
        TermsVersion.objects.filter(pk=Subquery(in_force.values("pk")[:1])).filter(~Exists(accepted)).exists()
    )
    return pending


def accept_terms(user: User, terms: TermsVersion) -> None:
    TermsAcceptance.objects.get_or_create(user=user, terms=terms)


def has_confirmed_totp(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def known_identifier(rpps: str, adeli: str) -> bool:
    """ACC-1: a number already held by an account or by a pending request."""
    for field, value in (("rpps", rpps), ("adeli", adeli)):
        if not value:
            continue
        if User.objects.filter(**{field: value}).exists():
            return True
        if RegistrationRequest.objects.filter(
            status=RegistrationRequest.Status.PENDING, **{field: value}
        ).exists():
            return True
    return False


def submit_registration(registration: RegistrationRequest) -> RegistrationRequest:
    with transaction.atomic():
        registration.save()
        queue_email(
            [registration.email],
            "Cordée — votre demande d'inscription a bien été reçue",
            render_to_string("accounts/email/registration_received.txt", {"registration": registration}),
        )
        # NOT-1 "Inscription d'un nouveau utilisateur": the platform's administrators.
        announce(
            Notice.REGISTRATION,
            None,
            users=User.objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True),
            data={
                "registration": str(registration.public_id),
                "label": f"{registration.last_name.upper()} {registration.first_name}"
                f" ({registration.profession})",
            },
        )
    return registration


def _unique_username(first_name: str, last_name: str) -> str:
    base = search_key(f"{first_name} {last_name}").lower().replace(" ", ".") or "utilisateur"
    candidate, suffix = base, 1
    while User.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


def activation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("accounts:activate", kwargs={"uidb64": uid, "token": token}))


def activation_mail(user_pk: int) -> str:
    """The validation mail's text, written when it is sent (renderer "accounts.activation"): the
    single-use link's token never rests in the outbox."""
    user = User.objects.get(pk=user_pk)
    return render_to_string(
        "accounts/email/registration_validated.txt", {"user": user, "link": activation_link(user)}
    )


def validate_registration(registration: RegistrationRequest, *, admin: User) -> User:
    """ACC-1: a platform administrator validates; the account exists, its password is chosen
    by the applicant through a single-use, expiring link sent by e-mail."""
    if not admin.is_staff:
        raise PermissionDenied
    with transaction.atomic():
        locked = RegistrationRequest.objects.select_for_update().get(pk=registration.pk)
        if locked.status != RegistrationRequest.Status.PENDING:
            raise ValueError("Cette demande a déjà été traitée.")
        user = User(
            username=_unique_username(locked.first_name, locked.last_name),
            first_name=locked.first_name,
            last_name=locked.last_name,
            email=locked.email,
            profession=locked.profession,
            specialty=locked.specialty,
            rpps=locked.rpps or None,
            adeli=locked.adeli or None,
            phone=locked.phone,
            commune=locked.commune,
        )
        user.set_unusable_password()
        user.save()
        locked.status = RegistrationRequest.Status.VALIDATED
        locked.decided_by = admin
        locked.decided_at = timezone.now()
        locked.user = user
        locked.save()
        link_account(user.pk, user.rpps, user.adeli)
        # The link is made by the worker when it sends: a single-use token never rests in the outbox.
        queue_email(
            [user.email],
            "Cordée — votre inscription est validée",
            renderer="accounts.activation",
            user_pk=user.pk,
        )
        # NOT-1 "Création de compte": waiting in the application at the first sign-in (the
        # activation mail above is the e-mail of this event).
        announce(Notice.ACCOUNT_CREATED, None, users=[user])
    registration.refresh_from_db()
    return user


def refuse_registration(registration: RegistrationRequest, *, admin: User, reason: str) -> None:
    if not admin.is_staff:
        raise PermissionDenied
    with transaction.atomic():
        locked = RegistrationRequest.objects.select_for_update().get(pk=registration.pk)
        if locked.status != RegistrationRequest.Status.PENDING:
            raise ValueError("Cette demande a déjà été traitée.")
        locked.status = RegistrationRequest.Status.REFUSED
        locked.decided_by = admin
        locked.decided_at = timezone.now()
        locked.refusal_reason = reason
        locked.save()
        queue_email(
            [locked.email],
            "Cordée — votre demande d'inscription n'a pas été acceptée",
            render_to_string("accounts/email/registration_refused.txt", {"registration": locked}),
        )
    registration.refresh_from_db()


def notify_password_changed(user: User) -> None:
    """The seed's "Modification du mot de passe" notification, by e-mail and in the application
    as the professional chose (NOT-1)."""
    announce(Notice.PASSWORD_CHANGED, None, users=[user])


def start_totp_enrolment(user: User) -> TOTPDevice:
    """A fresh unconfirmed device; a previous unfinished enrolment is discarded."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)


def confirm_totp_enrolment(device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a first code; returns the recovery codes, shown once."""
    if not device.verify_token(token):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        return regenerate_recovery_codes(device.user)


def regenerate_recovery_codes(user: User) -> list[str]:
    with transaction.atomic():
        static, _ = StaticDevice.objects.get_or_create(
            user=user, name="Codes de secours", defaults={"confirmed": True}
        )
        static.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def disable_second_factor(user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def change_member_role(actor: Actor, membership: Membership, role: str) -> None:
    """ACC-6: only a "Super utilisateur" acting for the structure changes rights there, and
    the last super user cannot demote themself (the structure would lose its manager)."""
    if not (actor.is_structure_superuser and actor.structure == membership.structure):
        raise PermissionDenied
    if role not in Membership.Role.values:
        raise ValueError("Droit inconnu.")
    with transaction.atomic():
        superusers = Membership.objects.select_for_update().filter(
            structure=membership.structure, role=Membership.Role.SUPERUSER, is_active=True
        )
        if (
            membership.role == Membership.Role.SUPERUSER
            and role != Membership.Role.SUPERUSER
            and superusers.count() <= 1
        ):
            raise ValueError("La structure doit garder au moins un super utilisateur.")
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
