"""Where each account's bill comes from, its ingest runs, and how current costs are.

Operators change sources and start runs; any role reads them. A source holds
no credentials: ingest jobs get a session of the account from the asset service.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import metering_models as m
from nephos_gateway.schema.types.common import UserError

CONFIG_HELP = (
    "aws_cur: bucket, prefix, exportName, format (cur2 or legacy), region; "
    "the cost APIs: amortized (true for amortised effective cost)."
)
# Service codes of a refused source and the input they are about.
INPUT_OF_CODE = {"source_exists": "input.accountId", "kind_mismatch": "input.kind"}


@strawberry.enum(description="The kind of billing export or API a source reads.")
class CostSourceKind(enum.Enum):
    AWS_CUR = "aws_cur"
    AWS_COST_EXPLORER = "aws_cost_explorer"
    AZURE_COST_MANAGEMENT = "azure_cost_management"


@strawberry.type(description="How an account's bill is ingested, and when.")
class CostSource:
    id: strawberry.ID
    account_id: strawberry.ID
    kind: CostSourceKind
    name: str
    config: JSON = strawberry.field(description=CONFIG_HELP)
    interval_minutes: int | None = strawberry.field(description="Ingest every so many minutes.")
    daily_hour: int | None = strawberry.field(description="Or once a day at this UTC hour.")
    enabled: bool
    last_run_requested_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: m.Source) -> CostSource:
        return cls(
            id=strawberry.ID(s.id),
            account_id=strawberry.ID(s.account_id),
            kind=CostSourceKind(s.kind),
            name=s.name,
            config=JSON(s.config),
            interval_minutes=s.interval_minutes,
            daily_hour=s.daily_hour,
            enabled=s.enabled,
            last_run_requested_at=s.last_run_requested_at,
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


@strawberry.type(description="One ingest of a source: its billing periods and how it went.")
class IngestRun:
    id: strawberry.ID
    source_id: strawberry.ID
    account_id: strawberry.ID
    kind: CostSourceKind
    trigger: str = strawberry.field(description="schedule or manual.")
    status: str = strawberry.field(description="queued, running, succeeded or failed.")
    billing_periods: list[str] = strawberry.field(description="YYYY-MM.")
    periods_done: int
    error: str | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, r: m.IngestRun) -> IngestRun:
        return cls(
            id=strawberry.ID(r.id),
            source_id=strawberry.ID(r.source_id),
            account_id=strawberry.ID(r.account_id),
            kind=CostSourceKind(r.kind),
            trigger=r.trigger,
            status=r.status,
            billing_periods=list(r.billing_periods),
            periods_done=r.periods_done,
            error=r.error,
            requested_at=r.requested_at,
            started_at=r.started_at,
            finished_at=r.finished_at,
        )


@strawberry.type(description="How current an account's costs are.")
class DataFreshness:
    account_id: strawberry.ID
    data_through: datetime | None = strawberry.field(description="The end of the newest usage.")
    last_delivery_at: datetime | None
    provisional_from: datetime | None = strawberry.field(
        description="The first day whose cost may still change."
    )

    @classmethod
    def of(cls, f: m.Freshness) -> DataFreshness:
        return cls(
            account_id=strawberry.ID(f.account_id),
            data_through=f.data_through,
            last_delivery_at=f.last_delivery_at,
            provisional_from=f.provisional_from,
        )


def _schedule(interval_minutes: int | None, daily_hour: int | None) -> dict[str, Any]:
    return {"interval_minutes": interval_minutes, "daily_hour": daily_hour}


@strawberry.input(description="One source per account; give intervalMinutes or dailyHour.")
class CreateCostSourceInput:
    account_id: strawberry.ID
    kind: CostSourceKind
    name: str
    config: JSON | None = strawberry.field(default=None, description=CONFIG_HELP)
    interval_minutes: int | None = None
    daily_hour: int | None = None
    enabled: bool = True

    def body(self) -> dict[str, Any]:
        return {
            "account_id": str(self.account_id),
            "kind": self.kind.value,
            "name": self.name,
            "config": self.config or {},
            "enabled": self.enabled,
            **_schedule(self.interval_minutes, self.daily_hour),
        }


@strawberry.input(description="Only the fields given change; the account and kind stay.")
class UpdateCostSourceInput:
    name: str | None = strawberry.UNSET
    config: JSON | None = strawberry.field(default=strawberry.UNSET, description=CONFIG_HELP)
    interval_minutes: int | None = strawberry.UNSET
    daily_hour: int | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET

    def body(self) -> dict[str, Any]:
        given = {
            "name": self.name,
            "config": self.config,
            "interval_minutes": self.interval_minutes,
            "daily_hour": self.daily_hour,
            "enabled": self.enabled,
        }
        return {k: v for k, v in given.items() if v is not strawberry.UNSET}


@strawberry.type
class CostSourcePayload:
    source: CostSource | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteCostSourcePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StartIngestPayload:
    run: IngestRun | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
