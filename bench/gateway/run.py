"""The portal home through the gateway at a fixed rate, and the same three REST calls direct.

One GraphQL request asks for the asset summary, the month's cost summary and
the monitoring overview; the gateway makes the three REST calls concurrently.
The comparison sends those three calls straight to the services (concurrently,
with the internal token the gateway would send), so the ratio of the two
latencies is the gateway's own overhead: parsing, validation, execution,
serialisation, and one more hop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import aiohttp

from bench.gateway.load import LoadResult, open_loop
from bench.gateway.stack import SUBJECT, TENANT, Stack, running_stack
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


def _month(today: date) -> tuple[str, str]:
    return today.replace(day=1).isoformat(), today.isoformat()


def _through_gateway(client: aiohttp.ClientSession, stack: Stack) -> Callable[[], Awaitable[bool]]:
    settings = Settings()
    token = issue_token(settings, subject=SUBJECT, tenant=TENANT, role="admin")
    start, end = _month(datetime.now(UTC).date())
    body = {"query": HOME, "variables": {"from": start, "to": end}}
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{stack.gateway.url}/graphql"

    async def send() -> bool:
        async with client.post(url, json=body, headers=headers) as answer:
            return answer.status == 200 and "errors" not in await answer.json()

    return send


def _direct(client: aiohttp.ClientSession, stack: Stack) -> Callable[[], Awaitable[bool]]:
    settings = Settings()
    token = issue_internal_token(settings, subject=SUBJECT, tenant=TENANT, role=Role.ADMIN)
    headers = {"Authorization": f"Bearer {token}", TENANT_HEADER: TENANT}
    start, end = _month(datetime.now(UTC).date())
    s = stack.services
    urls: tuple[tuple[str, dict[str, str]], ...] = (
        (f"{s['asset'].url}/summary", {}),
        (f"{s['metering'].url}/costs/summary", {"from": start, "to": end, "group_by": "service"}),
        (f"{s['monitoring'].url}/overview", {}),
    )

    async def one(url: str, params: dict[str, str]) -> bool:
        async with client.get(url, params=params, headers=headers) as answer:
            await answer.read()
            return answer.status == 200

    async def send() -> bool:
        return all(await asyncio.gather(*(one(url, params) for url, params in urls)))

    return send


async def _measure(stack: Stack, options: GatewayOptions) -> tuple[LoadResult, LoadResult]:
    # aiohttp, not httpx: at 200 requests/s httpx's client alone used a whole core
    # here, and the generator, not the gateway, set the pace.
    connector = aiohttp.TCPConnector(limit=400)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        gateway, direct = _through_gateway(client, stack), _direct(client, stack)
        if not await gateway() or not await direct():
            raise RuntimeError("the home query or a REST call fails; see bench/out/gateway-*.log")
        await open_loop(gateway, options.rate, options.warmup_seconds)
        through = await open_loop(gateway, options.rate, options.seconds)
        await open_loop(direct, options.rate, options.warmup_seconds)
        straight = await open_loop(direct, options.rate, options.seconds)
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
    with running_stack() as stack:
        through, straight = asyncio.run(_measure(stack, options))
    table(
        ("Path", "Achieved rps", "OK/sent", "p50 ms", "p95 ms", "p99 ms"),
        [_row("GraphQL home (gateway)", through), _row("3 REST calls (direct)", straight)],
    )
    p95 = through.percentile(95)
    ratio50 = through.percentile(50) / straight.percentile(50)
    ratio95 = p95 / straight.percentile(95)
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
                ratio50 < OVERHEAD_GOAL,
            ),
            Figure("overhead p95 (gateway / direct)", f"{ratio95:.2f}x", "", None),
        ],
    )
