"""Cost anomalies: a day whose cost of one account and service fell outside its
expected range. Viewers read them; operators detect and acknowledge them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

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


@strawberry.input(description="The days to judge now, of one account or of all.")
class DetectAnomaliesInput:
    from_: date = strawberry.field(name="from", description="First day judged, included.")
    to: date = strawberry.field(description="Last day judged, included.")
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Every account by default."
    )

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"from": self.from_.isoformat(), "to": self.to.isoformat()}
        return body | ({"account_id": str(self.account_id)} if self.account_id else {})


DETECT_INPUT_OF_CODE = {"invalid_period": "input.to"}
"""Service codes of a refused detection and the input they are about."""


@strawberry.type
class DetectAnomaliesPayload:
    detected: list[Anomaly] | None = strawberry.field(
        default=None, description="Anomalies new to this run; ones found before are not repeated."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)
