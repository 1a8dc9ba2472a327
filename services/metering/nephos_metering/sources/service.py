"""Billing sources and their runs: a run row and its job are written in one
transaction, so a requested run is never lost and never queued twice."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.cloud_sessions import CloudSessions
from nephos_common.contracts.metering import IngestRequested
from nephos_common.crypto import SecretBox
from nephos_common.db import utcnow
from nephos_common.errors import Conflict, InvalidInput, NotFound
from nephos_common.messaging import outbox
from nephos_common.messaging.tables import MessagingTables
from nephos_metering.costs.service import PROVISIONAL_DAYS
from nephos_metering.settings import Settings
from nephos_metering.sources import repository
from nephos_metering.sources.models import BillingSource, IngestRun, RunStatus, SourceKind
from nephos_metering.sources.schemas import (
    CREDENTIAL_KINDS,
    SourceCreate,
    SourceCredentials,
    SourceUpdate,
    checked_config,
)

SOURCE = "metering"
STALE_AFTER = timedelta(hours=2)
PUBLIC_BLOB_ENDPOINT = re.compile(
    r"^https://[a-z0-9]{3,24}\.blob\.core\.(windows\.net|chinacloudapi\.cn|usgovcloudapi\.net)$"
)


async def check_account(
    sessions: CloudSessions, tenant: str, account_id: uuid.UUID, kind: SourceKind
) -> None:
    """The account exists in the tenant and is of the kind's cloud.

    Asking the asset service for a session proves both, and that the jobs will
    be able to run; the session is kept for the first run.
    """
    try:
        cloud = await sessions.get(tenant, account_id)
    except NotFound:
        raise InvalidInput(f"cloud account {account_id} not found", code="unknown_account",
                           field="account_id") from None  # fmt: skip
    if cloud.provider != kind.provider:
        raise InvalidInput(f"a {kind} source needs an {kind.provider} account, not "
                           f"{cloud.provider}", code="kind_mismatch", field="kind")  # fmt: skip


def checked_source_config(settings: Settings, kind: SourceKind,
                          config: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """The validated config; a blob endpoint outside Azure's public clouds is an endpoint
    override, refused where the deployment does not allow them (a tenant could otherwise
    aim the service's requests at internal addresses)."""
    checked = checked_config(kind, config)
    endpoint = checked.get("blob_endpoint")
    if endpoint and not PUBLIC_BLOB_ENDPOINT.match(endpoint):
        settings.check_endpoint_override(endpoint)
    return checked


def seal_credentials(settings: Settings, source: BillingSource,
                     credentials: SourceCredentials | None) -> None:  # fmt: skip
    """Sources reading a storage account need a SAS token; the others take none."""
    kind = SourceKind(source.kind)
    if credentials is not None and kind not in CREDENTIAL_KINDS:
        raise InvalidInput(f"a {kind} source takes no credentials: its runs use the "
                           "account's session", code="credentials_not_accepted",
                           field="credentials")  # fmt: skip
    if credentials is not None:
        source.seal(SecretBox(settings.secret_key), credentials.sealed_form())
    if kind in CREDENTIAL_KINDS and source.sealed_secret is None:
        raise InvalidInput(f"a {kind} source needs credentials.sas_token (read and list on "
                           "the container)", code="credentials_required",
                           field="credentials")  # fmt: skip


async def create(
    session: AsyncSession, sessions: CloudSessions, settings: Settings, tenant: str,
    data: SourceCreate,
) -> BillingSource:  # fmt: skip
    config = checked_source_config(settings, data.kind, data.config)
    if await repository.for_account(session, tenant, data.account_id) is not None:
        raise Conflict("the account already has a billing source", code="source_exists",
                       account_id=str(data.account_id))  # fmt: skip
    await check_account(sessions, tenant, data.account_id, data.kind)
    source = BillingSource(
        id=uuid.uuid4(), tenant=tenant, account_id=data.account_id, kind=data.kind,
        name=data.name, config=config, interval_minutes=data.interval_minutes,
        daily_hour=data.daily_hour, enabled=data.enabled,
    )  # fmt: skip
    seal_credentials(settings, source, data.credentials)
    session.add(source)
    await session.flush()
    await session.refresh(source)
    return source


async def update(
    session: AsyncSession, settings: Settings, source: BillingSource, data: SourceUpdate
) -> None:
    """Apply the given fields; a new schedule rule replaces the old one."""
    given = data.model_fields_set
    if "config" in given and data.config is not None:
        source.config = checked_source_config(settings, SourceKind(source.kind), data.config)
    if "credentials" in given and data.credentials is not None:
        seal_credentials(settings, source, data.credentials)
    if "name" in given and data.name is not None:
        source.name = data.name
    if "enabled" in given and data.enabled is not None:
        source.enabled = data.enabled
    if given & {"interval_minutes", "daily_hour"}:
        source.interval_minutes, source.daily_hour = data.interval_minutes, data.daily_hour
    await session.flush()
    await session.refresh(source)


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def open_periods(today: date) -> list[str]:
    """The current month, and the last one while its final days may still change."""
    current = today.replace(day=1)
    if today.day > PROVISIONAL_DAYS + 1:
        return [month_of(current)]
    return [month_of(current - timedelta(days=1)), month_of(current)]


async def request_run(
    session: AsyncSession, tables: MessagingTables, source: BillingSource, *, trigger: str,
    periods: list[str] | None = None,
) -> IngestRun:  # fmt: skip
    """Queue a run unless one is already queued or running (and not stale)."""
    active = await session.scalar(
        select(IngestRun.id).where(
            IngestRun.source_id == source.id,
            IngestRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            IngestRun.requested_at > utcnow() - STALE_AFTER,
        )
    )
    if active is not None:
        raise Conflict("an ingest run of this source is already in progress",
                       code="ingest_in_progress", run_id=str(active))  # fmt: skip
    now = utcnow()
    run = IngestRun(
        id=uuid.uuid4(), tenant=source.tenant, source_id=source.id, account_id=source.account_id,
        kind=source.kind, trigger=trigger, status=RunStatus.QUEUED,
        billing_periods=periods or open_periods(now.date()), periods_done=0, results=[],
        requested_at=now,
    )  # fmt: skip
    session.add(run)
    source.last_run_requested_at = now
    job = IngestRequested(run_id=run.id, source_id=source.id)
    await outbox.record(session, tables, [job.envelope(tenant=source.tenant, source=SOURCE)])
    await session.flush()
    return run


def is_due(source: BillingSource, now: datetime) -> bool:
    """Interval: that long since the last request. Daily: the hour has come today."""
    last = source.last_run_requested_at
    if source.interval_minutes is not None:
        return last is None or now - last >= timedelta(minutes=source.interval_minutes)
    if source.daily_hour is None or now.hour < source.daily_hour:
        return False
    todays = now.replace(hour=source.daily_hour, minute=0, second=0, microsecond=0)
    return last is None or last < todays
