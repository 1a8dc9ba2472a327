"""Discovery runs: queued by an operator, taken by any asset replica, watched by polling."""

from __future__ import annotations

from datetime import datetime

import strawberry

from nephos_gateway.clients import asset_models as m
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.common import UserError

FINISHED = frozenset({"succeeded", "partial", "failed"})


@strawberry.type(description="One (region, resource type) unit of a run that could not be listed.")
class DiscoveryFailure:
    region: str
    native_type: str
    error_code: str
    error_message: str


@strawberry.type(description="How far a run is: units are (region, resource type) listings.")
class DiscoveryProgress:
    units_total: int
    units_done: int
    units_failed: int

    @strawberry.field(description="Done units over all units, 0 to 1 (0 before planning).")
    def fraction(self) -> float:
        return self.units_done / self.units_total if self.units_total else 0.0


@strawberry.type
class DiscoveryRun:
    id: strawberry.ID
    account_id: strawberry.ID
    trigger: str = strawberry.field(description="manual or scheduled.")
    status: str = strawberry.field(description="queued, running, succeeded, partial or failed.")
    error: str | None
    progress: DiscoveryProgress
    assets_found: int
    assets_created: int
    assets_changed: int
    assets_deleted: int
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    failures: list[DiscoveryFailure]

    @strawberry.field(description="True once the run will change no more.")
    def finished(self) -> bool:
        return self.status in FINISHED

    @strawberry.field(description="The account the run discovers (null if since removed).")
    async def account(self, info: strawberry.Info) -> CloudAccount | None:
        found = await info.context.loaders.accounts.load(str(self.account_id))
        return CloudAccount.of(found) if found else None

    @classmethod
    def of(cls, run: m.Run) -> DiscoveryRun:
        return cls(
            id=strawberry.ID(run.id),
            account_id=strawberry.ID(run.account_id),
            trigger=run.trigger,
            status=run.status,
            error=run.error,
            progress=DiscoveryProgress(
                units_total=run.units_total,
                units_done=run.units_done,
                units_failed=run.units_failed,
            ),
            assets_found=run.assets_found,
            assets_created=run.assets_created,
            assets_changed=run.assets_changed,
            assets_deleted=run.assets_deleted,
            requested_at=run.requested_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            failures=[
                DiscoveryFailure(
                    region=f.region,
                    native_type=f.native_type,
                    error_code=f.error_code,
                    error_message=f.error_message,
                )
                for f in run.failures
            ],
        )


@strawberry.type
class StartDiscoveryPayload:
    run: DiscoveryRun | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
