"""INT-1: personal access tokens — made from a second-factor session, shown once, stored hashed,
acting as the person or one of their structures, dead when revoked, expired or suspended,
rate limited, and every call journaled with the token's name."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Membership
from cordee.api.models import ApiToken
from cordee.api.testing import bearer_client, make_token, verified_client
from cordee.api.tokens import Refusal, authenticate
from cordee.audit.models import Access
from cordee.core import clock

pytestmark = pytest.mark.django_db
ME = "/api/v1/moi"


def _form(structure_id: str = "moi", days: int = 30, name: str = "Logiciel du cabinet", scope: str = "READ"):
    return {
        "name": name,
        "scope": scope,
        "acting_as": structure_id,
        "expires_on": (clock.today() + datetime.timedelta(days=days)).isoformat(),
    }


def test_a_session_without_second_factor_cannot_make_a_token(coordinator, client_for) -> None:
    client = client_for(coordinator)
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200
    assert "double authentification" in page.content.decode()
    assert client.post(reverse("api:tokens"), _form()).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_secret_is_shown_once_and_stored_hashed(coordinator, structure) -> None:
    client = verified_client(coordinator)
    response = client.post(reverse("api:tokens"), _form(str(structure.public_id), scope="WRITE"))
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("cordee_pat_") and len(secret) > 40
    assert secret in response.content.decode()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.membership == Membership.objects.get(user=coordinator, structure=structure)
    assert token.scope == ApiToken.Scope.WRITE
    assert clock.date_of(token.expires_at) == clock.today() + datetime.timedelta(days=30)
    again = client.get(reverse("api:tokens")).content.decode()
    assert secret not in again and token.prefix in again and "Logiciel du cabinet" in again


def test_a_token_cannot_act_as_someone_elses_structure(coordinator, maternity) -> None:
    response = verified_client(coordinator).post(reverse("api:tokens"), _form(str(maternity.public_id)))
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("days", "message"), [(0, "Veuillez indiquer une date entre"), (400, "entre le")])
def test_the_expiry_is_bounded(coordinator, days: int, message: str) -> None:
    response = verified_client(coordinator).post(reverse("api:tokens"), _form(days=days))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_acts_as_its_structure_and_each_call_is_journaled(coordinator, structure) -> None:
    _, raw = make_token(coordinator, structure=structure, name="DPI maternité")
    response = bearer_client(raw).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["structure"] == structure.name and body["token"] == "DPI maternité"
    assert "no-store" in response["Cache-Control"]
    entry = Access.objects.get(action="api")
    assert entry.user == coordinator and entry.structure == structure
    assert "DPI maternité" in entry.what and "GET /api/v1/moi" in entry.what
    assert ApiToken.objects.get().last_used_at is not None


def _refused(raw: str, detail: str) -> None:
    response = bearer_client(raw).get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == detail
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_missing_and_unknown_tokens_are_refused(client) -> None:
    response = client.get(ME)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert "manquant" in response.json()["detail"]
    _refused("cordee_pat_inventé", "Jeton d'accès inconnu.")
    assert not Access.objects.filter(action="api").exists()


def test_a_revoked_token_dies_at_once(coordinator, client_for) -> None:
    token, raw = make_token(coordinator)
    assert bearer_client(raw).get(ME).status_code == 200
    response = client_for(coordinator).post(reverse("api:token_revoke", args=[token.public_id]))
    assert response.status_code == 302
    _refused(raw, "Ce jeton d'accès a été révoqué.")


def test_nobody_else_revokes_my_token(coordinator, member, client_for) -> None:
    token, raw = make_token(coordinator)
    response = client_for(member).post(reverse("api:token_revoke", args=[token.public_id]))
    assert response.status_code == 404
    assert bearer_client(raw).get(ME).status_code == 200


def test_an_expired_token_is_refused(coordinator) -> None:
    _, raw = make_token(coordinator, days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        _refused(raw, "Ce jeton d'accès a expiré.")


def test_a_suspended_account_s_token_stops_at_once(coordinator) -> None:
    _, raw = make_token(coordinator)
    assert bearer_client(raw).get(ME).status_code == 200
    coordinator.is_active = False
    coordinator.save()
    _refused(raw, "Le compte de ce jeton est suspendu.")


def test_a_token_dies_with_its_membership(coordinator, structure) -> None:
    _, raw = make_token(coordinator, structure=structure)
    Membership.objects.filter(user=coordinator, structure=structure).update(is_active=False)
    _refused(raw, "Le rattachement à la structure de ce jeton a pris fin.")


def test_a_read_token_may_not_write(coordinator) -> None:
    token, raw = make_token(coordinator, scope=ApiToken.Scope.READ)
    assert authenticate(raw, "GET") == token
    with pytest.raises(Refusal) as refused:
        authenticate(raw, "POST")
    assert refused.value.status == 403


def test_each_token_is_rate_limited(coordinator, settings) -> None:
    settings.CORDEE_API_CALLS_PER_MINUTE = 3
    _, raw = make_token(coordinator)
    _, other = make_token(coordinator, name="Autre logiciel")
    start = timezone.now().replace(second=5, microsecond=0)
    with time_machine.travel(start, tick=False):
        client = bearer_client(raw)
        assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(ME)
        assert response.status_code == 429
        assert response["Retry-After"] == "55"
        assert "3 requêtes par minute" in response.json()["detail"]
        assert bearer_client(other).get(ME).status_code == 200  # per token, not per person
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        assert bearer_client(raw).get(ME).status_code == 200


def test_the_schema_is_openapi_3_1_and_its_page_uses_vendored_assets(client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    assert "bearer" in json.dumps(schema.json()["components"]["securitySchemes"]).lower()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/api/docs.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
