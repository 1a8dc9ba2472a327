"""``python -m bench [discovery|upsert|azure|metering|all]``: run the benches, print figures."""

from __future__ import annotations

import argparse
import os
import platform
import time

from bench.azure.run import AzureOptions
from bench.azure.run import run as run_azure
from bench.discovery.measure import DiscoveryOptions
from bench.discovery.run import run as run_discovery
from bench.gateway.run import GatewayOptions
from bench.gateway.run import run as run_gateway
from bench.metering.dashboard_run import DashboardOptions
from bench.metering.ingest_run import IngestOptions
from bench.metering.run import MeteringOptions
from bench.metering.run import run as run_metering
from bench.metering_outputs.run import OutputsOptions
from bench.metering_outputs.run import run as run_metering_outputs
from bench.monitoring.ingest import IngestOptions as MonitoringIngestOptions
from bench.monitoring.ingest import run as run_monitoring_ingest
from bench.monitoring.rules import RulesOptions
from bench.monitoring.rules import run as run_monitoring_rules
from bench.monitoring.series import SeriesOptions
from bench.monitoring.series import run as run_monitoring_series
from bench.output import emit
from bench.upsert.run import UpsertOptions
from bench.upsert.run import run as run_upsert


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "which",
        nargs="?",
        default="all",
        choices=(
            "all",
            "discovery",
            "upsert",
            "azure",
            "metering",
            "metering-outputs",
            "monitoring-ingest",
            "monitoring-series",
            "monitoring-rules",
            "gateway",
        ),
    )
    d = DiscoveryOptions()
    p.add_argument("--scale", type=int, default=d.scale, help="estate scale (60: ~5,300)")
    p.add_argument("--repeats", type=int, default=d.repeats, help="rounds against moto")
    p.add_argument("--proxy-repeats", type=int, default=d.proxy_repeats, help="rounds via proxy")
    p.add_argument("--concurrency", type=int, default=d.concurrency)
    p.add_argument("--delay-ms", type=int, default=d.delay_ms, help="proxy delay per request")
    p.add_argument("--no-c7n", action="store_true", help="do not run c7n-org")
    u = UpsertOptions()
    p.add_argument("--assets", type=int, default=u.assets, help="upsert: assets per discovery")
    p.add_argument("--units", type=int, default=u.units, help="upsert: units per discovery")
    p.add_argument("--profile", action="store_true", help="upsert: cProfile each phase")
    a = AzureOptions()
    p.add_argument("--azure-scale", type=int, default=a.scale, help="azure: scale (90: ~5,076)")
    p.add_argument("--azure-page-size", type=int, default=a.page_size, help="azure: ARM page size")
    p.add_argument("--azure-repeats", type=int, default=a.repeats, help="azure: rounds")
    i, b = IngestOptions(), DashboardOptions()
    p.add_argument("--metering-parts", default="ingest,dashboard", help="metering: parts to run")
    p.add_argument("--metering-rows", type=int, default=i.rows, help="metering: CUR file rows")
    p.add_argument("--metering-parquet", action="store_true", help="metering: also Parquet")
    p.add_argument("--metering-profile", action="store_true", help="metering: cProfile ingest")
    p.add_argument("--metering-allocation-tag", action="append", default=[],
                   help="metering: tag key marked before ingest (repeatable)")  # fmt: skip
    p.add_argument(
        "--metering-service-group",
        type=int,
        default=i.group_members,
        help="metering: members of a service group kept at ingest (0: none)",
    )
    p.add_argument("--metering-month-rows", type=int, default=b.month_rows,
                   help="metering: dashboard rows per month")  # fmt: skip
    o = OutputsOptions()
    p.add_argument("--outputs-rows", type=int, default=o.rows, help="metering-outputs: rows")
    p.add_argument("--metering-repeats", type=int, default=b.repeats,
                   help="metering: runs per dashboard question")  # fmt: skip
    m, s = MonitoringIngestOptions(), SeriesOptions()
    p.add_argument("--ingest-series", type=int, default=m.series, help="monitoring: series")
    p.add_argument("--ingest-minutes", type=int, default=m.minutes, help="monitoring: minutes")
    p.add_argument("--series-servers", type=int, default=s.servers, help="monitoring: servers")
    p.add_argument("--series-reads", type=int, default=s.reads, help="monitoring: reads")
    r = RulesOptions()
    p.add_argument("--rules", type=int, default=r.rules, help="monitoring-rules: rules")
    p.add_argument("--rules-series", type=int, default=r.series, help="monitoring-rules: series")
    p.add_argument("--rules-samples", type=int, default=r.samples, help="monitoring-rules: pushes")
    g = GatewayOptions()
    p.add_argument("--gateway-rate", type=float, default=g.rate, help="gateway: requests/s")
    p.add_argument("--gateway-seconds", type=float, default=g.seconds, help="gateway: duration")
    p.add_argument(
        "--gateway-companies", type=int, default=g.companies,
        help="gateway: companies the requests go to in turn",
    )  # fmt: skip
    p.add_argument(
        "--gateway-read-cache-seconds", type=float, default=None,
        help="gateway: seconds dashboard aggregates are kept (0: none; default: the gateway's)",
    )  # fmt: skip
    return p


def main() -> None:
    args = _parser().parse_args()
    started = time.perf_counter()
    emit(
        f"Nephos bench on {platform.node()}: {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; figures are printed, not asserted"
    )
    emit("load average at start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.which in ("all", "discovery"):
        run_discovery(
            DiscoveryOptions(
                scale=args.scale,
                repeats=args.repeats,
                proxy_repeats=args.proxy_repeats,
                concurrency=args.concurrency,
                delay_ms=args.delay_ms,
                with_c7n=not args.no_c7n,
            )
        )
    if args.which in ("all", "upsert"):
        run_upsert(UpsertOptions(assets=args.assets, units=args.units, profile=args.profile))
    if args.which in ("all", "azure"):
        run_azure(
            AzureOptions(
                scale=args.azure_scale,
                page_size=args.azure_page_size,
                repeats=args.azure_repeats,
                concurrency=args.concurrency,
            )
        )
    if args.which in ("all", "metering"):
        run_metering(
            MeteringOptions(
                parts=tuple(args.metering_parts.split(",")),
                ingest=IngestOptions(
                    rows=args.metering_rows,
                    parquet=args.metering_parquet,
                    profile=args.metering_profile,
                    allocation_tags=tuple(args.metering_allocation_tag),
                    group_members=args.metering_service_group,
                ),
                dashboard=DashboardOptions(
                    month_rows=args.metering_month_rows, repeats=args.metering_repeats
                ),
            )
        )
    if args.which in ("all", "metering-outputs"):
        run_metering_outputs(OutputsOptions(rows=args.outputs_rows))
    if args.which in ("all", "monitoring-ingest"):
        run_monitoring_ingest(
            MonitoringIngestOptions(series=args.ingest_series, minutes=args.ingest_minutes)
        )
    if args.which in ("all", "monitoring-series"):
        run_monitoring_series(SeriesOptions(servers=args.series_servers, reads=args.series_reads))
    if args.which in ("all", "monitoring-rules"):
        run_monitoring_rules(
            RulesOptions(rules=args.rules, series=args.rules_series, samples=args.rules_samples)
        )
    if args.which in ("all", "gateway"):
        run_gateway(
            GatewayOptions(
                rate=args.gateway_rate,
                seconds=args.gateway_seconds,
                companies=args.gateway_companies,
                read_cache_seconds=args.gateway_read_cache_seconds,
            )
        )
    emit()
    emit(
        f"bench finished in {time.perf_counter() - started:.0f} s; load average: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
