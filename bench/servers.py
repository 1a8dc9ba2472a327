"""The emulated cloud for the discovery bench: moto and a latency proxy, each its own process.

moto runs outside the bench's process on purpose: in-process
(``ThreadedMotoServer``) it would share the GIL with the collector under
test and serialise exactly the concurrency being measured.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.child import LOG_DIR

HOST = "127.0.0.1"
# werkzeug logs every request at INFO: silence it before moto's server starts.
_MOTO_BOOT = (
    "import logging, sys; logging.getLogger('werkzeug').setLevel(logging.WARNING); "
    "from moto.server import main; main(['-H', sys.argv[1], '-p', sys.argv[2]])"
)


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (user + system)."""
        times = psutil.Process(self.pid).cpu_times()
        return float(times.user + times.system)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as answer:
                answer.read()
            return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error status
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def _process(argv: list[str], log_name: str, url: str, env: dict[str, str]) -> Iterator[Server]:
    LOG_DIR.mkdir(exist_ok=True)
    with (LOG_DIR / f"{log_name}.log").open("wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_until_answering(url, process, timeout=60)
            yield Server(url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def moto_server() -> Iterator[Server]:
    """A moto server in its own process on a free port."""
    port = free_port()
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    argv = [sys.executable, "-c", _MOTO_BOOT, HOST, str(port)]
    with _process(argv, "moto", f"http://{HOST}:{port}", env) as server:
        yield server


@contextmanager
def latency_proxy(target: str, delay_ms: int) -> Iterator[Server]:
    """``bench.proxy`` in its own process, adding ``delay_ms`` to every request to ``target``."""
    port = free_port()
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    argv = [sys.executable, "-m", "bench.proxy", HOST, str(port), target, str(delay_ms)]
    with _process(argv, "proxy", f"http://{HOST}:{port}", env) as server:
        yield server
