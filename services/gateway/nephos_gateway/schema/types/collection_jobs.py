"""Metric collection jobs: one collection of an account's metrics from its cloud, queued by
the schedule or by an operator, taken by any monitoring replica, watched by polling.

The jobs use a short-lived session of the account from the asset service, so
no credentials pass through here (the REST route that takes them stays REST-only).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.common import UserError

FINISHED = frozenset({"succeeded", "failed"})


@strawberry.type(description="One collection of an account's metrics, and how it went.")
class MetricCollectionJob:
    id: strawberry.ID
    account_id: strawberry.ID
    provider: str = strawberry.field(description="aws or azure.")
    slot: datetime = strawberry.field(description="The end of the window collected.")
    trigger: str = strawberry.field(description="schedule or manual.")
    status: str = strawberry.field(description="queued, running, succeeded or failed.")
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    targets: int = strawberry.field(description="Targets whose metrics were asked for.")
    api_calls: int
    points_stored: int
    error: str | None

    @strawberry.field(description="True once the job will change no more.")
    def finished(self) -> bool:
        return self.status in FINISHED

    @strawberry.field(description="The account collected (null if since removed).")
    async def account(self, info: strawberry.Info) -> CloudAccount | None:
        found = await info.context.loaders.accounts.load(str(self.account_id))
        return CloudAccount.of(found) if found else None

    @classmethod
    def of(cls, job: m.CollectionJob) -> MetricCollectionJob:
        return cls(
            id=strawberry.ID(job.id),
            account_id=strawberry.ID(job.account_id),
            provider=job.provider,
            slot=job.slot,
            trigger=job.trigger,
            status=job.status,
            requested_at=job.requested_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            targets=job.targets,
            api_calls=job.api_calls,
            points_stored=job.points_stored,
            error=job.error,
        )


@strawberry.type
class StartMetricCollectionPayload:
    job: MetricCollectionJob | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
