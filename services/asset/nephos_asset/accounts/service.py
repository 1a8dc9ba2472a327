"""Rules for cloud accounts: secrets sealed on the way in, never out, and a
connection test that records what the provider said about the credentials."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts import repository
from nephos_asset.accounts.connect import credential_context, open_collector
from nephos_asset.accounts.models import AccountStatus, CloudAccount
from nephos_asset.accounts.schemas import AccountCreate, AccountUpdate, ConnectionTest
from nephos_asset.collectors.errors import InvalidCredentialsError
from nephos_common.auth import Principal
from nephos_common.contracts.asset import AccountRemoved
from nephos_common.crypto import SecretBox
from nephos_common.db import utcnow
from nephos_common.errors import Conflict
from nephos_common.messaging import outbox
from nephos_common.messaging.tables import MessagingTables

SOURCE = "asset"


async def register(
    session: AsyncSession, principal: Principal, data: AccountCreate, box: SecretBox
) -> CloudAccount:
    if await repository.name_taken(session, principal.tenant, data.name):
        raise Conflict(f"an account named {data.name!r} exists", code="account_name_taken")
    account = CloudAccount(
        id=uuid.uuid4(),
        tenant=principal.tenant,
        name=data.name,
        provider=data.provider,
        auth_method=data.credentials.auth_method,
        endpoint_url=_url(data.endpoint_url),
        auth_endpoint_url=_url(data.auth_endpoint_url),
        regions=data.regions,
        discovery_interval_minutes=data.discovery_interval_minutes,
        status=AccountStatus.UNVERIFIED,
    )
    account.sealed_credentials = box.seal(
        data.credentials.sealed_form(), context=credential_context(account)
    )
    session.add(account)
    await session.flush()
    return account


async def update(
    session: AsyncSession, account: CloudAccount, data: AccountUpdate, box: SecretBox
) -> CloudAccount:
    given = data.model_fields_set
    data.check_for(account.provider)
    if data.name is not None and data.name != account.name:
        if await repository.name_taken(session, account.tenant, data.name, account.id):
            raise Conflict(f"an account named {data.name!r} exists", code="account_name_taken")
        account.name = data.name
    if data.credentials is not None:
        account.auth_method = data.credentials.auth_method
        account.sealed_credentials = box.seal(
            data.credentials.sealed_form(), context=credential_context(account)
        )
        account.status, account.status_reason = AccountStatus.UNVERIFIED, None
    if "endpoint_url" in given:
        account.endpoint_url = _url(data.endpoint_url)
    if "auth_endpoint_url" in given:
        account.auth_endpoint_url = _url(data.auth_endpoint_url)
    if "regions" in given:
        account.regions = data.regions
    if "discovery_interval_minutes" in given:
        account.discovery_interval_minutes = data.discovery_interval_minutes
    account.updated_at = utcnow()
    await session.flush()
    return account


def _url(value: object | None) -> str | None:
    return str(value).rstrip("/") if value else None


async def remove(session: AsyncSession, tables: MessagingTables, account: CloudAccount) -> None:
    """Delete the account with its inventory; consumers learn it from one event."""
    event = AccountRemoved(account_id=account.id, provider=account.provider)
    await outbox.record(session, tables, [event.envelope(tenant=account.tenant, source=SOURCE)])
    await session.delete(account)
    await session.flush()


async def test_connection(
    session: AsyncSession, account: CloudAccount, box: SecretBox, *, max_attempts: int
) -> ConnectionTest:
    collector = open_collector(account, box, max_attempts=max_attempts)
    try:
        native_id = await collector.verify()
    except InvalidCredentialsError as exc:
        mark_invalid(account, exc.reason)
        return ConnectionTest(ok=False, error_code="invalid_credentials", message=exc.reason)
    finally:
        await collector.aclose()
    mark_valid(account, native_id)
    await session.flush()
    return ConnectionTest(ok=True, native_account_id=native_id)


def mark_invalid(account: CloudAccount, reason: str) -> None:
    account.status = AccountStatus.INVALID_CREDENTIALS
    account.status_reason = reason


def mark_valid(account: CloudAccount, native_id: str) -> None:
    account.status = AccountStatus.ACTIVE
    account.status_reason = None
    account.native_account_id = native_id
