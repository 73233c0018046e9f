"""INT-1: Schemathesis drives every operation of the OpenAPI schema through the Django app (WSGI,
in the test's database) with generated parameters and bodies, a few deterministic examples each:
never a server error, and only the status codes the schema documents.

Examples are bounded (`MAX_EXAMPLES`) and derandomized, so a run takes the same path each time
and stays well under a minute. The token is the DAC coordinator's, and every `dossier_id` is a
dossier the token may open: the generated data then reaches the checks behind the door, not only
the door's 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import status_code_conformance

from cordee.api.testing import make_token
from cordee.api.tests.test_api_walk import API_REGISTRY

MAX_EXAMPLES = 5


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The project's WSGI app, in the test's transaction: as Django's test client does, the
    handler must not close the database connection at the end of each request (PostgreSQL would
    lose the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def dac_token(coordinator: Any, structure: Any) -> str:
    return make_token(coordinator, structure=structure, name="Schemathesis")[1]


def test_the_api_keeps_to_its_schema(wsgi_app: Any, dac_token: str, dossier: Any) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is valid OpenAPI
        operations.append(result.ok())
    assert len(operations) == len(API_REGISTRY)  # every operation, none skipped
    headers = {"Authorization": f"Bearer {dac_token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            if "dossier_id" in (case.path_parameters or {}):
                case.path_parameters["dossier_id"] = str(dossier.public_id)
            case.call_and_validate(headers=headers, checks=[not_a_server_error, status_code_conformance])

        run()
