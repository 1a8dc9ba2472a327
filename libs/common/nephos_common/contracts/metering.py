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
