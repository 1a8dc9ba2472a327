"""The upsert bench: three discoveries of a synthetic estate into one fresh database.

(a) first discovery: everything is new; (b) the same estate again: nothing
changed; (c) the same estate with 1 % of assets changed. Each phase runs in a
process of its own (peak memory per phase); rows written are read from
PostgreSQL's own per-table counters.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.child import run_child
from bench.database import POSTGRES_URL, databases
from bench.output import Figure, emit, figures, heading, table
from bench.upsert.synthetic import CHANGE_EVERY

PHASE = "bench.upsert.phase:run_phase"
TABLES = ("assets", "asset_versions", "outbox")
RATE_GOAL = 20_000


@dataclass(frozen=True)
class UpsertOptions:
    assets: int = 100_000
    units: int = 20
    profile: bool = False


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    generation: int


PHASES = (
    Phase("a", "first discovery", 0),
    Phase("b", "unchanged re-discovery", 0),
    Phase("c", f"{100 // CHANGE_EVERY} % changed", 1),
)
Counters = dict[str, dict[str, int]]


async def _counters(database: str) -> Counters:
    """Rows inserted/updated per table so far, once the counters have settled.

    A backend reports its counts when it exits, a moment after its client
    closed the connection: read until two reads agree.
    """
    conn = await asyncpg.connect(f"{POSTGRES_URL}/{database}")
    try:
        previous: Counters | None = None
        for _ in range(50):
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            rows = await conn.fetch(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
                " WHERE relname = ANY($1::text[])",
                list(TABLES),
            )
            current = {r["relname"]: {k: int(v) for k, v in dict(r).items() if k != "relname"}
                       for r in rows}  # fmt: skip
            if current == previous:
                return current
            previous = current
            await asyncio.sleep(0.3)
        return previous or {}
    finally:
        await conn.close()


def _delta(before: Counters, after: Counters, table: str, column: str) -> int:
    return after.get(table, {}).get(column, 0) - before.get(table, {}).get(column, 0)


def _phase_row(
    phase: Phase, result: dict[str, Any], before: Counters, after: Counters
) -> list[str]:
    t = result["timing"]
    return [
        f"({phase.key}) {phase.label}", f"{result['found']:,}", f"{result['seconds']:.2f}",
        f"{result['found'] / result['seconds']:,.0f}", f"{t['sync_unit']:.2f}",
        f"{t['outbox_record']:.2f}", f"{t['commit']:.2f}",
        f"{_delta(before, after, 'assets', 'n_tup_ins'):,}",
        f"{_delta(before, after, 'assets', 'n_tup_upd'):,}"
        f" ({_delta(before, after, 'assets', 'n_tup_hot_upd'):,})",
        f"{_delta(before, after, 'asset_versions', 'n_tup_ins'):,}",
        f"{_delta(before, after, 'outbox', 'n_tup_ins'):,}",
        f"{result['peak_rss_mib']:.0f}",
    ]  # fmt: skip


def _goals(results: dict[str, dict[str, Any]], written: dict[str, tuple[int, int]]) -> None:
    rate = {k: r["found"] / r["seconds"] for k, r in results.items()}
    changed = results["c"]["found"] // CHANGE_EVERY
    hist_b, out_b = written["b"]
    hist_c, out_c = written["c"]
    figures(
        "  Goals",
        [
            Figure("(a) assets/s", f"{rate['a']:,.0f}", f">= {RATE_GOAL:,}",
                   rate["a"] >= RATE_GOAL),
            Figure("(b) assets/s", f"{rate['b']:,.0f}", f">= (a) = {rate['a']:,.0f}",
                   rate["b"] >= rate["a"]),
            Figure("(b) history rows written", f"{hist_b:,}", "0", hist_b == 0),
            Figure("(b) outbox rows written", f"{out_b:,}", "0", out_b == 0),
            Figure("(c) assets/s", f"{rate['c']:,.0f}", "(information)"),
            Figure("(c) history rows written", f"{hist_c:,}", f"= changed = {changed:,}",
                   hist_c == changed),
            Figure("(c) outbox rows written", f"{out_c:,}", f"= changed = {changed:,}",
                   out_c == changed),
        ],
    )  # fmt: skip


def run(opts: UpsertOptions) -> None:
    heading("Upsert bench")
    per_unit = opts.assets // opts.units
    emit(
        f"  {per_unit * opts.units:,} synthetic assets (5 tags, 6-field spec, 5 relations, "
        f"~1 KB raw) in {opts.units} units of {per_unit:,}; each unit = sync_unit + "
        "outbox.record in one transaction, as the discovery worker writes it"
    )
    results: dict[str, dict[str, Any]] = {}
    rows, written = [], {}
    with databases() as dbs:
        url = dbs.fresh()
        name = url.rsplit("/", 1)[1]
        for phase in PHASES:
            emit(f"  phase ({phase.key}) {phase.label} ...")
            before = asyncio.run(_counters(name))
            result = run_child(PHASE, f"upsert-{phase.key}", database_url=url,
                               generation=phase.generation, unit_count=opts.units,
                               per_unit=per_unit, profile=opts.profile)  # fmt: skip
            after = asyncio.run(_counters(name))
            results[phase.key] = result
            rows.append(_phase_row(phase, result, before, after))
            written[phase.key] = (
                _delta(before, after, "asset_versions", "n_tup_ins"),
                _delta(before, after, "outbox", "n_tup_ins"),
            )
    emit()
    table(
        ("Phase", "assets", "time s", "assets/s", "sync_unit s", "outbox s", "commit s",
         "assets ins", "assets upd (HOT)", "history ins", "outbox ins", "peak RSS MiB"),
        rows,
    )  # fmt: skip
    emit("  time: the units' transactions only (generating the synthetic assets is not timed);")
    emit("  rows: PostgreSQL's per-table counters (pg_stat_user_tables) for the phase.")
    _goals(results, written)
    if opts.profile:
        for key, result in results.items():
            emit()
            emit(f"Profile of phase ({key}), top functions by own time (cProfile):")
            emit(result["profile"])
    elif results["a"]["found"] / results["a"]["seconds"] < RATE_GOAL:
        emit("  where the time goes: python -m bench upsert --profile")
