"""Events the metering service publishes about budgets and cost anomalies."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from nephos_common.messaging.envelope import Contract
from nephos_common.messaging.nats import StreamSpec

EVENTS_STREAM = StreamSpec(name="METERING", subjects=("metering.>",))


class BudgetExceeded(Contract):
    """A budget crossed one of its thresholds; published once per threshold and period.

    Amounts are decimal strings in ``currency``: money never travels as a float.
    """

    event_type: ClassVar[str] = "metering.budget.exceeded"

    budget_id: uuid.UUID
    budget_name: str
    scope: dict[str, str]
    period_start: date
    period_end: date
    threshold_percent: int
    basis: str
    """``actual`` (spend so far) or ``forecast`` (the month-end forecast)."""
    amount: str
    budget_amount: str
    currency: str


class AnomalyDetected(Contract):
    """One day's cost of a service in an account left its expected range."""

    event_type: ClassVar[str] = "metering.anomaly.detected"

    anomaly_id: uuid.UUID
    account_id: uuid.UUID
    service_name: str
    day: date
    actual: str
    expected: str
    expected_low: str
    expected_high: str
    currency: str


class DeliveryIngested(Contract):
    """A billing delivery was swapped into the costs of its period.

    Metering publishes it for itself: budgets and anomaly detection look at the
    period again, and the ingest need not know what reacts to new costs.
    """

    event_type: ClassVar[str] = "metering.delivery.ingested"

    delivery_id: uuid.UUID
    account_id: uuid.UUID
    billing_period_start: date
    billing_period_end: date
    """Excluded: the first day of the next period."""


JOBS_STREAM = StreamSpec(name="METERING_JOBS", subjects=("jobs.metering.>",), work_queue=True)
"""The metering work queue: every replica pulls ingest jobs from it."""


class IngestRequested(Contract):
    """A job on the metering work queue: ingest the billing periods of one run."""

    event_type: ClassVar[str] = "jobs.metering.ingest"

    run_id: uuid.UUID
    source_id: uuid.UUID


class CostTagTotalsRequested(Contract):
    """A job on the metering work queue: build the daily totals of a cost allocation tag
    (the envelope's company's) from the costs held."""

    event_type: ClassVar[str] = "jobs.metering.cost-tag-totals"

    tag_key: str


class GroupTotalsRequested(Contract):
    """A job on the metering work queue: build a service group's daily totals (the
    envelope's company's) from the costs of its members' resources, if its membership
    changed since they were last built."""

    event_type: ClassVar[str] = "jobs.metering.group-totals"

    group_id: uuid.UUID
