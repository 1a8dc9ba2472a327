"""The discovery bench: seed an estate into moto, then measure each variant in two settings.

Setting 1 talks to moto directly; setting 2 goes through a proxy adding a
fixed delay to every request. In each, the variants run in turn (bare script,
our collector alone, our full pipeline, c7n-org), repeated, each in a fresh
process; our full pipeline writes into a fresh, migrated database each time.
"""

from __future__ import annotations

import time
from typing import Any

from bench.child import run_child
from bench.database import Databases, databases
from bench.discovery import c7n, report
from bench.discovery.measure import DiscoveryOptions, Variant, c7n_sample, child_sample
from bench.output import emit, heading
from bench.servers import Server, latency_proxy, moto_server
from nephos_devstack.aws_estate import seed_estate

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
BARE = "bench.discovery.bare:run"
COLLECTOR = "bench.discovery.ours:collector_only"
PIPELINE = "bench.discovery.pipeline:pipeline"


def _setting(
    moto: Server,
    endpoint: str,
    opts: DiscoveryOptions,
    dbs: Databases,
    repeats: int,
    tag: str,
    c7n_reason: str | None,
) -> dict[str, Variant]:
    """``repeats`` rounds of every variant against ``endpoint``; c7n only if no reason not to."""
    variants = {k: Variant(k) for k in ("bare", "collector", "pipeline", "c7n")}
    where: dict[str, Any] = {"endpoint": endpoint, "regions": REGIONS}
    ours = {**where, "concurrency": opts.concurrency, "max_attempts": opts.max_attempts}
    for i in range(repeats):
        emit(f"  {tag}: round {i + 1}/{repeats} ...")
        plan = (
            ("bare", BARE, where),
            ("collector", COLLECTOR, ours),
            ("pipeline", PIPELINE, {**ours, "database_url": dbs.fresh()}),
        )
        for name, target, kwargs in plan:
            variants[name].samples.append(child_sample(moto, target, f"{tag}-{name}", **kwargs))
        if c7n_reason is None:
            sample = c7n_sample(moto, endpoint, REGIONS, tag)
            if isinstance(sample, str):
                c7n_reason = sample
            else:
                variants["c7n"].samples.append(sample)
    if c7n_reason is not None:
        variants["c7n"].skipped = c7n_reason
    return variants


def run(opts: DiscoveryOptions) -> None:
    heading("Discovery bench")
    c7n_reason = c7n.ensure_installed() if opts.with_c7n else "skipped (--no-c7n)"
    with moto_server() as moto, databases() as dbs:
        started = time.perf_counter()
        manifest = seed_estate(moto.url, REGIONS, scale=opts.scale)
        emit(
            f"  estate: {manifest.total:,} resources over {len(REGIONS)} regions "
            f"(scale={opts.scale}), seeded in {time.perf_counter() - started:.1f} s; "
            f"moto in its own process (pid {moto.pid})"
        )
        run_child(BARE, "warm-up", endpoint=moto.url, regions=REGIONS)  # moto's lazy paths
        direct = _setting(moto, moto.url, opts, dbs, opts.repeats, "direct", "setting 2 only")
        with latency_proxy(moto.url, opts.delay_ms) as proxy:
            proxied = _setting(moto, proxy.url, opts, dbs, opts.proxy_repeats, "proxy", c7n_reason)
    report.direct(direct)
    report.api_calls(direct, proxied)
    report.proxied(proxied, direct, opts)
    report.counts(manifest.expected, direct, proxied)
