"""Give the bench region its load users: `python -m loadtest.prepare` (DATABASE_URL = the region).

120 coordinators of "DAC Bench Grand Sud" (`load.coord001`…), each with the same password, an
accepted CGU and a confirmed TOTP device whose key `loadtest.users.totp_key` derives from the
name — a TOTP code is accepted once per device and step, so each virtual user needs its own
account. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.generate import BIG_STRUCTURE_NAME
from cordee.accounts.models import Membership, Profession, Structure, TermsVersion, User
from cordee.accounts.services import accept_terms
from loadtest import users


@transaction.atomic
def prepare(count: int = users.COUNT) -> int:
    dac = Structure.objects.filter(name=BIG_STRUCTURE_NAME).first()
    if dac is None:
        raise SystemExit(
            "Pas de région de bench dans cette base : lancez d'abord `python -m bench.generate`."
        )
    terms = TermsVersion.current()
    profession = Profession.objects.filter(code="gestionnaire-de-cas").first() or Profession.objects.first()
    password = make_password(users.PASSWORD)  # one hash (argon2 costs ~0.1 s), the same password
    created = 0
    for number in range(1, count + 1):
        name = users.username(number)
        user, made = User.objects.get_or_create(
            username=name,
            defaults={
                "password": password,
                "last_name": f"CHARGE{number:03d}",
                "first_name": "Coordinatrice",
                "profession": profession,
            },
        )
        created += made
        Membership.objects.get_or_create(user=user, structure=dac, defaults={"role": Membership.Role.USER})
        if terms is not None:
            accept_terms(user, terms)
        TOTPDevice.objects.get_or_create(
            user=user, name="charge", defaults={"key": users.totp_key(name).hex(), "confirmed": True}
        )
    return created


if __name__ == "__main__":  # pragma: no cover
    made = prepare()
    sys.stdout.write(f"Utilisateurs de charge prêts ({made} créés, {users.COUNT} en tout).\n")
