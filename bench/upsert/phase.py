"""One upsert phase in a process of its own (run by ``bench.child``).

Units are generated one at a time and each is written as the discovery worker
writes it: ``sync_unit`` plus ``outbox.record`` in one transaction, committed.
Only the transaction is timed; generating the synthetic assets is not.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
import uuid
from typing import Any

from sqlalchemy import select

from bench.upsert.synthetic import unit_assets, units
from nephos_asset.accounts.models import CloudAccount
from nephos_asset.db import MESSAGING
from nephos_asset.inventory.sync import UnitScope, sync_unit
from nephos_asset.models import load_all
from nephos_common.db import Database, utcnow
from nephos_common.messaging import outbox

TENANT = "bench"


async def _account(db: Database) -> uuid.UUID:
    """The one account every synthetic asset belongs to (created by the first phase)."""
    async with db.transaction() as session:
        existing = await session.scalar(
            select(CloudAccount.id).where(CloudAccount.tenant == TENANT)
        )
        if existing is not None:
            return existing
        account = CloudAccount(
            tenant=TENANT, name="bench", provider="aws", auth_method="access_key",
            sealed_credentials=b"-",
        )  # fmt: skip
        session.add(account)
        await session.flush()
        return account.id


def _top(profiler: cProfile.Profile, lines: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    return out.getvalue()


async def run_phase(
    database_url: str, generation: int, unit_count: int, per_unit: int, profile: bool = False
) -> dict[str, Any]:
    """Sync ``unit_count`` units of ``per_unit`` assets at ``generation``; return timings."""
    load_all()
    db = Database(database_url, pool_size=2)
    profiler = cProfile.Profile() if profile else None
    timing = {"sync_unit": 0.0, "outbox_record": 0.0, "commit": 0.0}
    totals = {"found": 0, "created": 0, "changed": 0, "deleted": 0, "events": 0}
    try:
        account_id = await _account(db)
        for unit_no, key in enumerate(units(unit_count)):
            assets = unit_assets(unit_no, key, per_unit, generation)
            scope = UnitScope(TENANT, account_id, "aws", key)
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            async with db.transaction() as session:
                outcome = await sync_unit(session, scope, assets, complete=True, seen_at=utcnow())
                synced = time.perf_counter()
                await outbox.record(session, MESSAGING, outcome.events)
                recorded = time.perf_counter()
            committed = time.perf_counter()
            if profiler:
                profiler.disable()
            timing["sync_unit"] += synced - started
            timing["outbox_record"] += recorded - synced
            timing["commit"] += committed - recorded
            for name in ("found", "created", "changed", "deleted"):
                totals[name] += getattr(outcome, name)
            totals["events"] += len(outcome.events)
    finally:
        await db.dispose()
    result: dict[str, Any] = {"seconds": sum(timing.values()), "timing": timing, **totals}
    if profiler:
        result["profile"] = _top(profiler, 25)
    return result
