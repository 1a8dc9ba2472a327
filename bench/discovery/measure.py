"""Runs each discovery variant in its own process and keeps what it measured."""

from __future__ import annotations

import resource
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.child import run_child
from bench.discovery import c7n
from bench.servers import Server


@dataclass(frozen=True)
class DiscoveryOptions:
    scale: int = 60
    repeats: int = 3
    proxy_repeats: int = 2
    concurrency: int = 16  # the service's default (NEPHOS_ASSET_DISCOVERY_CONCURRENCY)
    max_attempts: int = 4  # the service's default (NEPHOS_ASSET_DISCOVERY_MAX_ATTEMPTS)
    delay_ms: int = 50
    with_c7n: bool = True


@dataclass(frozen=True)
class Sample:
    """One run of one variant."""

    seconds: float  # the timed section, inside the variant's process
    process_seconds: float  # the whole process: interpreter start, imports, set-up
    peak_rss_mib: float
    cpu: float  # CPU seconds of the variant itself (timed section; c7n: its whole tree)
    emulator_cpu: float  # CPU seconds moto spent while the variant ran
    api_calls: dict[str, int]
    found: dict[str, int]
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class Variant:
    """Every run of one variant in one setting; figures are medians, memory the maximum."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    skipped: str | None = None  # why it was not measured

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def spread(self) -> str:
        low, high = (f(s.seconds for s in self.samples) for f in (min, max))
        return f"{low:.2f}-{high:.2f}" if len(self.samples) > 1 else ""

    @property
    def peak_rss_mib(self) -> float:
        return max(s.peak_rss_mib for s in self.samples)

    @property
    def api_calls(self) -> dict[str, int]:
        return self.samples[-1].api_calls

    @property
    def found(self) -> dict[str, int]:
        return self.samples[-1].found


def child_sample(moto: Server, target: str, log_name: str, **kwargs: Any) -> Sample:
    """Run ``target`` via ``bench.child`` while watching moto's CPU time."""
    cpu, started = moto.cpu_seconds(), time.perf_counter()
    result = run_child(target, log_name, **kwargs)
    process_seconds = time.perf_counter() - started
    return Sample(
        seconds=result["seconds"],
        process_seconds=process_seconds,
        peak_rss_mib=result["peak_rss_mib"],
        cpu=result["cpu"],
        emulator_cpu=moto.cpu_seconds() - cpu,
        api_calls=result["api_calls"],
        found=result["found"],
        rows=result.get("rows", {}),
    )


def c7n_sample(moto: Server, endpoint: str, regions: list[str], tag: str) -> Sample | str:
    """One ``c7n-org`` run, or the reason it gives no comparable figure."""
    cpu, own = moto.cpu_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = c7n.run(endpoint, regions, tag)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_cpu = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    if result.errors:
        return f"c7n-org reported errors, e.g. {result.errors[0][:160]}"
    # c7n names elbv2 calls by endpoint prefix; use botocore's service name as ours does.
    calls = Counter(
        {k.replace("elasticloadbalancing.", "elbv2."): v for k, v in result.api_calls.items()}
    )
    return Sample(
        seconds=result.policy_seconds,
        process_seconds=result.process_seconds,
        peak_rss_mib=result.peak_rss_mib,
        cpu=own_cpu,
        emulator_cpu=moto.cpu_seconds() - cpu,
        api_calls=dict(calls),
        found=dict(result.found),
    )
