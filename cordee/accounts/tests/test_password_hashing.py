"""Issue 23: sign-in's password hashing at OWASP's Argon2id parameters (see accounts/hashers.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, get_hasher, make_password
from django.test import override_settings

from config.settings import base
from cordee.accounts.hashers import OwaspArgon2PasswordHasher


def test_production_settings_hash_with_owasps_argon2id_parameters() -> None:
    assert base.PASSWORD_HASHERS[0] == "cordee.accounts.hashers.OwaspArgon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password("correct horse battery staple")
        assert encoded.startswith("argon2$argon2id$")
        # m=46 MiB, one pass, one lane: OWASP's Password Storage Cheat Sheet, first configuration.
        assert "$m=47104,t=1,p=1$" in encoded
        assert check_password("correct horse battery staple", encoded)
        assert not check_password("wrong horse battery staple", encoded)


def test_a_hash_made_with_djangos_defaults_still_verifies_and_is_upgraded() -> None:
    older = Argon2PasswordHasher().encode("correct horse battery staple", Argon2PasswordHasher().salt())
    assert "$m=102400,t=2,p=8$" in older
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert check_password("correct horse battery staple", older)
        hasher = get_hasher("argon2")
        assert isinstance(hasher, OwaspArgon2PasswordHasher)
        assert hasher.must_update(older)
        assert not hasher.must_update(make_password("correct horse battery staple"))
    assert settings.PASSWORD_HASHERS != base.PASSWORD_HASHERS  # the tests' own fast hasher
