"""Keeps the targets read model from the asset service's events.

Only assets with health metrics become targets. A deletion keeps the row
(old alerts still name it) but stops polling; a deleted or stopped target's
open alerts are closed, since a stopped server is not a server that is down.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.asset import (
    AccountRemoved,
    AssetSnapshot,
    ResourceChanged,
    ResourceDeleted,
    ResourceDiscovered,
)
from nephos_common.db import utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.alerts.evaluation import close_for_targets
from nephos_monitoring.notifications.enqueue import announce
from nephos_monitoring.targets import repository
from nephos_monitoring.targets.models import WATCHED_CATEGORIES

SUBJECT = "asset.>"
DURABLE = "monitoring-targets"

_FIELDS = ("asset_id", "account_id", "provider", "region", "category", "native_type", "native_id")


class TargetsConsumer:
    def __init__(self, tables: MessagingTables) -> None:
        self._tables = tables

    async def handle(self, session: AsyncSession, envelope: Envelope) -> None:
        """Dispatch by event type; asset events this model does not need are skipped."""
        tenant = envelope.tenant
        if envelope.type == ResourceDiscovered.event_type:
            await self._seen(session, tenant, ResourceDiscovered.parse(envelope))
        elif envelope.type == ResourceChanged.event_type:
            await self._seen(session, tenant, ResourceChanged.parse(envelope))
        elif envelope.type == ResourceDeleted.event_type:
            asset_id = ResourceDeleted.parse(envelope).asset_id
            await repository.mark_deleted(session, tenant, asset_id)
            await self._close(session, tenant, [asset_id], "target_deleted")
        elif envelope.type == AccountRemoved.event_type:
            account_id = AccountRemoved.parse(envelope).account_id
            gone = await repository.mark_account_deleted(session, tenant, account_id)
            await self._close(session, tenant, [t.asset_id for t in gone], "target_deleted")

    async def _seen(self, session: AsyncSession, tenant: str, asset: AssetSnapshot) -> None:
        if asset.category not in WATCHED_CATEGORIES:
            return
        values = {name: getattr(asset, name) for name in _FIELDS}
        values.update(name=asset.name, state=asset.state, tags=asset.tags)
        await repository.upsert(session, tenant, values)
        if asset.state == "stopped":
            await self._close(session, tenant, [asset.asset_id], "target_stopped")

    async def _close(
        self, session: AsyncSession, tenant: str, asset_ids: list[uuid.UUID], reason: str
    ) -> None:
        events = await close_for_targets(session, tenant, asset_ids, reason, utcnow())
        await announce(session, self._tables, events)
