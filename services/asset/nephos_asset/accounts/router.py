"""HTTP routes of cloud accounts: viewers read, admins change."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts import repository, service
from nephos_asset.accounts.schemas import (
    AccountCreate,
    AccountList,
    AccountOut,
    AccountUpdate,
    ConnectionTest,
)
from nephos_asset.settings import Settings
from nephos_common.auth import Principal, admin, viewer
from nephos_common.crypto import SecretBox
from nephos_common.db import session_dependency

router = APIRouter(prefix="/accounts", tags=["cloud accounts"])


def _box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
async def register_account(
    data: AccountCreate,
    request: Request,
    principal: Principal = admin,
    session: AsyncSession = Depends(session_dependency),
) -> AccountOut:
    """Register a cloud account; its secret is encrypted and never returned."""
    _settings(request).check_endpoint_override(data.endpoint_url, data.auth_endpoint_url)
    account = await service.register(session, principal, data, _box(request))
    return AccountOut.model_validate(account)


@router.get("", response_model=AccountList)
async def list_accounts(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> AccountList:
    accounts = await repository.list_for(session, principal.tenant)
    return AccountList(items=[AccountOut.model_validate(a) for a in accounts])


@router.get("/{account_id}", response_model=AccountOut)
async def get_account(
    account_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AccountOut:
    return AccountOut.model_validate(await repository.get(session, principal.tenant, account_id))


@router.patch("/{account_id}", response_model=AccountOut)
async def update_account(
    account_id: uuid.UUID,
    data: AccountUpdate,
    request: Request,
    principal: Principal = admin,
    session: AsyncSession = Depends(session_dependency),
) -> AccountOut:
    _settings(request).check_endpoint_override(data.endpoint_url, data.auth_endpoint_url)
    account = await repository.get(session, principal.tenant, account_id)
    return AccountOut.model_validate(await service.update(session, account, data, _box(request)))


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_account(
    account_id: uuid.UUID,
    request: Request,
    principal: Principal = admin,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    """Remove the account and its inventory."""
    account = await repository.get(session, principal.tenant, account_id)
    await service.remove(session, request.app.state.tables, account)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{account_id}/test", response_model=ConnectionTest)
async def test_account(
    account_id: uuid.UUID,
    request: Request,
    principal: Principal = admin,
    session: AsyncSession = Depends(session_dependency),
) -> ConnectionTest:
    """Check the credentials against the provider and record the outcome on the account."""
    account = await repository.get(session, principal.tenant, account_id)
    attempts = _settings(request).discovery_max_attempts
    return await service.test_connection(session, account, _box(request), max_attempts=attempts)
