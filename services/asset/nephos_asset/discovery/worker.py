"""Executes a discovery run taken from the work queue.

Each unit is written in its own transaction as soon as it is listed, so
progress is visible while the run goes on and a crash keeps what was done; a
redelivered job starts the run over, which the idempotent sync makes harmless.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts import repository as accounts
from nephos_asset.accounts.connect import open_collector
from nephos_asset.accounts.models import CloudAccount
from nephos_asset.accounts.service import mark_invalid, mark_valid
from nephos_asset.collectors.base import Collector, UnitResult
from nephos_asset.collectors.errors import InvalidCredentialsError
from nephos_asset.discovery import repository as runs
from nephos_asset.discovery.models import DiscoveryRun, RunStatus, UnitFailure
from nephos_asset.groups import service as groups
from nephos_asset.inventory.sync import UnitScope, sync_unit
from nephos_common.contracts.asset import DiscoveryCompleted, DiscoveryRequested
from nephos_common.crypto import SecretBox
from nephos_common.db import Database, utcnow
from nephos_common.messaging import outbox
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import OutboxRelay
from nephos_common.messaging.tables import MessagingTables

log = logging.getLogger(__name__)
SOURCE = "asset"


@dataclass(frozen=True)
class DiscoveryWorker:
    database: Database
    tables: MessagingTables
    box: SecretBox
    relay: OutboxRelay
    concurrency: int
    max_attempts: int

    async def handle(self, _: AsyncSession, envelope: Envelope) -> None:
        """Consumer entry point; the run keeps its own transactions (see module doc)."""
        job = DiscoveryRequested.parse(envelope)
        await self.execute(job.run_id)

    async def execute(self, run_id: uuid.UUID) -> None:
        started = await self._start(run_id)
        if started is None:
            return
        account, run = started
        collector = open_collector(account, self.box, max_attempts=self.max_attempts)
        try:
            await self._discover(collector, account, run)
        except InvalidCredentialsError as exc:
            await self._finish(run.id, RunStatus.FAILED, f"invalid credentials: {exc.reason}",
                               invalid_reason=exc.reason)  # fmt: skip
        except Exception as exc:
            log.exception("discovery run failed", extra={"run_id": str(run.id)})
            await self._finish(run.id, RunStatus.FAILED, f"{type(exc).__name__}: {exc}")
        finally:
            await collector.aclose()

    async def _start(self, run_id: uuid.UUID) -> tuple[CloudAccount, DiscoveryRun] | None:
        async with self.database.transaction() as session:
            run = await runs.get_for_update(session, run_id)
            if run is None or RunStatus(run.status).finished:
                return None
            account = await accounts.get(session, run.tenant, run.account_id)
            await session.execute(delete(UnitFailure).where(UnitFailure.run_id == run.id))
            run.status, run.started_at, run.error = RunStatus.RUNNING, utcnow(), None
            for counter in ("units_total", "units_done", "units_failed", "assets_found",
                            "assets_created", "assets_changed", "assets_deleted"):  # fmt: skip
                setattr(run, counter, 0)
            run.api_calls = {}
            return account, run

    async def _discover(
        self, collector: Collector, account: CloudAccount, run: DiscoveryRun
    ) -> None:
        native_id = await collector.verify()
        regions = account.regions or await collector.regions()
        units = collector.units(regions)
        async with self.database.transaction() as session:
            await runs.add_progress(session, run.id, units_total=len(units))
        calls: Counter[str] = Counter()
        failed = 0
        async for result in collector.collect_all(units, self.concurrency):
            calls.update(result.api_calls)
            failed += 0 if result.complete else 1
            await self._record_unit(account, run.id, result)
        status = RunStatus.SUCCEEDED if failed == 0 else RunStatus.PARTIAL
        if units and failed == len(units):
            status = RunStatus.FAILED
        await self._finish(run.id, status, None, native_id=native_id, api_calls=dict(calls))

    async def _record_unit(
        self, account: CloudAccount, run_id: uuid.UUID, result: UnitResult
    ) -> None:
        """Sync a fully listed unit; a failed one is reported and its assets left as they were."""
        async with self.database.transaction() as session:
            if not result.complete:
                session.add(UnitFailure(
                    run_id=run_id, region=result.key.region, native_type=result.key.native_type,
                    error_code=result.error_code or "Unknown",
                    error_message=result.error_message or "",
                ))  # fmt: skip
                await runs.add_progress(session, run_id, units_done=1, units_failed=1)
                return
            scope = UnitScope(account.tenant, account.id, account.provider, result.key)
            outcome = await sync_unit(
                session, scope, result.assets, complete=True, seen_at=utcnow()
            )
            await outbox.record(session, self.tables, outcome.events)
            await groups.follow_assets(session, self.tables, account.tenant, outcome.touched)
            await runs.add_progress(
                session, run_id, units_done=1, assets_found=outcome.found,
                assets_created=outcome.created, assets_changed=outcome.changed,
                assets_deleted=outcome.deleted,
            )  # fmt: skip
        if outcome.events:
            self.relay.wake()

    async def _finish(
        self,
        run_id: uuid.UUID,
        status: RunStatus,
        error: str | None,
        *,
        native_id: str | None = None,
        invalid_reason: str | None = None,
        api_calls: dict[str, int] | None = None,
    ) -> None:
        async with self.database.transaction() as session:
            run = await runs.get_for_update(session, run_id)
            assert run is not None
            account = await accounts.get(session, run.tenant, run.account_id)
            if invalid_reason is not None:
                mark_invalid(account, invalid_reason)
            elif native_id is not None:
                mark_valid(account, native_id)
            run.status, run.error, run.finished_at = status, error, utcnow()
            run.api_calls = api_calls or {}
            failures = await runs.failures(session, [run.id])
            event = DiscoveryCompleted(
                run_id=run.id, account_id=run.account_id, status=status,
                units_total=run.units_total, units_failed=run.units_failed,
                assets_found=run.assets_found, assets_created=run.assets_created,
                assets_changed=run.assets_changed, assets_deleted=run.assets_deleted,
                failed_units=[
                    {"region": f.region, "native_type": f.native_type, "error_code": f.error_code}
                    for f in failures
                ],
            )  # fmt: skip
            await outbox.record(
                session, self.tables, [event.envelope(tenant=run.tenant, source=SOURCE)]
            )
        self.relay.wake()
