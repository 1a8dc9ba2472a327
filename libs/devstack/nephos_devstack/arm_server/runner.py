"""Run the stand-in on 127.0.0.1 in a background thread, for tests and demos.

A thread with its own event loop (uvicorn's) makes the context manager usable
from plain code and from inside a running event loop alike: the caller's loop
never serves the requests its own clients send. The socket is bound before
uvicorn starts, so the free port is known without polling.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from nephos_devstack.arm_server.app import build_app
from nephos_devstack.arm_server.store import ArmConfig, ArmServer

HOST = "127.0.0.1"
_START_TIMEOUT_SECONDS = 10.0


@contextmanager
def running_arm_server(estate_or_config: ArmServer | ArmConfig | None = None) -> Iterator[str]:
    """Serve an ``ArmServer`` (or a new, empty one) for the block; yield its base URL.

    The URL is both the ARM endpoint and the token authority
    (``{url}/{tenant}/oauth2/v2.0/token``). It is also stored in ``server.url``.
    """
    server = (
        estate_or_config if isinstance(estate_or_config, ArmServer) else ArmServer(estate_or_config)
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    config = uvicorn.Config(
        build_app(server), log_level="warning", access_log=False, lifespan="off"
    )
    web = uvicorn.Server(config)
    thread = threading.Thread(
        target=web.run, kwargs={"sockets": [sock]}, name="arm-stand-in", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while not web.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the ARM stand-in did not start")
        time.sleep(0.01)
    server.url = f"http://{HOST}:{sock.getsockname()[1]}"
    try:
        yield server.url
    finally:
        web.should_exit = True
        thread.join(timeout=_START_TIMEOUT_SECONDS)
        sock.close()
        server.url = None
