"""Test data factories shared by every app's tests."""

from __future__ import annotations

from typing import Any, cast

import factory
from factory.django import DjangoModelFactory

from cordee.accounts.models import Membership, Profession, Structure, TermsAcceptance, TermsVersion, User
from cordee.core.identifiers import rpps_with_key

TEST_PASSWORD = "Mot-de-passe-de-test-2026"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"pro{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    profession = factory.LazyFunction(lambda: Profession.objects.get(code="medecin"))
    rpps = factory.Sequence(lambda n: rpps_with_key(f"10{n:08d}"))
    password = factory.django.Password(TEST_PASSWORD)


class StructureFactory(DjangoModelFactory[Structure]):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = Structure.Kind.DAC
    commune_id = "06088"


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = Membership.Role.USER


def accept_current_terms(user: User) -> None:
    current = TermsVersion.current()
    if current is not None:
        TermsAcceptance.objects.get_or_create(user=user, terms=current)


# Typed entry points: factory-boy is untyped, tests and fixtures call these.
def make_user(**kwargs: Any) -> User:
    return cast(User, UserFactory(**kwargs))


def make_structure(**kwargs: Any) -> Structure:
    return cast(Structure, StructureFactory(**kwargs))


def make_membership(**kwargs: Any) -> Membership:
    return cast(Membership, MembershipFactory(**kwargs))
