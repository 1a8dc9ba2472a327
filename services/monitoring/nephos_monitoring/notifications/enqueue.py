"""Alert events are recorded in the outbox and, in the same transaction, a delivery
is written for each of the rule's notification channels (suppressed, not sent, for
an alert that is silenced, in maintenance or flapping)."""

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
from nephos_monitoring.alerts.models import Alert, AlertRule
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
    for event in events:
        channel_ids = wanted.get(uuid.UUID(str(event.data["rule_id"])), [])
        alert_id = uuid.UUID(str(event.data["alert_id"]))
        if channel_ids:
            reason = await _suppressed_reason(session, alert_id)
            await queue_to_channels(session, event, channel_ids, alert_id, suppressed=reason)


async def _suppressed_reason(session: AsyncSession, alert_id: uuid.UUID) -> str | None:
    alert = await session.get(Alert, alert_id)
    return alert.suppressed_reason if alert is not None else None


async def queue_to_channels(
    session: AsyncSession,
    event: Envelope,
    channel_ids: Sequence[uuid.UUID],
    alert_id: uuid.UUID,
    *,
    suppressed: str | None = None,
) -> None:
    """One delivery of ``event`` per channel of the event's tenant (others are skipped).

    A suppressed delivery is still written, with its reason and no attempt, so the
    log shows who would have been told and why they were not.
    """
    if not channel_ids:
        return
    known = set(
        await session.scalars(
            select(Channel.id).where(
                Channel.tenant == event.tenant, any_of(Channel.__table__.c.id, list(channel_ids))
            )
        )
    )
    now = utcnow()
    for channel_id in channel_ids:
        if channel_id not in known:
            continue
        session.add(
            Delivery(
                id=uuid.uuid4(),
                tenant=event.tenant,
                channel_id=channel_id,
                event_id=event.id,
                event_type=event.type,
                alert_id=alert_id,
                payload=event.model_dump(mode="json"),
                status="suppressed" if suppressed else "pending",
                suppressed_reason=suppressed,
                attempts=0,
                next_attempt_at=now,
            )
        )
    await session.flush()
