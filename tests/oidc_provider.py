"""A real OpenID Connect provider on loopback for the tests, shaped after Pro Santé Connect.

Discovery, authorisation (consent given at once for the `subject` chosen by the test), token
(client secret, single-use code, redirect URI and PKCE S256 checked with Authlib's own
primitive), userinfo and JWKS. ID tokens are RS256 JWTs signed with joserfc. Knobs let a test
make it misbehave: a wrong nonce, another level of assurance, another audience.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "cordee-test"
CLIENT_SECRET = "secret-de-test"


@dataclass
class Subject:
    national_id: str
    family_name: str = "AUBERT-LENOIR"
    given_name: str = "CAMILLE"


@dataclass
class Grant:
    subject: Subject
    redirect_uri: str
    nonce: str
    challenge: str
    method: str


@dataclass
class OidcProvider:
    subject: Subject = field(default_factory=lambda: Subject("810099000019"))
    acr: str = "eidas1"
    wrong_nonce: bool = False
    audience: str = CLIENT_ID
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "cle-1", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, Subject] = {}
        self.server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/realms/sante"

    def start(self) -> OidcProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                path = url.path.removeprefix("/realms/sante")
                if path == "/.well-known/openid-configuration":
                    self._json(200, provider.metadata())
                elif path == "/jwks":
                    self._json(200, dict(KeySet([provider.key]).as_dict(private=False)))
                elif path == "/authorize":
                    provider.authorize_requests.append(query)
                    self.send_response(302)
                    self.send_header("Location", provider.authorize(query))
                    self.end_headers()
                elif path == "/userinfo":
                    subject = provider.tokens.get(
                        self.headers.get("Authorization", "").removeprefix("Bearer ")
                    )
                    if subject is None:
                        self._json(401, {"error": "invalid_token"})
                    else:
                        self._json(200, provider.userinfo(subject))
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, body = provider.token(form, self.headers.get("Authorization", ""))
                self._json(status, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": ["eidas1"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return f"{query.get('redirect_uri', '')}?" + urlencode({"error": "unauthorized_client"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(
            subject=self.subject,
            redirect_uri=query["redirect_uri"],
            nonce=query.get("nonce", ""),
            challenge=query.get("code_challenge", ""),
            method=query.get("code_challenge_method", ""),
        )
        return f"{query['redirect_uri']}?" + urlencode({"code": code, "state": query.get("state", "")})

    def _client_ok(self, form: dict[str, str], authorization: str) -> bool:
        import base64

        if authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[6:]).decode()
            return pair == f"{CLIENT_ID}:{CLIENT_SECRET}"
        return form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        def refuse(error: str) -> tuple[int, dict[str, Any]]:
            self.token_errors.append(error)
            return 400, {"error": error}

        if not self._client_ok(form, authorization):
            return refuse("invalid_client")
        grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return refuse("invalid_grant")
        verifier = form.get("code_verifier", "")
        if grant.method != "S256" or not verifier or create_s256_code_challenge(verifier) != grant.challenge:
            return refuse("invalid_grant")
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": f"psc-{grant.subject.national_id}",
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": "pas-le-bon" if self.wrong_nonce else grant.nonce,
            "acr": self.acr,
            "preferred_username": grant.subject.national_id,
        }
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant.subject
        id_token = jwt.encode({"alg": "RS256", "kid": "cle-1"}, claims, self.key)
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def userinfo(self, subject: Subject) -> dict[str, Any]:
        return {
            "sub": f"psc-{subject.national_id}",
            "SubjectNameID": subject.national_id,
            "family_name": subject.family_name,
            "given_name": subject.given_name,
            "SubjectRefPro": {"codeCivilite": "DR", "exercices": [{"codeProfession": "10"}]},
        }
