"""Run one measured variant in a process of its own and read back its figures.

A process's RSS high-water mark (``ru_maxrss``) only grows, so variants that
share a process would report each other's peaks. Here every variant is a fresh
interpreter: ``python -m bench.child module:function '<json kwargs>'``. The
function (sync or async) returns a JSON-able dict; the child adds its own
``peak_rss_mib`` and writes the result as the last line of stdout.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.output import emit

RESULT_MARK = "BENCH-RESULT "
LOG_DIR = Path(__file__).parent / "out"


class ChildFailed(RuntimeError):
    """A variant's process exited badly; its log holds the details."""


def peak_rss_mib() -> float:
    """This process's RSS high-water mark (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(target: str, log_name: str, timeout: float = 600, **kwargs: Any) -> dict[str, Any]:
    """Run ``target`` (``module:function``) with ``kwargs`` in a new interpreter."""
    LOG_DIR.mkdir(exist_ok=True)
    log_path = LOG_DIR / f"{log_name}.log"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    with log_path.open("w") as log:
        done = subprocess.run(
            [sys.executable, "-m", "bench.child", target, json.dumps(kwargs)],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            timeout=timeout,
            env=env,
            cwd=root,
            check=False,
        )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        tail = log_path.read_text().strip().splitlines()[-15:]
        raise ChildFailed(f"{target} exited {done.returncode}; log {log_path}:\n" + "\n".join(tail))
    result: dict[str, Any] = json.loads(lines[-1][len(RESULT_MARK) :])
    return result


def _main(target: str, raw_kwargs: str) -> None:
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    kwargs = json.loads(raw_kwargs)
    if inspect.iscoroutinefunction(function):
        result = asyncio.run(function(**kwargs))
    else:
        result = function(**kwargs)
    result["peak_rss_mib"] = peak_rss_mib()
    emit(RESULT_MARK + json.dumps(result, default=str))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
