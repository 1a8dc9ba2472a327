"""The ARM stand-in in a process of its own: seed an estate, serve it, answer on stdin.

``running_arm_server`` serves from a thread of the process that calls it; a
collector in that same process would share its GIL and its memory. So the
bench starts ``python -m bench.azure.stand_in <page size> <scale> <locations>``,
which seeds, serves and prints one ``READY {json}`` line (URL, credentials,
what a discovery should find). Then, for every ``calls`` line it reads, it
prints ``CALLS {json}`` (list requests served per ARM collection since the
last ask) and zeroes the counts; at end of input (the bench closed the pipe,
or died) it stops serving and exits.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psutil

from bench.child import LOG_DIR
from bench.output import emit
from nephos_devstack.arm_server import ArmConfig, ArmServer, running_arm_server, seed_azure_estate

READY, CALLS = "READY ", "CALLS "
_START_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class StandIn:
    """The running stand-in as the bench sees it (from the other side of a pipe)."""

    url: str
    pid: int
    credentials: dict[str, str]
    expected: Counter[tuple[str, str]]  # (location, native_type) -> assets a discovery finds
    stored: int  # resources the server holds (subnets live inside their VNets; master DBs held)
    seed_seconds: float
    page_size: int
    _stdin: IO[str]
    _lines: queue.Queue[str | None]

    @property
    def total(self) -> int:
        return sum(self.expected.values())

    def cpu_seconds(self) -> float:
        """CPU time the stand-in has used so far (user + system)."""
        times = psutil.Process(self.pid).cpu_times()
        return float(times.user + times.system)

    def take_calls(self) -> Counter[str]:
        """List requests it served per collection since the last ask (retries included)."""
        self._stdin.write("calls\n")
        self._stdin.flush()
        line = _read_marked(self._lines, CALLS, timeout=30)
        return Counter(json.loads(line))


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Hand the stand-in's stdout over line by line; None once it is closed."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def _read_marked(lines: queue.Queue[str | None], mark: str, timeout: float) -> str:
    """The payload of the next line starting with ``mark``, waiting at most ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(
                f"the ARM stand-in sent no {mark.strip()} line within {timeout} s"
            ) from None
        if line is None:
            lines.put(None)  # stays closed for any later reader
            raise RuntimeError(f"the ARM stand-in exited; see {LOG_DIR / 'arm-stand-in.log'}")
        if line.startswith(mark):
            return line[len(mark) :]


@contextmanager
def arm_stand_in(page_size: int, scale: int, locations: tuple[str, ...]) -> Iterator[StandIn]:
    """Start the stand-in process, yield its handle, stop it (and wait for it) afterwards."""
    LOG_DIR.mkdir(exist_ok=True)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    argv = [sys.executable, "-m", "bench.azure.stand_in", str(page_size), str(scale),
            ",".join(locations)]  # fmt: skip
    with (LOG_DIR / "arm-stand-in.log").open("w") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True, bufsize=1, env=env, cwd=root,
        )  # fmt: skip
        assert process.stdin is not None and process.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True)
        reader.start()
        try:
            ready = json.loads(_read_marked(lines, READY, _START_TIMEOUT_SECONDS))
            yield StandIn(
                url=ready["url"], pid=process.pid, credentials=ready["credentials"],
                expected=Counter({(loc, t): n for loc, t, n in ready["expected"]}),
                stored=ready["stored"], seed_seconds=ready["seed_seconds"],
                page_size=page_size, _stdin=process.stdin, _lines=lines,
            )  # fmt: skip
        finally:
            process.stdin.close()  # end of input: the stand-in stops serving and exits
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            reader.join(timeout=5)
            process.stdout.close()


def _serve(page_size: int, scale: int, locations: tuple[str, ...]) -> None:
    started = time.perf_counter()
    server = ArmServer(ArmConfig(page_size=page_size, locations=locations))
    manifest = seed_azure_estate(server, locations, scale=scale)
    seed_seconds = time.perf_counter() - started
    config = server.config
    with running_arm_server(server) as url:
        ready: dict[str, Any] = {
            "url": url,
            "credentials": {
                "tenant_id": config.tenant_id, "client_id": config.client_id,
                "client_secret": config.client_secret, "subscription_id": config.subscription_id,
            },
            "expected": [[loc, t, n] for (loc, t), n in sorted(manifest.expected.items())],
            "stored": server.count(),
            "seed_seconds": seed_seconds,
        }  # fmt: skip
        emit(READY + json.dumps(ready))
        for line in sys.stdin:
            if line.strip() == "calls":
                # Asked between runs, when no request is in flight.
                calls, server.calls = dict(server.calls), Counter()
                emit(CALLS + json.dumps(calls))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), tuple(sys.argv[3].split(",")))
