"""The portal home through the gateway at a fixed rate, and the same three REST calls direct.

One GraphQL request asks for the asset summary, the month's cost summary and
the monitoring overview; the gateway makes the three REST calls concurrently.
The comparison sends those three calls straight to the services (concurrently,
with the internal token the gateway would send), so the ratio of the two
latencies is the gateway's own overhead: parsing, validation, execution,
serialisation, and one more hop. The ratio is judged only when the direct
path kept the rate: a saturated direct path makes any gateway look cheap.

The gateway keeps the three aggregates a few seconds per company
(``read_cache_seconds``): ``--gateway-read-cache-seconds 0`` measures it
without, and ``--gateway-companies N`` spreads the requests over N companies
in turn, each asked N times less often.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import cycle

import aiohttp
import psutil

from bench.gateway.load import LoadResult, open_loop
from bench.gateway.stack import Stack, admin_of, running_stack
from bench.output import Figure, emit, figures, heading, table
from nephos_common.auth import TENANT_HEADER, Role, issue_internal_token, issue_token
from nephos_gateway.settings import Settings

P95_GOAL_MS = 50.0
OVERHEAD_GOAL = 1.5

HOME = """
query Home($from: Date!, $to: Date!) {
  assetSummary { productsTotal servers { total running stopped } databases { total storageGb } }
  costSummary(from: $from, to: $to) { items { key currency billedCost effectiveCost } }
  monitoringOverview {
    targetsTotal firingAlerts byStatus { status count } cpuHistogram { band count }
  }
}
"""


@dataclass(frozen=True)
class GatewayOptions:
    rate: float = 200.0
    seconds: float = 20.0
    warmup_seconds: float = 3.0
    companies: int = 1
    read_cache_seconds: float | None = None
    """None: the gateway's default."""

    def gateway_env(self) -> dict[str, str]:
        if self.read_cache_seconds is None:
            return {}
        return {"NEPHOS_GATEWAY_READ_CACHE_SECONDS": str(self.read_cache_seconds)}


def _month(today: date) -> tuple[str, str]:
    return today.replace(day=1).isoformat(), today.isoformat()


def _through_gateway(client: aiohttp.ClientSession, stack: Stack) -> Callable[[], Awaitable[bool]]:
    settings = Settings()
    start, end = _month(datetime.now(UTC).date())
    body = {"query": HOME, "variables": {"from": start, "to": end}}
    turns = cycle(
        {"Authorization": f"Bearer {issue_token(settings, subject=admin_of(c), tenant=c)}"}
        for c in stack.companies
    )
    url = f"{stack.gateway.url}/graphql"

    async def send() -> bool:
        async with client.post(url, json=body, headers=next(turns)) as answer:
            return answer.status == 200 and "errors" not in await answer.json()

    return send


def _internal_headers(settings: Settings, company: str) -> dict[str, str]:
    admin = admin_of(company)
    token = issue_internal_token(settings, subject=admin, tenant=company, role=Role.ADMIN)
    return {"Authorization": f"Bearer {token}", TENANT_HEADER: company}


def _direct(client: aiohttp.ClientSession, stack: Stack) -> Callable[[], Awaitable[bool]]:
    settings = Settings()
    turns = cycle([_internal_headers(settings, c) for c in stack.companies])
    start, end = _month(datetime.now(UTC).date())
    s = stack.services
    urls: tuple[tuple[str, dict[str, str]], ...] = (
        (f"{s['asset'].url}/summary", {}),
        (f"{s['metering'].url}/costs/summary", {"from": start, "to": end, "group_by": "service"}),
        (f"{s['monitoring'].url}/overview", {}),
    )

    async def one(url: str, params: dict[str, str], headers: dict[str, str]) -> bool:
        async with client.get(url, params=params, headers=headers) as answer:
            await answer.read()
            return answer.status == 200

    async def send() -> bool:
        headers = next(turns)
        return all(await asyncio.gather(*(one(url, params, headers) for url, params in urls)))

    return send


