"""Tenant-scoped reads every domain repeats: fetch one by id, list, check a name.

Each query carries the tenant in its ``WHERE``: an id from another company
answers "not found", exactly as an id that does not exist, so ids cannot be
probed across companies.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound

Owned = TypeVar("Owned")


async def get_owned(
    session: AsyncSession,
    model: type[Owned],
    tenant: str,
    object_id: uuid.UUID,
    *,
    what: str,
    code: str,
) -> Owned:
    """The tenant's row ``object_id`` of ``model``, or ``NotFound(code)`` naming ``what``."""
    table: Any = model
    found = await session.scalar(select(model).where(table.tenant == tenant, table.id == object_id))
    if found is None:
        raise NotFound(f"{what} {object_id} not found", code=code)
    return found


async def list_owned(
    session: AsyncSession, model: type[Owned], tenant: str, *, order_by: Any = None
) -> list[Owned]:
    """All of the tenant's rows of ``model`` (by name unless ``order_by`` says otherwise)."""
    table: Any = model
    query = select(model).where(table.tenant == tenant)
    query = query.order_by(order_by if order_by is not None else table.name)
    return list(await session.scalars(query))


async def name_taken(
    session: AsyncSession,
    model: type[Any],
    tenant: str,
    name: str,
    except_id: uuid.UUID | None = None,
) -> bool:
    """Whether another of the tenant's ``model`` rows already has ``name``."""
    query = select(model.id).where(model.tenant == tenant, model.name == name)
    if except_id is not None:
        query = query.where(model.id != except_id)
    return await session.scalar(query) is not None
