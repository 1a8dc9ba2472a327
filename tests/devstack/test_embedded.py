"""The embedded PostgreSQL and NATS really start, answer, and stop (no mocks)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import nats
import pytest

from nephos_devstack.embedded import (
    EmbeddedNats,
    EmbeddedPostgres,
    database_url,
    ensure_databases,
    free_port,
    port_open,
)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path / "postgres", port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path / "nats", port=free_port(), log_path=tmp_path / "nats.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_postgres_answers_and_creates_databases(postgres: EmbeddedPostgres) -> None:
    await ensure_databases(postgres.server_url, ["nephos_probe", "nephos_probe"])

    url = database_url(postgres.server_url, "nephos_probe")
    assert url == f"postgresql+asyncpg://postgres@127.0.0.1:{postgres.port}/nephos_probe"
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{postgres.port}/nephos_probe")
    try:
        version = await conn.fetchval("SHOW server_version_num")
        assert await conn.fetchval("SELECT 40 + 2") == 42
    finally:
        await conn.close()
    assert int(version) >= 180000


async def test_postgres_start_is_idempotent_and_stop_frees_the_port(
    postgres: EmbeddedPostgres,
) -> None:
    await asyncio.to_thread(postgres.start)  # already running on this port: kept
    assert postgres.running_port() == postgres.port

    await asyncio.to_thread(postgres.stop)
    assert postgres.running_port() is None
    assert not port_open(postgres.host, postgres.port)


async def test_nats_jetstream_publish(nats_server: EmbeddedNats) -> None:
    client = await nats.connect(nats_server.url, connect_timeout=5)
    try:
        js = client.jetstream()
        await js.add_stream(name="PROBE", subjects=["probe.>"])
        msg_id = str(uuid.uuid4())
        first = await js.publish("probe.created", b"hello", headers={"Nats-Msg-Id": msg_id})
        again = await js.publish("probe.created", b"hello", headers={"Nats-Msg-Id": msg_id})
        assert first.stream == "PROBE" and first.seq == 1
        assert again.duplicate is True
        info = await js.stream_info("PROBE")
        assert info.state.messages == 1
    finally:
        await client.close()


def test_nats_stop_frees_the_port(nats_server: EmbeddedNats) -> None:
    nats_server.stop()
    assert not port_open(nats_server.host, nats_server.port)
