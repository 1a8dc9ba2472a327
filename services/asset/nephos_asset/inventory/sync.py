"""Sync one listed unit (account x region x resource type) into the inventory.

Cartography's sync-and-cleanup: every asset seen is stamped ``last_seen``; new
ones are inserted, changed ones get a new version; and only when the unit was
listed completely are live assets that were not seen retired. Each effect is
recorded as history and as an outbox event in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.collectors.base import GLOBAL_REGION, NormalizedAsset, UnitKey
from nephos_asset.inventory.fingerprint import Prepared, diff, dumps, prepare
from nephos_asset.inventory.models import Asset, AssetVersion
from nephos_common.contracts.asset import (
    AssetSnapshot,
    ResourceChanged,
    ResourceDeleted,
    ResourceDiscovered,
)
from nephos_common.db import any_of, copy_rows
from nephos_common.messaging.envelope import Envelope

SOURCE = "asset"
ASSET_COLUMNS = (
    "id", "tenant", "account_id", "provider", "region", "category", "native_type", "native_id",
    "name", "state", "tags", "spec", "relations", "raw", "fingerprint", "version",
    "first_seen", "last_seen",
)  # fmt: skip
VERSION_COLUMNS = (
    "asset_id", "tenant", "account_id", "version", "change", "diff", "changed_at",
)  # fmt: skip
APPEARED_DIFF = "{}"
"""An appearance needs no diff: version 1 is the asset row as first stored, and every
later version's diff leads from it."""


@dataclass(frozen=True)
class UnitScope:
    tenant: str
    account_id: uuid.UUID
    provider: str
    unit: UnitKey


@dataclass(frozen=True, slots=True)
class Touched:
    """An asset whose tags or liveness may have moved it in or out of a service group."""

    asset_id: uuid.UUID
    tags: dict[str, str]
    live: bool


@dataclass
class SyncOutcome:
    found: int = 0
    created: int = 0
    changed: int = 0
    deleted: int = 0
    events: list[Envelope] = field(default_factory=list)
    touched: list[Touched] = field(default_factory=list)


@dataclass
class _Plan:
    inserts: list[tuple[uuid.UUID, Prepared]] = field(default_factory=list)
    updates: list[tuple[Row[Any], Prepared]] = field(default_factory=list)
    unchanged: list[uuid.UUID] = field(default_factory=list)
    retired: list[Row[Any]] = field(default_factory=list)


async def sync_unit(
    session: AsyncSession,
    scope: UnitScope,
    assets: Sequence[NormalizedAsset],
    *,
    complete: bool,
    seen_at: datetime,
) -> SyncOutcome:
    incoming = {a.native_id: a for a in assets}
    existing = await _existing(session, scope)
    plan = _plan(existing, incoming, complete)
    outcome = SyncOutcome(found=len(incoming))
    await _insert(session, scope, plan, seen_at, outcome)
    await _update_changed(session, scope, plan, seen_at, outcome)
    await _touch(session, plan.unchanged, seen_at)
    await _retire(session, scope, plan.retired, seen_at, outcome)
    return outcome


async def _existing(session: AsyncSession, scope: UnitScope) -> dict[str, Row[Any]]:
    a = Asset.__table__.c
    query = select(
        a.id, a.native_id, a.fingerprint, a.version, a.deleted_at, a.region, a.category
    ).where(a.account_id == scope.account_id, a.native_type == scope.unit.native_type)
    if scope.unit.region != GLOBAL_REGION:
        query = query.where(a.region == scope.unit.region)
    rows: list[Row[Any]] = list(await session.execute(query))
    return {row.native_id: row for row in rows}


def _plan(
    existing: dict[str, Row[Any]], incoming: dict[str, NormalizedAsset], complete: bool
) -> _Plan:
    plan = _Plan()
    for native_id, asset in incoming.items():
        prepared = prepare(asset)
        row = existing.get(native_id)
        if row is None or row.region != asset.region:
            plan.inserts.append((uuid.uuid4(), prepared))
            if row is not None:
                plan.retired.append(row)
        elif row.deleted_at is not None or row.fingerprint != prepared.fingerprint:
            plan.updates.append((row, prepared))
        else:
            plan.unchanged.append(row.id)
    if complete:
        plan.retired.extend(
            row
            for native_id, row in existing.items()
            if native_id not in incoming and row.deleted_at is None
        )
    return plan


