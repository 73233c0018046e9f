"""Password hashing at the parameters OWASP recommends for Argon2id (Password Storage Cheat
Sheet: 46 MiB of memory, 1 pass, 1 lane — or its equivalents), measured rather than guessed.

Django's default (100 MiB, 2 passes, 8 lanes) cost 0.30–0.43 s of CPU per sign-in on the
demo's 2-core machine and 100 MiB of memory per concurrent sign-in; 8 lanes on 2 cores only
queue. These parameters cost about 0.1 s there. Hashes stored with other parameters still
verify, and are rehashed with these at the next sign-in (Django's must_update)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP's first equivalent configuration (m=47104 KiB, t=1, p=1).
OWASP_MEMORY_KIB = 47104
OWASP_TIME_COST = 1
OWASP_PARALLELISM = 1


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    memory_cost = OWASP_MEMORY_KIB
    time_cost = OWASP_TIME_COST
    parallelism = OWASP_PARALLELISM
