"""A forwarding HTTP proxy that adds a fixed delay to every request.

It stands in for the network between a scanner and a cloud API: with 50 ms per
call, a sequential scanner pays 50 ms for each call it makes while a concurrent
one overlaps them. Run as ``python -m bench.proxy HOST PORT TARGET_URL DELAY_MS``.
Bodies pass through untouched (no decompression) and the Host header is kept,
so what the emulator sees is what the client sent.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web
from yarl import URL

# Hop-by-hop headers (RFC 9110 7.6.1) and the ones aiohttp recomputes.
_DROP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


def _forwardable(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.items() if k.lower() not in _DROP]


def make_app(target: str, delay: float) -> web.Application:
    app = web.Application(client_max_size=1 << 30)

    async def start(app: web.Application) -> None:
        connector = TCPConnector(limit=0, force_close=False)
        app["client"] = ClientSession(
            connector=connector,
            auto_decompress=False,
            timeout=ClientTimeout(total=300),
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        )

    async def stop(app: web.Application) -> None:
        await app["client"].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        await asyncio.sleep(delay)
        client: ClientSession = request.app["client"]
        async with client.request(
            request.method,
            URL(target + request.raw_path, encoded=True),  # as signed: no re-quoting
            headers=_forwardable(request.headers),
            data=body or None,
            allow_redirects=False,
        ) as answer:
            payload = await answer.read()
            return web.Response(
                status=answer.status, headers=_forwardable(answer.headers), body=payload
            )

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main(host: str, port: int, target: str, delay_ms: int) -> None:
    web.run_app(make_app(target.rstrip("/"), delay_ms / 1000), host=host, port=port, print=None)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
