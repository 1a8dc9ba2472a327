"""One FOCUS export in a process of its own (its peak RSS is the export's), the bytes
drained as a client would read them."""

from __future__ import annotations

import time
from typing import Any

from bench.metering_outputs.fill import MONTH, TENANT
from nephos_common.db import Database
from nephos_metering.exports.service import ExportFormat, focus_file
from nephos_metering.models import load_all


async def export(url: str, kind: str) -> dict[str, Any]:
    load_all()
    database = Database(url, pool_size=2)
    size = chunks = 0
    started = time.perf_counter()
    try:
        async for chunk in focus_file(database, TENANT, MONTH, ExportFormat(kind)):
            size += len(chunk)
            chunks += 1
    finally:
        await database.dispose()
    return {"seconds": time.perf_counter() - started, "bytes": size, "chunks": chunks}
