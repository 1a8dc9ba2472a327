"""Anomaly detection over stored costs, once per (account, service, day).

Each anomaly is stored and its ``metering.anomaly.detected`` event written in
the same transaction; the unique (account, service, day) makes a second run
over the same days, on demand or after a restatement, add and send nothing.
See ``detection`` for the method.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.metering import AnomalyDetected, DeliveryIngested
from nephos_common.db import utcnow
from nephos_common.errors import InvalidInput
from nephos_common.messaging.envelope import Envelope
from nephos_metering.anomalies import repository
from nephos_metering.anomalies.detection import Sensitivity, Verdict, judge
from nephos_metering.anomalies.models import Anomaly
from nephos_metering.anomalies.repository import Series
from nephos_metering.anomalies.schemas import AnomalyOut
from nephos_metering.costs.forecast import days
from nephos_metering.costs.service import MAX_RANGE_DAYS, day_start, exact
from nephos_metering.settings import Settings

SOURCE = "metering"


def sensitivity(settings: Settings) -> Sensitivity:
    return Sensitivity(history_days=settings.anomaly_history_days, k=settings.anomaly_k,
                       min_amount=settings.anomaly_min_amount)  # fmt: skip


def out(anomaly: Anomaly) -> AnomalyOut:
    return AnomalyOut(
        id=anomaly.id, account_id=anomaly.account_id, service_name=anomaly.service_name,
        day=anomaly.day, currency=anomaly.currency, actual=exact(anomaly.actual),
        expected=exact(anomaly.expected), expected_low=exact(anomaly.expected_low),
        expected_high=exact(anomaly.expected_high), detected_at=anomaly.detected_at,
        acknowledged_at=anomaly.acknowledged_at, acknowledged_by=anomaly.acknowledged_by,
    )  # fmt: skip


def detected(anomaly: Anomaly) -> Envelope:
    return AnomalyDetected(
        anomaly_id=anomaly.id, account_id=anomaly.account_id, service_name=anomaly.service_name,
        day=anomaly.day, actual=exact(anomaly.actual), expected=exact(anomaly.expected),
        expected_low=exact(anomaly.expected_low), expected_high=exact(anomaly.expected_high),
        currency=anomaly.currency,
    ).envelope(tenant=anomaly.tenant, source=SOURCE)  # fmt: skip


async def _store(
    session: AsyncSession, tenant: str, one: Series, day: date, verdict: Verdict
) -> Anomaly | None:
    return await repository.add_once(session, {
        "tenant": tenant, "account_id": one.account_id, "service_name": one.service_name,
        "day": day, "currency": one.currency, "actual": verdict.actual,
        "expected": verdict.expected, "expected_low": verdict.low, "expected_high": verdict.high,
    })  # fmt: skip


async def detect(
    session: AsyncSession, tenant: str, first: date, last: date, account_id: uuid.UUID | None,
    tuning: Sensitivity,
) -> list[Anomaly]:  # fmt: skip
    """Judge each day ``first``..``last`` of every (account, service); the new anomalies."""
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"to must be on or after from, at most {MAX_RANGE_DAYS} days later",
                           code="invalid_period")  # fmt: skip
    history = timedelta(days=tuning.history_days)
    known = await repository.account_days(session, tenant, account_id)
    found = await repository.series(session, tenant, day_start(first - history),
                                    day_start(last + timedelta(days=1)), account_id)  # fmt: skip
    new = []
    for one in sorted(found, key=lambda s: (str(s.account_id), s.service_name, s.currency)):
        account_first, account_last = known[one.account_id]
        judged = days(max(first, account_first + history), min(last, account_last) + timedelta(1))
        for day in judged:
            verdict = judge(one.daily, day, one.currency, tuning)
            if verdict.anomalous and (stored := await _store(session, tenant, one, day, verdict)):
                new.append(stored)
    return new


async def after_ingest(
    session: AsyncSession, tenant: str, ingested: DeliveryIngested, tuning: Sensitivity
) -> list[Envelope]:
    """Judge the days of the delivery's billing period in its account."""
    last = ingested.billing_period_end - timedelta(days=1)
    new = await detect(session, tenant, ingested.billing_period_start, last,
                       ingested.account_id, tuning)  # fmt: skip
    return [detected(a) for a in new]


def acknowledge(anomaly: Anomaly, actor: str) -> None:
    """Mark the anomaly seen; acknowledging again keeps the first acknowledgement."""
    if anomaly.acknowledged_at is None:
        anomaly.acknowledged_at, anomaly.acknowledged_by = utcnow(), actor
