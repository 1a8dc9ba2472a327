"""``python -m bench [discovery|upsert|azure|all]``: run the benchmarks and print their figures."""

from __future__ import annotations

import argparse
import os
import platform
import time

from bench.azure.run import AzureOptions
from bench.azure.run import run as run_azure
from bench.discovery.measure import DiscoveryOptions
from bench.discovery.run import run as run_discovery
from bench.output import emit
from bench.upsert.run import UpsertOptions
from bench.upsert.run import run as run_upsert


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "which", nargs="?", default="all", choices=("all", "discovery", "upsert", "azure")
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
    emit()
    emit(
        f"bench finished in {time.perf_counter() - started:.0f} s; load average: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
