"""Alert events are recorded in the outbox and, in the same transaction, a delivery
is written for each of the rule's notification channels."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.monitoring import AlertFired, AlertResolved
from nephos_common.db import any_of, utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import record
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.alerts.models import AlertRule
from nephos_monitoring.notifications.models import Channel, Delivery

NOTIFIED = (AlertFired.event_type, AlertResolved.event_type)


async def announce(
    session: AsyncSession, tables: MessagingTables, events: Sequence[Envelope]
) -> int:
    """Record the events and queue their notifications; returns the events recorded."""
    alert_events = [e for e in events if e.type in NOTIFIED]
    if alert_events:
        await _queue(session, alert_events)
    return await record(session, tables, events)


async def _queue(session: AsyncSession, events: Sequence[Envelope]) -> None:
    rule_ids = sorted({uuid.UUID(str(e.data["rule_id"])) for e in events})
    rows = await session.execute(
        select(AlertRule.id, AlertRule.channel_ids).where(
            any_of(AlertRule.__table__.c.id, rule_ids)
        )
    )
    wanted = {rule_id: [uuid.UUID(c) for c in ids or []] for rule_id, ids in rows}
    channel_ids = sorted({c for ids in wanted.values() for c in ids})
    if not channel_ids:
        return
    channels = {
        (c.tenant, c.id)
        for c in await session.scalars(
            select(Channel).where(any_of(Channel.__table__.c.id, channel_ids))
        )
    }
    now = utcnow()
    for event in events:
        for channel_id in wanted.get(uuid.UUID(str(event.data["rule_id"])), []):
            if (event.tenant, channel_id) not in channels:
                continue
            session.add(
                Delivery(
                    id=uuid.uuid4(),
                    tenant=event.tenant,
                    channel_id=channel_id,
                    event_id=event.id,
                    event_type=event.type,
                    alert_id=uuid.UUID(str(event.data["alert_id"])),
                    payload=event.model_dump(mode="json"),
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
            )
    await session.flush()
