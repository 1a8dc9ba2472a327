"""Token verification (HS256 locally, RS256 through a JWKS), roles, tenants, sealed secrets."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from nephos_common.auth import (
    Role,
    TokenVerifier,
    issue_internal_token,
    issue_token,
    service_subject,
)
from nephos_common.crypto import SecretBox
from nephos_common.errors import Forbidden, Unauthenticated
from nephos_common.settings import INTERNAL_ISSUER, Environment, ServiceSettings

SETTINGS = ServiceSettings(jwt_secret="a-test-secret-of-enough-length-123456")


def test_a_local_token_names_its_company_and_role() -> None:
    token = issue_token(SETTINGS, subject="ana", tenant="acme", role="operator")

    principal = TokenVerifier(SETTINGS).principal(token)

    assert (principal.subject, principal.tenant, principal.role) == ("ana", "acme", Role.OPERATOR)
    principal.require(Role.VIEWER)
    with pytest.raises(Forbidden):
        principal.require(Role.ADMIN)


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"exp": int(time.time()) - 10}, "token_expired"),
        ({"aud": "someone-else"}, "invalid_token"),
        ({"role": "superuser"}, "invalid_token"),
        ({"tenant": ""}, "invalid_token"),
    ],
)
def test_bad_tokens_are_refused_with_a_code(claims: dict[str, object], code: str) -> None:
    body = {
        "sub": "ana", "tenant": "acme", "role": "admin", "iss": SETTINGS.jwt_issuer,
        "aud": SETTINGS.jwt_audience, "exp": int(time.time()) + 60, **claims,
    }  # fmt: skip
    token = jwt.encode(body, SETTINGS.jwt_secret, algorithm="HS256")

    with pytest.raises(Unauthenticated) as refused:
        TokenVerifier(SETTINGS).principal(token)

    assert refused.value.code == code


def test_msp_staff_act_only_for_their_companies() -> None:
    token = issue_token(SETTINGS, subject="msp", tenant="msp", tenants=["acme", "globex"])
    verifier = TokenVerifier(SETTINGS)

    assert verifier.principal(token, "globex").tenant == "globex"
    with pytest.raises(Forbidden):
        verifier.principal(token, "initech")


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    server.shutdown()


def test_an_oidc_token_is_verified_through_the_issuers_jwks(
    jwks_server: tuple[str, rsa.RSAPrivateKey],
) -> None:
    url, key = jwks_server
    settings = ServiceSettings(oidc_jwks_url=url, jwt_issuer="https://idp", jwt_audience="nephos")
    claims = {
        "sub": "ana", "tenant": "acme", "role": "viewer", "iss": "https://idp",
        "aud": "nephos", "exp": int(time.time()) + 60,
    }  # fmt: skip
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    local = issue_token(settings, subject="ana", tenant="acme")

    assert TokenVerifier(settings).principal(good).role is Role.VIEWER
    with pytest.raises(Unauthenticated):
        TokenVerifier(settings).principal(local)


def test_production_refuses_the_embedded_secret() -> None:
    with pytest.raises(ValueError, match="embedded default"):
        ServiceSettings(environment=Environment.PRODUCTION)
    with pytest.raises(ValueError, match="internal_secret is the embedded default"):
        ServiceSettings(environment=Environment.PRODUCTION, jwt_secret="j" * 40)


def test_internal_tokens_carry_a_service_or_a_decided_role_and_cannot_be_forged() -> None:
    settings = ServiceSettings(jwt_secret="j" * 40, internal_secret="i" * 40)
    verifier = TokenVerifier(settings)
    service = issue_internal_token(
        settings, subject=service_subject("metering"), tenant="acme", role=Role.OPERATOR
    )
    user = issue_internal_token(settings, subject="ann@acme", tenant="acme", role=Role.VIEWER)

    as_service = verifier.principal(service)
    assert (as_service.internal, as_service.service, as_service.role) == (
        True,
        "metering",
        Role.OPERATOR,
    )
    as_user = verifier.principal(user)
    assert (as_user.internal, as_user.service, as_user.role) == (True, None, Role.VIEWER)
    assert verifier.principal(issue_token(settings, subject="ann", tenant="acme")).internal is False

    # Signed with the users' secret, or with another internal secret: refused.
    wrong_key = ServiceSettings(jwt_secret="i" * 40, internal_secret="j" * 40)
    for forged in (
        issue_internal_token(wrong_key, subject="service:x", tenant="acme", role=Role.ADMIN),
        jwt.encode(
            {"sub": "service:x", "tenant": "acme", "role": "admin", "iss": INTERNAL_ISSUER,
             "aud": INTERNAL_ISSUER, "exp": int(time.time()) + 60},
            "j" * 40,
            algorithm="HS256",
        ),
    ):  # fmt: skip
        with pytest.raises(Unauthenticated):
            verifier.principal(forged)


def test_a_sealed_secret_opens_only_with_its_context() -> None:
    box = SecretBox(SecretBox.generate_key())
    sealed = box.seal({"secret_access_key": "s3cr3t"}, context="acme/1")

    assert box.open(sealed, context="acme/1") == {"secret_access_key": "s3cr3t"}
    assert b"s3cr3t" not in sealed
    with pytest.raises(ValueError):
        box.open(sealed, context="globex/1")
    with pytest.raises(ValueError):
        SecretBox("c2hvcnQ=")