class CpuMeter:
    """CPU time each process of the stack spent in a window, per request sent.

    The goals are set on a 2-core machine where the generator, the gateway, the
    three services and PostgreSQL all share the cores: the split says which of
    them the rate is spent on.
    """

    def __init__(self, stack: Stack) -> None:
        self._servers = {"gateway": stack.gateway, **stack.services}

    def _now(self) -> dict[str, float]:
        now = {name: server.cpu_seconds() for name, server in self._servers.items()}
        now["postgresql"] = sum(_cpu(p) for p in psutil.process_iter(["name"]) if _is_pg(p))
        now["load generator"] = _cpu(psutil.Process())
        machine = psutil.cpu_times()
        now["whole machine, busy"] = sum(machine) - machine.idle - getattr(machine, "iowait", 0)
        now["whole machine, stolen by the host"] = getattr(machine, "steal", 0.0)
        return now

    def start(self) -> None:
        self._started = self._now()

    def per_request_ms(self, requests: int) -> dict[str, float]:
        ended = self._now()
        return {k: (ended[k] - self._started.get(k, 0.0)) * 1000 / requests for k in ended}


def _is_pg(process: psutil.Process) -> bool:
    return (process.info.get("name") or "").startswith("postgres")


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


async def _measured(
    meter: CpuMeter, send: Callable[[], Awaitable[bool]], options: GatewayOptions
) -> tuple[LoadResult, dict[str, float]]:
    await open_loop(send, options.rate, options.warmup_seconds)
    meter.start()
    result = await open_loop(send, options.rate, options.seconds)
    return result, meter.per_request_ms(result.sent)


async def _measure(
    stack: Stack, options: GatewayOptions
) -> tuple[tuple[LoadResult, dict[str, float]], tuple[LoadResult, dict[str, float]]]:
    # aiohttp, not httpx: at 200 requests/s httpx's client alone used a whole core
    # here, and the generator, not the gateway, set the pace.
    connector = aiohttp.TCPConnector(limit=400)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        gateway, direct = _through_gateway(client, stack), _direct(client, stack)
        if not await gateway() or not await direct():
            raise RuntimeError("the home query or a REST call fails; see bench/out/gateway-*.log")
        meter = CpuMeter(stack)
        through = await _measured(meter, gateway, options)
        straight = await _measured(meter, direct, options)
    return through, straight


def _row(label: str, r: LoadResult) -> list[str]:
    return [
        label,
        f"{r.achieved_rps:.0f}",
        f"{r.ok}/{r.sent}",
        f"{r.percentile(50):.1f}",
        f"{r.percentile(95):.1f}",
        f"{r.percentile(99):.1f}",
    ]


def run(options: GatewayOptions) -> None:
    heading(
        f"Gateway: portal home query, open loop at {options.rate:.0f} requests/s for "
        f"{options.seconds:.0f} s (after {options.warmup_seconds:.0f} s of warm-up each)"
    )
    emit("  services and gateway: one uvicorn process each, fresh databases, workers off")
    kept = options.read_cache_seconds
    emit(
        f"  companies asked in turn: {options.companies}; dashboard aggregates kept: "
        + ("the gateway's default" if kept is None else f"{kept:g} s")
    )
    with running_stack(options.companies, **options.gateway_env()) as stack:
        (through, through_cpu), (straight, straight_cpu) = asyncio.run(_measure(stack, options))
    table(
        ("Path", "Achieved rps", "OK/sent", "p50 ms", "p95 ms", "p99 ms"),
        [_row("GraphQL home (gateway)", through), _row("3 REST calls (direct)", straight)],
    )
    emit("  CPU time per request sent, by process (ms):")
    table(
        ("Process", "GraphQL home", "3 REST calls"),
        [[name, f"{through_cpu[name]:.2f}", f"{straight_cpu[name]:.2f}"] for name in through_cpu],
    )
    p95 = through.percentile(95)
    ratio50 = through.percentile(50) / straight.percentile(50)
    ratio95 = p95 / straight.percentile(95)
    direct_kept_up = straight.achieved_rps >= options.rate * 0.95 and straight.failed == 0
    if not direct_kept_up:
        emit("  the direct path did not keep the rate: the overhead is not judged at this rate")
    figures(
        "Gateway goals",
        [
            Figure(
                "achieved rate (gateway)",
                f"{through.achieved_rps:.0f} rps",
                f">= {options.rate * 0.95:.0f}",
                through.achieved_rps >= options.rate * 0.95 and through.failed == 0,
            ),
            Figure(
                "p95 latency (gateway)",
                f"{p95:.1f} ms",
                f"< {P95_GOAL_MS:.0f} ms",
                p95 < P95_GOAL_MS,
            ),
            Figure(
                "overhead p50 (gateway / direct)",
                f"{ratio50:.2f}x",
                f"< {OVERHEAD_GOAL}x",
                ratio50 < OVERHEAD_GOAL if direct_kept_up else None,
            ),
            Figure("overhead p95 (gateway / direct)", f"{ratio95:.2f}x", "", None),
        ],
    )
