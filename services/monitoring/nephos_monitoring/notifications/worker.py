"""The background sender: claims due deliveries (skip-locked, so replicas share the
work), sends outside any transaction, then records the attempt. A failure is retried
after an exponential backoff until the attempts are spent."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from nephos_common.crypto import SecretBox
from nephos_common.db import Database, utcnow
from nephos_common.tasks import stop_if_cancelled
from nephos_monitoring.notifications import senders, urls
from nephos_monitoring.notifications.models import Channel, Delivery, DeliveryAttempt
from nephos_monitoring.settings import Settings

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
HTTP_KINDS = ("webhook", "slack")
BATCH = 20


@dataclass
class Claimed:
    id: uuid.UUID
    number: int
    payload: dict[str, Any]
    channel: Channel | None


def backoff(settings: Settings, attempts: int) -> float:
    """Seconds to wait after ``attempts`` failed attempts."""
    delay = settings.notify_backoff_seconds * 2.0 ** (attempts - 1)
    return float(min(delay, settings.notify_backoff_max_seconds))


async def claim(database: Database) -> list[Claimed]:
    now = utcnow()
    async with database.transaction() as session:
        rows = list(
            await session.scalars(
                select(Delivery)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if not rows:
            return []
        ids = [r.channel_id for r in rows]
        channels = {
            c.id: c for c in await session.scalars(select(Channel).where(Channel.id.in_(ids)))
        }
        for row in rows:
            row.next_attempt_at = now + LEASE
        return [Claimed(r.id, r.attempts + 1, r.payload, channels.get(r.channel_id)) for r in rows]


async def attempt(client: httpx.AsyncClient, settings: Settings, item: Claimed) -> int | None:
    channel = item.channel
    if channel is None:
        raise senders.SendFailed("channel deleted")
    timeout = settings.notify_timeout_seconds
    if channel.kind in HTTP_KINDS and not settings.internal_webhooks_allowed:
        try:
            await urls.refuse_internal(channel.config["url"], resolve_required=True)
        except urls.InternalAddress as exc:
            raise senders.SendFailed(f"internal address refused: {exc}") from exc
    if channel.kind == "webhook":
        return await senders.send_http(client, channel.config["url"], item.payload, timeout)
    if channel.kind == "slack":
        body = {"text": senders.summary(item.payload)}
        return await senders.send_http(client, channel.config["url"], body, timeout)
    secret = channel.secret(SecretBox(settings.secret_key))
    await senders.send_mail(channel.config, secret, item.payload, timeout)
    return None


async def deliver(
    database: Database, client: httpx.AsyncClient, settings: Settings, item: Claimed
) -> None:
    status_code: int | None = None
    error: str | None = None
    try:
        status_code = await attempt(client, settings, item)
    except senders.SendFailed as exc:
        error, status_code = str(exc), exc.status_code
    except Exception as exc:  # a broken channel must not stop the worker
        error = f"{type(exc).__name__}: {exc}"
    now = utcnow()
    values: dict[str, Any] = {"attempts": item.number}
    if error is None:
        values.update(status="delivered", delivered_at=now)
    elif item.number >= settings.notify_max_attempts or item.channel is None:
        values.update(status="failed")
    else:
        values.update(next_attempt_at=now + timedelta(seconds=backoff(settings, item.number)))
    async with database.transaction() as session:
        session.add(
            DeliveryAttempt(
                id=uuid.uuid4(),
                delivery_id=item.id,
                number=item.number,
                at=now,
                ok=error is None,
                status_code=status_code,
                error=error[:2000] if error else None,
            )
        )
        await session.execute(update(Delivery).where(Delivery.id == item.id).values(**values))


async def run_once(database: Database, client: httpx.AsyncClient, settings: Settings) -> int:
    claimed = await claim(database)
    await asyncio.gather(*(deliver(database, client, settings, c) for c in claimed))
    return len(claimed)


async def run_notifications(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    async with httpx.AsyncClient(follow_redirects=False) as client:
        while True:
            try:
                if await run_once(app.state.database, client, settings):
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                stop_if_cancelled()
                log.warning("notification round failed", extra={"error": str(exc)})
            await asyncio.sleep(settings.notify_poll_seconds)
