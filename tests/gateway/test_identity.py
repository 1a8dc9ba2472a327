"""Users' tokens at the gateway: RS256 through the issuer's JWKS with key rotation, issuer and
audience checked, key refetches rate limited, internal tokens refused from users."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from nephos_common.auth import Role, issue_internal_token, issue_token
from nephos_gateway.main import create_app
from nephos_gateway.settings import Settings
from tests.fixtures.infra import DatabaseFactory, running
from tests.gateway.conftest import enrol, gateway_settings

ISSUER = "https://idp.example.test"
AUDIENCE = "nephos-portal"
ME = "{ me { user { subject } currentCompany { id role } } }"


@dataclass
class Issuer:
    """A local OIDC issuer: its JWKS is served over HTTP, its keys change when a test says."""

    url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    fetches: int = 0

    def add_key(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> bytes:
        self.fetches += 1
        keys = [
            {**json.loads(RSAAlgorithm.to_jwk(self.keys[k].public_key())), "kid": k, "alg": "RS256"}
            for k in self.published
        ]
        return json.dumps({"keys": keys}).encode()

    def token(self, kid: str, subject: str = "ann", **claims: Any) -> dict[str, str]:
        body = {"sub": subject, "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 300}
        body.update(claims)
        key = self.keys[kid] if kid in self.keys else next(iter(self.keys.values()))
        signed = jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})
        return {"Authorization": f"Bearer {signed}"}


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    found = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = found.jwks()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found.url = f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    yield found
    server.shutdown()
    server.server_close()


@dataclass
class Door:
    client: httpx.AsyncClient
    settings: Settings

    async def codes(self, headers: dict[str, str], document: str = ME) -> list[str]:
        body = await self.ask(headers, document)
        return [e["extensions"]["code"] for e in body.get("errors", [])]

    async def ask(self, headers: dict[str, str], document: str = ME) -> dict[str, Any]:
        answer = await self.client.post("/graphql", json={"query": document}, headers=headers)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


async def _door(databases: DatabaseFactory, issuer: Issuer, **overrides: Any) -> Any:
    settings = gateway_settings(
        await databases.create("nephos_gateway"),
        oidc_jwks_url=issuer.url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        **overrides,
    )
    app = create_app(settings)
    return settings, app


@pytest.fixture
async def door(databases: DatabaseFactory, issuer: Issuer) -> AsyncIterator[Door]:
    settings, app = await _door(databases, issuer, jwks_min_refresh_seconds=0)
    async with running(app, "http://gateway") as client:
        await enrol(app.state.database, "acme", "operator", subject="ann")
        yield Door(client=client, settings=settings)


async def test_keys_rotate_without_a_restart(door: Door, issuer: Issuer) -> None:
    issuer.add_key("k1")
    issuer.published = ["k1"]
    first = await door.ask(issuer.token("k1"))
    assert first["data"]["me"] == {
        "user": {"subject": "ann"},
        "currentCompany": {"id": "acme", "role": "OPERATOR"},
    }

    issuer.add_key("k2")
    issuer.published = ["k1", "k2"]  # the issuer starts signing with k2; k1 is still published
    assert "errors" not in await door.ask(issuer.token("k2"))
    assert "errors" not in await door.ask(issuer.token("k1"))

    issuer.published = ["k2"]  # k1 removed: the next unknown kid refetches, and k1 is gone
    assert await door.codes(issuer.token("k3-unknown")) == ["UNAUTHENTICATED"]
    assert await door.codes(issuer.token("k1")) == ["UNAUTHENTICATED"]
    assert "errors" not in await door.ask(issuer.token("k2"))


async def test_wrong_issuer_audience_or_signer_is_refused(door: Door, issuer: Issuer) -> None:
    issuer.add_key("k1")
    issuer.published = ["k1"]
    embedded = issue_token(door.settings, subject="ann", tenant="acme", role="admin")
    internal = issue_internal_token(door.settings, subject="ann", tenant="acme", role=Role.ADMIN)
    refused = [
        issuer.token("k1", iss="https://evil.example.test"),
        issuer.token("k1", aud="another-app"),
        issuer.token("k1", exp=int(time.time()) - 5),
        {"Authorization": f"Bearer {embedded}"},  # HS256 once an OIDC issuer is configured
        {"Authorization": f"Bearer {internal}"},  # the services' tokens are not users' tokens
    ]
    for headers in refused:
        assert await door.codes(headers) == ["UNAUTHENTICATED"]
    assert "errors" not in await door.ask(issuer.token("k1"))


async def test_unknown_key_ids_refetch_the_keys_at_most_once_per_interval(
    databases: DatabaseFactory, issuer: Issuer
) -> None:
    issuer.add_key("k1")
    issuer.published = ["k1"]
    settings, app = await _door(databases, issuer, jwks_min_refresh_seconds=60)
    async with running(app, "http://gateway") as client:
        await enrol(app.state.database, "acme", "viewer", subject="ann")
        door = Door(client=client, settings=settings)
        assert "errors" not in await door.ask(issuer.token("k1"))
        for _ in range(10):
            made_up = issuer.token(f"made-up-{uuid.uuid4().hex[:6]}")
            assert await door.codes(made_up) == ["UNAUTHENTICATED"]
        issuer.add_key("k2")
        issuer.published = ["k1", "k2"]
        # Within the interval even a real new key waits: the issuer is not flooded.
        assert await door.codes(issuer.token("k2")) == ["UNAUTHENTICATED"]
    assert issuer.fetches == 1


async def test_a_valid_token_of_an_unknown_user_is_refused(door: Door, issuer: Issuer) -> None:
    issuer.add_key("k1")
    issuer.published = ["k1"]
    body = await door.ask(issuer.token("k1", subject="stranger"))
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "unknown_user"}
