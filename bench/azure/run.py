"""The Azure bench: seed the ARM stand-in (own process), then measure our discovery against it.

Each round runs our collector alone (results dropped) and our full run (the
real worker writing into a fresh, migrated database), each in a fresh
process (``bench.child``) so its peak RSS is its own. The stand-in serves
from a process of its own too; its CPU time and the list requests it served
are read around every run.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.azure.shared import SUBSCRIPTION_CALLS
from bench.azure.stand_in import StandIn, arm_stand_in
from bench.child import run_child
from bench.database import databases
from bench.output import Figure, count, emit, figures, heading, mib, seconds, table

COLLECTOR = "bench.azure.collector:collector_only"
PIPELINE = "bench.azure.pipeline:pipeline"
RESOURCES_GOAL = 5_000
LABELS = {
    "collector": "ours: collector only (results dropped)",
    "pipeline": "ours: full run (worker -> PostgreSQL)",
}


@dataclass(frozen=True)
class AzureOptions:
    scale: int = 90  # ~5,076 resources over two locations
    page_size: int = 100  # ARM's usual page: 100-1,000 items
    repeats: int = 3
    concurrency: int = 16  # the service's default (NEPHOS_ASSET_DISCOVERY_CONCURRENCY)
    max_attempts: int = 4  # the service's default (NEPHOS_ASSET_DISCOVERY_MAX_ATTEMPTS)
    locations: tuple[str, ...] = ("westeurope", "eastus")


@dataclass(frozen=True)
class Sample:
    """One run of one variant."""

    seconds: float  # the timed section, inside the variant's process
    process_seconds: float  # the whole process: interpreter start, imports, set-up
    peak_rss_mib: float
    cpu: float  # the variant's CPU seconds in its timed section
    stand_in_cpu: float  # CPU seconds the stand-in spent meanwhile
    api_calls: dict[str, int]  # as counted by the collector (pages fetched, no retries)
    served: int  # list requests the stand-in answered (retries included)
    found: dict[str, int]  # "<location> <native type>" -> assets
    rows: dict[str, int] = field(default_factory=dict)
    import_seconds: float = 0.0


@dataclass
class Variant:
    """Every run of one variant; times are medians, memory the maximum."""

    name: str
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in self.samples))

    def spread(self) -> str:
        low, high = (f(s.seconds for s in self.samples) for f in (min, max))
        return f"{low:.2f}-{high:.2f}" if len(self.samples) > 1 else ""

    @property
    def peak_rss_mib(self) -> float:
        return max(s.peak_rss_mib for s in self.samples)

    @property
    def last(self) -> Sample:
        return self.samples[-1]


def _sample(arm: StandIn, target: str, log_name: str, **kwargs: Any) -> Sample:
    """Run ``target`` via ``bench.child`` while watching the stand-in."""
    arm.take_calls()  # zero the stand-in's counts
    cpu, started = arm.cpu_seconds(), time.perf_counter()
    result = run_child(target, log_name, timeout=300, **kwargs)
    process_seconds = time.perf_counter() - started
    return Sample(
        seconds=result["seconds"],
        process_seconds=process_seconds,
        peak_rss_mib=result["peak_rss_mib"],
        cpu=result["cpu"],
        stand_in_cpu=arm.cpu_seconds() - cpu,
        api_calls=result["api_calls"],
        served=sum(arm.take_calls().values()),
        found=result["found"],
        rows=result.get("rows", {}),
        import_seconds=result.get("import_seconds", 0.0),
    )


def run(opts: AzureOptions) -> None:
    heading("Azure discovery bench")
    variants = {k: Variant(k) for k in LABELS}
    with (
        arm_stand_in(opts.page_size, opts.scale, opts.locations) as arm,
        databases() as dbs,
    ):
        emit(
            f"  estate: {arm.total:,} resources to discover over {len(opts.locations)} locations "
            f"(scale={opts.scale}), seeded in {arm.seed_seconds:.2f} s; ARM stand-in in its own "
            f"process (pid {arm.pid}), page size {opts.page_size}"
        )
        emit(
            f"  (the stand-in holds {arm.stored:,} resources: subnets are listed inside their "
            "VNets, and each SQL server's master database is held but not discovered)"
        )
        ours: dict[str, Any] = {
            "url": arm.url, "credentials": arm.credentials,
            "concurrency": opts.concurrency, "max_attempts": opts.max_attempts,
        }  # fmt: skip
        emit("  warm-up (not counted): one collector-only run ...")
        run_child(COLLECTOR, "azure-warm-up", timeout=300, **ours)
        for i in range(opts.repeats):
            emit(f"  round {i + 1}/{opts.repeats} ...")
            collector = _sample(arm, COLLECTOR, "azure-collector", **ours)
            variants["collector"].samples.append(collector)
            pipeline = _sample(arm, PIPELINE, "azure-pipeline", database_url=dbs.fresh(), **ours)
            variants["pipeline"].samples.append(pipeline)
        expected = arm.expected
    _times(variants, opts)
    mismatches = _counts(expected, variants)
    _goals(variants, expected, mismatches)
    _api_calls(variants, opts.page_size)


def _by_type(found: dict[str, int] | Counter[tuple[str, str]]) -> Counter[str]:
    per_type: Counter[str] = Counter()
    for key, n in found.items():
        native_type = key[1] if isinstance(key, tuple) else key.split(" ", 1)[1]
        per_type[native_type] += n
    return per_type


def _times(variants: dict[str, Variant], opts: AzureOptions) -> None:
    emit()
    emit(f"Azure: direct against the ARM stand-in (page size {opts.page_size}, "
         f"concurrency {opts.concurrency})")  # fmt: skip
    rows = []
    for key, v in variants.items():
        rows.append((
            LABELS[key], f"{v.median('seconds'):.2f}", v.spread(),
            f"{v.median('process_seconds'):.2f}", f"{v.peak_rss_mib:.0f}",
            f"{v.median('cpu'):.2f}", f"{v.median('stand_in_cpu'):.2f}",
            f"{sum(v.last.api_calls.values()):,}", f"{sum(v.last.found.values()):,}",
        ))  # fmt: skip
    table(
        ("Variant", "time s", "min-max", "process s", "peak RSS MiB", "own CPU s",
         "stand-in CPU s", "API calls", "resources"),
        rows,
    )  # fmt: skip
    emit(
        f"  time: median of {opts.repeats} runs of the timed section (full run: "
        "worker.execute of a queued run; collector: verify + locations + every unit)."
    )
    emit(
        "  process: the whole process incl. interpreter start, imports and set-up. peak RSS:"
        " the process's ru_maxrss. own CPU: the variant's, in its timed section;"
    )
    emit(
        "  stand-in CPU: the ARM stand-in's meanwhile (one uvicorn process, GIL-bound). "
        "2 cores are shared by both (and PostgreSQL)."
    )
    full = variants["pipeline"]
    ours_cpu, server_cpu = full.median("cpu"), full.median("stand_in_cpu")
    emit(
        f"  the stand-in spends {server_cpu:.2f} CPU-s serving a full run, our process "
        f"{ours_cpu:.2f} CPU-s of its {full.median('seconds'):.2f} s: "
        + ("the run is bound by our own CPU, not by the server." if ours_cpu > 2 * server_cpu
           else "the server's share is not negligible here.")
    )  # fmt: skip
    imports = full.median("import_seconds")
    emit(
        f"  not in the full run's time: importing the Azure SDK ({imports:.2f} s), which the "
        "worker does once per process, on its first Azure account."
    )


def _counts(expected: Counter[tuple[str, str]], variants: dict[str, Variant]) -> list[str]:
    """Per-type table; returns every (location, type) whose count differs from the manifest."""
    want = _by_type(expected)
    columns = [_by_type(v.last.found) for v in variants.values()]
    rows = []
    for native_type in sorted(want.keys() | set().union(*columns)):
        cells = [str(c.get(native_type, 0)) for c in columns]
        flag = "" if all(c == str(want[native_type]) for c in cells) else "MISMATCH"
        rows.append((native_type, str(want[native_type]), *cells, flag))
    rows.append(("total", str(sum(want.values())), *(str(sum(c.values())) for c in columns), ""))
    emit()
    emit("Resources found per type (seeded = what the estate manifest accounts for)")
    table(("Type", "seeded", "ours coll.", "ours in DB", ""), rows)
    mismatches = []
    for name, v in variants.items():
        for s_index, sample in enumerate(v.samples, 1):
            got = Counter({tuple(k.split(" ", 1)): n for k, n in sample.found.items()})
            for loc, native_type in sorted(expected.keys() | got.keys()):
                if got[(loc, native_type)] != expected[(loc, native_type)]:
                    mismatches.append(
                        f"{name} run {s_index}: {loc} {native_type}: found "
                        f"{got[(loc, native_type)]}, seeded {expected[(loc, native_type)]}"
                    )
    for line in mismatches:
        emit(f"  MISMATCH {line}")
    if not mismatches:
        emit("  every run of both variants found exactly the manifest, location by location")
    rows_written = variants["pipeline"].last.rows
    emit(
        f"  ours wrote per run: {rows_written.get('assets', 0):,} assets, "
        f"{rows_written.get('asset_versions', 0):,} history rows, "
        f"{rows_written.get('outbox', 0):,} outbox rows (one per asset, plus the run's "
        "completion event)"
    )
    return mismatches


def _goals(
    variants: dict[str, Variant], expected: Counter[tuple[str, str]], mismatches: list[str]
) -> None:
    pipeline, collector = variants["pipeline"], variants["collector"]
    total = sum(expected.values())
    in_db = sum(pipeline.last.found.values())
    enough = in_db >= RESOURCES_GOAL and not mismatches
    figures(
        "  Goal: Azure discovery of at least 5,000 resources from the stand-in",
        [
            Figure("resources discovered (full run, in DB)", count(in_db),
                   f">= {RESOURCES_GOAL:,}, = seeded ({total:,})", enough),
            Figure("wall time, full run (median)", seconds(pipeline.median("seconds")),
                   "(reported)"),
            Figure("peak RSS, full run", mib(pipeline.peak_rss_mib), "(reported)"),
            Figure("rate, full run", f"{in_db / pipeline.median('seconds'):,.0f} resources/s",
                   "(information)"),
            Figure("wall time, collector only (median)", seconds(collector.median("seconds")),
                   "(information)"),
            Figure("peak RSS, collector only", mib(collector.peak_rss_mib), "(information)"),
        ],
    )  # fmt: skip


def _api_calls(variants: dict[str, Variant], page_size: int) -> None:
    pipeline, collector = variants["pipeline"].last, variants["collector"].last
    ours, alone = Counter(pipeline.api_calls), Counter(collector.api_calls)
    rows = [(op, str(ours[op] or ""), str(alone[op] or "")) for op in sorted(ours.keys() | alone)]
    rows.append(("total", str(sum(ours.values())), str(sum(alone.values()))))
    emit()
    emit(f"API calls per operation (one full listing; each list call is one page of "
         f"<= {page_size})")  # fmt: skip
    table(("Operation", "full run", "collector only"), rows)
    listed = sum(n for op, n in ours.items() if op not in SUBSCRIPTION_CALLS)
    emit(
        "  full run: the run's api_calls (pages fetched per unit), plus subscriptions.get "
        "(verify) and subscriptions.listLocations"
    )
    emit(
        "  (the account names no locations), which run before any unit; one token request "
        "comes on top of these."
    )
    retries = pipeline.served - listed
    emit(
        f"  the stand-in served {pipeline.served:,} list requests in that run: "
        + ("as counted, no retries." if retries == 0 else f"{retries:+,} against the count "
           "(retries are not counted by the collector).")
    )  # fmt: skip
