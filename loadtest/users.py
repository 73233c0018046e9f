"""The load users: who they are and their second factor, known to both sides.

`prepare` gives each its account and TOTP device; the locustfile signs in with the same
password and computes the same codes. The keys derive from the user's name: a load region is a
throw-away bench database, never a real one.
"""

from __future__ import annotations

import hashlib

PASSWORD = "Charge-Cordee-2026"  # noqa: S105 - bench database only
COUNT = 120
PREFIX = "load.coord"


def username(number: int) -> str:
    return f"{PREFIX}{number:03d}"


def totp_key(name: str) -> bytes:
    return hashlib.sha1(f"cordee-load:{name}".encode()).digest()  # noqa: S324 - a test key, not a secret
