"""Every query on rules and alerts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of
from nephos_common.errors import NotFound
from nephos_monitoring.alerts.models import OPEN_STATES, Alert, AlertRule

MAX_ALERTS = 1000


async def get_rule(session: AsyncSession, tenant: str, rule_id: uuid.UUID) -> AlertRule:
    rule = await session.get(AlertRule, rule_id)
    if rule is None or rule.tenant != tenant:
        raise NotFound("no such alert rule", code="rule_not_found")
    return rule


async def list_rules(session: AsyncSession, tenant: str) -> list[AlertRule]:
    query = select(AlertRule).where(AlertRule.tenant == tenant)
    return list(await session.scalars(query.order_by(AlertRule.created_at, AlertRule.id)))


async def enabled_rules(
    session: AsyncSession,
    tenant: str,
    metrics: Sequence[str],
    asset_ids: Sequence[uuid.UUID] | None = None,
) -> list[AlertRule]:
    """Enabled rules on these metrics; with ``asset_ids``, asset-scoped rules of other
    assets are left out in SQL (a tenant may have thousands of them)."""
    query = select(AlertRule).where(
        AlertRule.tenant == tenant, AlertRule.enabled, any_of(AlertRule.__table__.c.metric, metrics)
    )
    if asset_ids is not None:
        scope = AlertRule.__table__.c.scope
        query = query.where(
            or_(
                scope["kind"].astext != "asset",
                any_of(scope["asset_id"].astext, [str(a) for a in asset_ids]),
            )
        )
    return list(await session.scalars(query))


async def open_alerts(
    session: AsyncSession,
    tenant: str,
    *,
    rule_ids: Sequence[uuid.UUID] | None = None,
    asset_ids: Sequence[uuid.UUID] | None = None,
) -> dict[tuple[uuid.UUID, uuid.UUID], Alert]:
    """Open alerts keyed by (rule, asset), locked so concurrent evaluations take turns."""
    query = select(Alert).where(
        Alert.tenant == tenant, any_of(Alert.__table__.c.state, OPEN_STATES)
    )
    if rule_ids is not None:
        query = query.where(any_of(Alert.__table__.c.rule_id, rule_ids))
    if asset_ids is not None:
        query = query.where(any_of(Alert.__table__.c.asset_id, asset_ids))
    rows = await session.scalars(query.with_for_update())
    return {(a.rule_id, a.asset_id): a for a in rows}


async def list_alerts(
    session: AsyncSession,
    tenant: str,
    *,
    state: str | None = None,
    asset_id: uuid.UUID | None = None,
) -> list[Alert]:
    query = select(Alert).where(Alert.tenant == tenant)
    if state is not None:
        query = query.where(Alert.state == state)
    if asset_id is not None:
        query = query.where(Alert.asset_id == asset_id)
    query = query.order_by(Alert.started_at.desc(), Alert.id).limit(MAX_ALERTS)
    return list(await session.scalars(query))


async def firing(session: AsyncSession, tenant: str) -> list[tuple[uuid.UUID, str]]:
    """(asset id, severity) of every alert firing in the company, all of them."""
    rows = await session.execute(
        select(Alert.asset_id, Alert.severity).where(
            Alert.tenant == tenant, Alert.state == "firing"
        )
    )
    return [(asset_id, severity) for asset_id, severity in rows]


def severities_by_asset(alerts: list[tuple[uuid.UUID, str]]) -> dict[uuid.UUID, set[str]]:
    """The severities of the alerts firing on each asset (for target status)."""
    found: dict[uuid.UUID, set[str]] = {}
    for asset_id, severity in alerts:
        found.setdefault(asset_id, set()).add(severity)
    return found


async def no_data_tenants(session: AsyncSession) -> list[str]:
    """Tenants with at least one enabled no-data rule (the timer's work list)."""
    query = select(AlertRule.tenant).where(AlertRule.enabled, AlertRule.kind == "no_data")
    return list(await session.scalars(query.distinct()))


async def no_data_rules(session: AsyncSession, tenant: str) -> list[AlertRule]:
    query = select(AlertRule).where(
        AlertRule.tenant == tenant, AlertRule.enabled, AlertRule.kind == "no_data"
    )
    return list(await session.scalars(query.order_by(AlertRule.created_at, AlertRule.id)))
