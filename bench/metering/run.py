"""The metering bench: (a) CUR ingest end to end, (b) dashboard questions over 12M rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.database import databases
from bench.metering.dashboard_run import DashboardOptions, run_dashboard
from bench.metering.ingest_run import IngestOptions, run_ingest
from bench.output import heading
from bench.servers import moto_server


@dataclass(frozen=True)
class MeteringOptions:
    parts: tuple[str, ...] = ("ingest", "dashboard")
    ingest: IngestOptions = field(default_factory=IngestOptions)
    dashboard: DashboardOptions = field(default_factory=DashboardOptions)


def run(options: MeteringOptions) -> None:
    heading("Metering: billing ingest and dashboard questions")
    with databases("nephos_metering") as dbs:
        if "ingest" in options.parts:
            with moto_server() as moto:
                run_ingest(dbs, moto, options.ingest)
        if "dashboard" in options.parts:
            run_dashboard(dbs, options.dashboard)