async def _insert(
    session: AsyncSession, scope: UnitScope, plan: _Plan, seen_at: datetime, outcome: SyncOutcome
) -> None:
    if not plan.inserts:
        return
    asset_rows = []
    version_rows = []
    for asset_id, p in plan.inserts:
        a = p.asset
        asset_rows.append((
            asset_id, scope.tenant, scope.account_id, scope.provider, a.region, str(a.category),
            a.native_type, a.native_id, a.name, str(a.state), p.tags_json, p.spec_json,
            p.relations_json, dumps(a.raw), p.fingerprint, 1, seen_at, seen_at,
        ))  # fmt: skip
        version_rows.append(
            (asset_id, scope.tenant, scope.account_id, 1, "appeared", APPEARED_DIFF, seen_at)
        )
        outcome.events.append(_snapshot(ResourceDiscovered, asset_id, scope, p, {}))
        outcome.touched.append(Touched(asset_id, a.tags, live=True))
    await copy_rows(session, Asset.__tablename__, ASSET_COLUMNS, asset_rows)
    await copy_rows(session, AssetVersion.__tablename__, VERSION_COLUMNS, version_rows)
    outcome.created += len(asset_rows)


async def _update_changed(
    session: AsyncSession, scope: UnitScope, plan: _Plan, seen_at: datetime, outcome: SyncOutcome
) -> None:
    if not plan.updates:
        return
    a = Asset.__table__.c
    ids = [row.id for row, _ in plan.updates]
    old_columns = (a.id, a.name, a.state, a.tags, a.spec, a.relations, a.deleted_at)
    old_by_id = {
        r.id: r for r in await session.execute(select(*old_columns).where(any_of(a.id, ids)))
    }
    version_rows = []
    for row, p in plan.updates:
        old, values = old_by_id[row.id], p.values()
        changes = diff(old._asdict(), values)
        change = "reappeared" if old.deleted_at is not None else "changed"
        if change == "reappeared":
            changes["deleted_at"] = {"old": old.deleted_at.isoformat(), "new": None}
        version = row.version + 1
        await session.execute(
            update(Asset)
            .where(Asset.id == row.id)
            .values(
                name=p.asset.name, state=str(p.asset.state), tags=values["tags"],
                spec=values["spec"], relations=values["relations"],
                raw=orjson.loads(dumps(p.asset.raw)), fingerprint=p.fingerprint,
                version=version, last_seen=seen_at, deleted_at=None,
            )
        )  # fmt: skip
        version_rows.append(
            (row.id, scope.tenant, scope.account_id, version, change, dumps(changes), seen_at)
        )
        extra = {"changes": changes, "asset_version": version}
        outcome.events.append(_snapshot(ResourceChanged, row.id, scope, p, extra))
        outcome.touched.append(Touched(row.id, p.asset.tags, live=True))
    await copy_rows(session, AssetVersion.__tablename__, VERSION_COLUMNS, version_rows)
    outcome.changed += len(version_rows)


async def _touch(session: AsyncSession, ids: list[uuid.UUID], seen_at: datetime) -> None:
    if ids:
        await session.execute(
            update(Asset).where(any_of(Asset.__table__.c.id, ids)).values(last_seen=seen_at)
        )


async def _retire(
    session: AsyncSession,
    scope: UnitScope,
    rows: list[Row[Any]],
    seen_at: datetime,
    outcome: SyncOutcome,
) -> None:
    if not rows:
        return
    await session.execute(
        update(Asset)
        .where(any_of(Asset.__table__.c.id, [r.id for r in rows]))
        .values(deleted_at=seen_at, version=Asset.version + 1)
    )
    gone = dumps({"deleted_at": {"old": None, "new": seen_at.isoformat()}})
    version_rows = [
        (row.id, scope.tenant, scope.account_id, row.version + 1, "disappeared", gone, seen_at)
        for row in rows
    ]
    for row in rows:
        outcome.events.append(_deleted(row, scope))
        outcome.touched.append(Touched(row.id, {}, live=False))
    await copy_rows(session, AssetVersion.__tablename__, VERSION_COLUMNS, version_rows)
    outcome.deleted += len(rows)


def _snapshot(
    contract: type[AssetSnapshot],
    asset_id: uuid.UUID,
    scope: UnitScope,
    prepared: Prepared,
    extra: dict[str, Any],
) -> Envelope:
    """The event of a fresh asset; built without re-validating what the sync just produced."""
    a = prepared.asset
    payload = contract.model_construct(
        asset_id=asset_id, account_id=scope.account_id, provider=scope.provider,
        region=a.region, category=str(a.category), native_type=a.native_type,
        native_id=a.native_id, name=a.name, state=str(a.state), tags=a.tags,
        spec=orjson.loads(prepared.spec_json), **extra,
    )  # fmt: skip
    return payload.envelope(tenant=scope.tenant, source=SOURCE)


def _deleted(row: Row[Any], scope: UnitScope) -> Envelope:
    return ResourceDeleted(
        asset_id=row.id,
        account_id=scope.account_id,
        provider=scope.provider,
        region=row.region,
        category=row.category,
        native_type=scope.unit.native_type,
        native_id=row.native_id,
    ).envelope(tenant=scope.tenant, source=SOURCE)
