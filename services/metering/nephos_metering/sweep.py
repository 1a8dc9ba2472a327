"""The totals sweep: rebuilds that waited too long are queued again.

Service groups' totals and cost allocation tags' totals are built by jobs on
the metering work queue. A job lost, or dropped after failing too often, would
leave their questions on the line items for good; every replica runs this
sweep, and row locks keep two replicas from queueing the same rebuild.
"""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.db import Database
from nephos_common.tasks import run_every
from nephos_metering.allocation import group_totals
from nephos_metering.costtags import service as costtags
from nephos_metering.settings import Settings


async def sweep(database: Database) -> int:
    """Queue again every rebuild waiting too long; returns how many."""
    groups = await group_totals.requeue_long_stale(database)
    return groups + await costtags.requeue_long_unbuilt(database)


async def sweeper(app: FastAPI) -> None:
    """The background worker running ``sweep`` every ``totals_sweep_seconds``."""
    settings: Settings = app.state.settings
    await run_every(
        settings.totals_sweep_seconds,
        lambda: sweep(app.state.database),
        what="totals sweep",
        wake=app.state.relay.wake,
    )
