"""Personas shared by the whole suite (STYLE.md: a coordinator acting as a structure, a
member without privileges, a stranger, a platform administrator)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from cordee.accounts.models import Membership, Structure, User
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from tests.factories import accept_current_terms, make_membership, make_structure, make_user


def pytest_configure(config: pytest.Config) -> None:
    """CORDEE_TEST_CLOCK=<ISO moment> runs the suite on a travelled clock that keeps ticking from
    that moment (issue 25: `make test-clocks` — half past midnight in Paris, the nights the clocks
    change, New Year's Eve). A test must pass whatever the hour CI runs at."""
    moment = os.environ.get("CORDEE_TEST_CLOCK")
    if moment:
        destination = datetime.datetime.fromisoformat(moment)
        if destination.tzinfo is None:
            raise pytest.UsageError("CORDEE_TEST_CLOCK needs a time zone, e.g. 2027-03-27T23:30:00+00:00")
        time_machine.travel(destination, tick=True).start()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e drives Chromium: it carries the e2e mark whether or not its
    module says so, so that `-m "not e2e"` (the clock passes, test-unit) never launches a browser
    (a module without `pytestmark` once ran its browser tests in every clock pass). The bench's
    tests carry `once` (make test-clocks skips them: CI time, issue 22)."""
    e2e = os.path.join(str(config.rootpath), "tests", "e2e") + os.sep
    bench = os.path.join(str(config.rootpath), "tests", "test_bench")
    for item in items:
        if str(item.path).startswith(e2e):
            item.add_marker(pytest.mark.e2e)
        elif str(item.path).startswith(bench):
            # The bench's own tools (tests/test_bench*.py) measure on the real clock once per CI.
            item.add_marker(pytest.mark.once)


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = os.environ.get("CORDEE_TEST_CLOCK")
    return f"travelled clock: {moment} (CORDEE_TEST_CLOCK)" if moment else None


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Any]:
    """NOT-2: a real SMTP server on loopback, and the settings sending to it."""
    from tests.smtp_sink import SmtpSink

    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()


@pytest.fixture
def structure(db: None) -> Structure:
    return make_structure(name="DAC Test Azur", kind=Structure.Kind.DAC)


@pytest.fixture
def coordinator(structure: Structure) -> User:
    user = make_user(username="coordinatrice", last_name="Coordin", first_name="Claire")
    make_membership(user=user, structure=structure, role=Membership.Role.SUPERUSER)
    accept_current_terms(user)
    return user


@pytest.fixture
def member(structure: Structure) -> User:
    user = make_user(username="membre", last_name="Membre", first_name="Marc")
    make_membership(user=user, structure=structure, role=Membership.Role.USER)
    accept_current_terms(user)
    return user


@pytest.fixture
def stranger(db: None) -> User:
    user = make_user(username="etranger", last_name="Etranger", first_name="Eric")
    accept_current_terms(user)
    return user


@pytest.fixture
def admin_user(db: None) -> User:
    user = make_user(username="adminplateforme", is_staff=True, is_superuser=True, profession=None, rpps=None)
    accept_current_terms(user)
    return user


@pytest.fixture
def client_for() -> Callable[..., Client]:
    """A signed-in client, optionally acting as one structure."""

    def make(user: User, acting_as: Structure | None = None) -> Client:
        client = Client()
        client.force_login(user)
        if acting_as is not None:
            session = client.session
            session[ACTING_STRUCTURE_KEY] = str(acting_as.public_id)
            session.save()
        return client

    return make


@pytest.fixture
def maternity(db: None) -> Structure:
    return make_structure(name="Maternité Test", kind=Structure.Kind.MATERNITY)


@pytest.fixture
def dossier_of_other_structure(coordinator: User, maternity: Structure):
    """A dossier created by the coordinator acting for the maternity (not the DAC)."""
    from cordee.patients.testing import create_test_patient

    make_membership(user=coordinator, structure=maternity, role=Membership.Role.USER)
    return create_test_patient(coordinator, maternity)


@pytest.fixture
def dossier(coordinator: User, structure: Structure):
    """A dossier created by the coordinator acting as the DAC."""
    from cordee.patients.testing import create_test_patient

    return create_test_patient(coordinator, structure)


@pytest.fixture
def reloaded_reference_data(transactional_db: None) -> None:
    """For a transactional test: an earlier one's flush emptied what data migrations wrote."""
    from tests.reference_data import reload_reference_data

    reload_reference_data()


@pytest.fixture(autouse=True)
def _empty_journal_before_flush(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Transactional tests end with a flush, which the append-only journal would refuse."""
    transactional = {"live_server", "transactional_db"} & set(request.fixturenames)
    if transactional:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after us
    yield
    if transactional:
        from cordee.audit.testing import purge_journal_for_tests

        purge_journal_for_tests()
