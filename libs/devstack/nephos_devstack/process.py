"""One service as a uvicorn child process: started, watched until ready, stopped.

Each child runs in its own session, so Ctrl-C in the terminal reaches only the
devstack, which then stops the children in order; on Linux a child also gets
SIGTERM if the devstack itself dies. Output goes to ``<data>/logs/<svc>.log``
and its last lines are kept to explain a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections import deque
from pathlib import Path

import httpx

from nephos_devstack.config import HOST, ServiceDef
from nephos_devstack.embedded import port_open

_PR_SET_PDEATHSIG = 1
TAIL_LINES = 25


class ServiceFailed(Exception):
    """A service did not become ready; the message says why."""

    def __init__(self, service: str, reason: str, output: str = "") -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason
        self.output = output


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ServiceProcess:
    def __init__(self, service: ServiceDef, env: dict[str, str], log_path: Path) -> None:
        self.service = service
        self.env = env
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._pump: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.service.name

    def output_tail(self) -> str:
        return "".join(self._tail)

    def _fail(self, reason: str) -> ServiceFailed:
        return ServiceFailed(self.name, reason, self.output_tail())

    async def start(self) -> None:
        if port_open(HOST, self.service.port):
            raise self._fail(
                f"port {self.service.port} is already in use (another devstack? "
                f"set {self.service.env_prefix}PORT to move it)"
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"{self.service.package}.main:create_app",
        ]
        args += ["--host", HOST, "--port", str(self.service.port), "--no-access-log"]
        self.process = await asyncio.create_subprocess_exec(
            *args,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self._pump = asyncio.create_task(self._copy_output(), name=f"{self.name}-output")

    async def _copy_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        with self.log_path.open("ab") as log:
            async for raw in self.process.stdout:
                log.write(raw)
                log.flush()
                self._tail.append(raw.decode(errors="replace"))

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    async def wait_ready(self, timeout: float, stop: asyncio.Event) -> None:
        """Poll ``/readyz`` until 200; raise ``ServiceFailed`` if the process dies or times out."""
        assert self.process is not None
        url = f"{self.service.base_url}/readyz"
        last = "no answer yet"
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while not stop.is_set():
                if self.process.returncode is not None:
                    await self._drain()
                    raise self._fail(f"exited with code {self.process.returncode} before ready")
                try:
                    answer = await client.get(url)
                    if answer.status_code == 200:
                        return
                    last = f"/readyz answered {answer.status_code}: {answer.text[:300]}"
                except httpx.HTTPError as exc:
                    last = f"/readyz unreachable ({type(exc).__name__})"
                if asyncio.get_running_loop().time() > deadline:
                    raise self._fail(f"not ready after {timeout:.0f} s; last: {last}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.25)

    async def wait_exit(self) -> int:
        assert self.process is not None
        code = await self.process.wait()
        await self._drain()
        return code

    async def _drain(self) -> None:
        if self._pump is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._pump), 2.0)

    async def stop(self, grace: float = 10.0) -> bool:
        """SIGTERM, then SIGKILL after ``grace`` seconds; True when it had to be killed."""
        process = self.process
        killed = False
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                killed = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        await self._drain()
        return killed
