"""Short-lived cloud sessions for other services' jobs: the asset service issues them
for its tenant's accounts to Nephos services only, and they work against the cloud."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from aiobotocore.session import AioSession

from nephos_common.auth import Role, issue_internal_token, service_subject
from nephos_common.cloud_sessions import SESSIONS_PATH, AwsSession, AzureSession, CloudSessions
from nephos_common.errors import NephosError, NotFound
from nephos_common.settings import ServiceSettings
from tests.asset.helpers import register_aws, register_azure
from tests.fixtures.asset import AssetService
from tests.fixtures.azure import ArmStandIn

SECRET = "testing-secret-that-must-not-travel"


def _sessions(service: AssetService) -> CloudSessions:
    """The caller's side, as metering or monitoring build it, talking to the app over ASGI."""
    settings = ServiceSettings(internal_secret=service.settings.internal_secret)
    return CloudSessions(settings, "http://asset", transport=httpx.ASGITransport(service.app))


async def test_an_aws_key_pair_account_gets_temporary_credentials_that_work(
    asset_service: AssetService, fresh_moto: str
) -> None:
    account = await register_aws(
        asset_service.client, asset_service.auth(), fresh_moto, secret_access_key=SECRET
    )
    sessions = _sessions(asset_service)
    try:
        session = await sessions.get("acme", uuid.UUID(account["id"]))
        again = await sessions.get("acme", uuid.UUID(account["id"]))
    finally:
        await sessions.close()

    assert isinstance(session, AwsSession)
    assert again is session, "a session is reused until shortly before it expires"
    assert session.access_key_id != "AKIAEXAMPLEKEY000001"
    assert session.secret_access_key != SECRET
    assert session.session_token
    assert session.expires_at > time.time() + 600
    assert session.endpoint_url == fresh_moto
    assert SECRET not in repr(session)
    async with AioSession().create_client(
        "sts", region_name="us-east-1", **session.client_kwargs()
    ) as sts:
        identity = await sts.get_caller_identity()
    assert identity["Account"]


async def test_a_role_account_gets_the_assumed_role(
    asset_service: AssetService, fresh_moto: str
) -> None:
    body = {
        "name": "Role account",
        "provider": "aws",
        "credentials": {
            "access_key_id": "AKIAEXAMPLEKEY000001",
            "secret_access_key": SECRET,
            "role_arn": "arn:aws:iam::123456789012:role/nephos-reader",
            "external_id": "ext-123",
        },
        "endpoint_url": fresh_moto,
        "regions": ["eu-west-1"],
    }
    created = await asset_service.client.post("/accounts", json=body, headers=asset_service.auth())
    assert created.status_code == 201, created.text
    sessions = _sessions(asset_service)
    try:
        session = await sessions.get("acme", uuid.UUID(created.json()["id"]))
    finally:
        await sessions.close()
    assert isinstance(session, AwsSession)
    assert session.region == "eu-west-1"
    async with AioSession().create_client(
        "sts", region_name="us-east-1", **session.client_kwargs()
    ) as sts:
        identity = await sts.get_caller_identity()
    assert "assumed-role/nephos-reader" in identity["Arn"]


async def test_an_azure_account_gets_an_arm_token_the_stand_in_accepts(
    asset_service: AssetService, arm: ArmStandIn
) -> None:
    account = await register_azure(asset_service.client, asset_service.auth(), arm)
    sessions = _sessions(asset_service)
    try:
        session = await sessions.get("acme", uuid.UUID(account["id"]))
    finally:
        await sessions.close()
    assert isinstance(session, AzureSession)
    assert session.arm_url == arm.url.rstrip("/")
    assert arm.server.config.client_secret not in repr(session)
    token = await session.credential().get_token(f"{session.arm_url}/.default")
    path = f"/subscriptions/{session.subscription_id}?api-version=2022-12-01"
    async with httpx.AsyncClient(base_url=session.arm_url) as client:
        with_token = await client.get(path, headers={"Authorization": f"Bearer {token.token}"})
        forged = await client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert with_token.status_code == 200, with_token.text
    assert forged.status_code == 401


async def test_users_even_admins_cannot_ask_for_sessions(
    asset_service: AssetService, fresh_moto: str
) -> None:
    account = await register_aws(asset_service.client, asset_service.auth(), fresh_moto)
    answer = await asset_service.client.post(
        SESSIONS_PATH, json={"account_id": account["id"]}, headers=asset_service.auth()
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "internal_only"


async def test_an_internal_token_signed_with_another_secret_is_refused(
    asset_service: AssetService, fresh_moto: str
) -> None:
    account = await register_aws(asset_service.client, asset_service.auth(), fresh_moto)
    forger = ServiceSettings(internal_secret="a-secret-the-asset-service-does-not-hold")
    token = issue_internal_token(
        forger, subject=service_subject("metering"), tenant="acme", role=Role.OPERATOR
    )
    answer = await asset_service.client.post(
        SESSIONS_PATH,
        json={"account_id": account["id"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 401


async def test_another_tenants_account_is_not_found(
    asset_service: AssetService, fresh_moto: str
) -> None:
    account = await register_aws(asset_service.client, asset_service.auth(), fresh_moto)
    sessions = _sessions(asset_service)
    try:
        with pytest.raises(NotFound):
            await sessions.get("globex", uuid.UUID(account["id"]))
    finally:
        await sessions.close()


async def test_refused_credentials_are_a_clear_error(
    asset_service: AssetService, arm: ArmStandIn
) -> None:
    account = await register_azure(asset_service.client, asset_service.auth(), arm)
    patched = await asset_service.client.patch(
        f"/accounts/{account['id']}",
        json={
            "credentials": {
                "tenant_id": arm.server.config.tenant_id,
                "client_id": arm.server.config.client_id,
                "client_secret": "wrong-secret",
                "subscription_id": arm.server.config.subscription_id,
            }
        },
        headers=asset_service.auth(),
    )
    assert patched.status_code == 200, patched.text
    sessions = _sessions(asset_service)
    try:
        with pytest.raises(NephosError) as refused:
            await sessions.get("acme", uuid.UUID(account["id"]))
    finally:
        await sessions.close()
    assert refused.value.code == "invalid_credentials"
