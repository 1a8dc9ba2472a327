"""Rule evaluation latency: from a point's arrival at the push endpoint to the
``monitoring.alert.fired`` event received on NATS, with 1,000 rules over 10,000
series (1,000 servers, 10 metrics each).

The real service runs in this process (its lifespan: database, outbox relay,
consumers, workers) on a fresh migrated database and a NATS namespace of its own;
the bench talks to it over ASGI. Each sample is one push of 100 points (a
collection batch) of which one breaches its rule; the alert is resolved again
between samples so every sample measures a firing. Targets are written straight
into the read model (setup, not measured); rules are created through the API.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import nats
from fastapi import FastAPI
from nats.js.errors import NotFoundError

from bench.database import databases
from bench.output import Figure, count, emit, figures, heading
from nephos_common.auth import issue_token
from nephos_common.contracts.asset import EVENTS_STREAM as ASSET_STREAM
from nephos_common.contracts.monitoring import EVENTS_STREAM
from nephos_common.db import utcnow
from nephos_monitoring.main import create_app
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository as targets

NATS_URL = os.environ.get("NEPHOS_BENCH_NATS_URL", "nats://127.0.0.1:4222")
TENANT = "bench"
METRICS = tuple(f"metric_{n}" for n in range(10))
BATCH = 100
P99_GOAL = 1.0
CALM, BREACH = 10.0, 99.0


@dataclass(frozen=True)
class RulesOptions:
    rules: int = 1_000
    series: int = 10_000
    samples: int = 200


@dataclass(frozen=True)
class Estate:
    servers: list[uuid.UUID]
    rules: list[tuple[uuid.UUID, str]]
    """(server, metric) of each rule, in rule order."""


@dataclass(frozen=True)
class Sample:
    latency: float
    """Push sent -> ``alert.fired`` received."""
    answered: float
    """Push sent -> its answer (points stored, rules evaluated, committed)."""


@asynccontextmanager
async def _service(database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database_url,
        nats_url=NATS_URL,
        nats_namespace=namespace,
        log_level="WARNING",
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            token = issue_token(settings, subject="bench@bench", tenant=TENANT, role="admin")
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://monitoring", headers=headers, timeout=60
            ) as client:
                yield app, client
    finally:
        nc = await nats.connect(NATS_URL)
        try:  # this run's streams only (its own namespace)
            for spec in (EVENTS_STREAM, ASSET_STREAM):
                with suppress(NotFoundError):
                    await nc.jetstream().delete_stream(app.state.nats.stream(spec.name))
        finally:
            await nc.close()


async def _servers(app: FastAPI, how_many: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(how_many)]
    async with app.state.database.transaction() as session:
        for n, asset_id in enumerate(ids):
            values = {
                "asset_id": asset_id,
                "account_id": uuid.UUID(int=1),
                "provider": "aws",
                "region": "us-east-1",
                "category": "server",
                "native_type": "aws.ec2.instance",
                "native_id": f"i-{n:017d}",
                "name": f"srv-{n:05d}",
                "state": "running",
                "tags": {"env": "prod" if n % 2 else "dev"},
            }
            await targets.upsert(session, TENANT, values)
    return ids


def _point(asset: uuid.UUID, metric: str, ts: datetime, value: float) -> dict[str, Any]:
    return {"asset_id": str(asset), "metric": metric, "ts": ts.isoformat(), "value": value}


async def _push(client: httpx.AsyncClient, points: list[dict[str, Any]]) -> None:
    answer = await client.post("/points", json={"points": points})
    answer.raise_for_status()


async def _estate(app: FastAPI, client: httpx.AsyncClient, options: RulesOptions) -> Estate:
    servers = await _servers(app, options.series // len(METRICS))
    rules = []
    for n in range(options.rules):
        server, metric = servers[n % len(servers)], METRICS[(n // len(servers)) % len(METRICS)]
        body = {
            "name": f"rule {n}",
            "metric": metric,
            "threshold": 80,
            "scope": {"kind": "asset", "asset_id": str(server)},
        }
        (await client.post("/rules", json=body)).raise_for_status()
        rules.append((server, metric))
    return Estate(servers=servers, rules=rules)


async def _baseline(client: httpx.AsyncClient, estate: Estate, at: datetime) -> None:
    """One calm point for every series, so each sample meets a warm, full table."""
    series = [(s, m) for s in estate.servers for m in METRICS]
    for start in range(0, len(series), 1_000):
        chunk = series[start : start + 1_000]
        await _push(client, [_point(s, m, at, CALM) for s, m in chunk])


class FiredWatch:
    """Futures resolved by ``monitoring.alert.fired`` events, keyed by (asset, metric)."""

    def __init__(self) -> None:
        self.waiting: dict[tuple[str, str], asyncio.Future[float]] = {}

    async def on_message(self, msg: Any) -> None:
        data = json.loads(msg.data)["data"]
        future = self.waiting.pop((data["asset_id"], data["metric"]), None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    def expect(self, asset: uuid.UUID, metric: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[(str(asset), metric)] = future
        return future


async def _sample(
    client: httpx.AsyncClient,
    watch: FiredWatch,
    estate: Estate,
    rng: random.Random,
    at: datetime,
) -> Sample:
    server, metric = rng.choice(estate.rules)
    others = [(rng.choice(estate.servers), rng.choice(METRICS)) for _ in range(BATCH - 1)]
    batch = [_point(server, metric, at, BREACH)]
    batch += [_point(s, m, at, CALM) for s, m in others if (s, m) != (server, metric)]
    fired = watch.expect(server, metric)
    started = time.perf_counter()
    await _push(client, batch)
    answered = time.perf_counter() - started
    latency = await asyncio.wait_for(fired, 30) - started
    await _push(client, [_point(server, metric, at + timedelta(seconds=1), CALM)])
    return Sample(latency, answered)


async def _measure(database_url: str, options: RulesOptions) -> list[Sample]:
    async with _service(database_url) as (app, client):
        started = time.perf_counter()
        estate = await _estate(app, client, options)
        base = utcnow().replace(microsecond=0) - timedelta(hours=2)
        await _baseline(client, estate, base)
        emit(f"  setup: {time.perf_counter() - started:.1f} s")
        watch = FiredWatch()
        nc = await nats.connect(NATS_URL)
        try:
            await nc.subscribe(
                app.state.nats.subject("monitoring.alert.fired"), cb=watch.on_message
            )
            rng = random.Random(7)
            samples = []
            for n in range(options.samples):
                at = base + timedelta(seconds=10 * (n + 1))
                samples.append(await _sample(client, watch, estate, rng, at))
            return samples
        finally:
            await nc.close()


def run(options: RulesOptions) -> None:
    heading("Monitoring: rule evaluation latency (point arrival -> alert.fired on NATS)")
    emit(
        f"  {count(options.rules)} rules, {count(options.series)} series, "
        f"{options.samples} samples of one {BATCH}-point push each"
    )
    emit("  load average before: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    with databases("nephos_monitoring") as dbs:
        samples = asyncio.run(_measure(dbs.fresh(), options))
    p50, p99 = _percentiles([s.latency for s in samples])
    a50, a99 = _percentiles([s.answered for s in samples])
    r50, r99 = _percentiles([s.latency - s.answered for s in samples])
    figures(
        "Results",
        [
            Figure("p50 latency (point -> alert.fired on NATS)", _ms(p50)),
            Figure("p99 latency", _ms(p99), f"< {_ms(P99_GOAL)}", p99 < P99_GOAL),
            Figure("max latency", _ms(max(s.latency for s in samples))),
            Figure("p50 / p99 push answered (store, evaluate, commit)", f"{_ms(a50)} / {_ms(a99)}"),
            Figure("p50 / p99 answer -> event (outbox relay, NATS)", f"{_ms(r50)} / {_ms(r99)}"),
        ],
    )
    emit("  load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"
