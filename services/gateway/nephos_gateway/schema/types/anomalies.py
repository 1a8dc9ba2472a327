"""Cost anomalies: a day whose cost of one account and service fell outside its
expected range. Viewers read them; operators acknowledge them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.metering import AnomalyQuery
from nephos_gateway.schema.types.common import UserError


@strawberry.type
class Anomaly:
    id: strawberry.ID
    account_id: strawberry.ID
    service_name: str
    day: date
    currency: str
    actual: Decimal = strawberry.field(description="What the day cost.")
    expected: Decimal
    expected_low: Decimal
    expected_high: Decimal
    detected_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None

    @classmethod
    def of(cls, a: m.Anomaly) -> Anomaly:
        return cls(
            id=strawberry.ID(a.id),
            account_id=strawberry.ID(a.account_id),
            service_name=a.service_name,
            day=a.day,
            currency=a.currency,
            actual=a.actual,
            expected=a.expected,
            expected_low=a.expected_low,
            expected_high=a.expected_high,
            detected_at=a.detected_at,
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=a.acknowledged_by,
        )


@strawberry.input(description="Every given condition must hold.")
class AnomalyFilter:
    account_id: strawberry.ID | None = None
    service: str | None = None
    from_: date | None = strawberry.field(default=None, name="from", description="Included.")
    to: date | None = strawberry.field(default=None, description="Included.")
    acknowledged: bool | None = None

    def query(self) -> AnomalyQuery:
        return AnomalyQuery(
            account_id=str(self.account_id) if self.account_id is not None else None,
            service=self.service,
            start=self.from_,
            end=self.to,
            acknowledged=self.acknowledged,
        )


@strawberry.type
class AnomalyPayload:
    anomaly: Anomaly | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
