"""``POST /v1/metrics``: the OTLP/HTTP metrics endpoint for hybrid machines."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator
from nephos_common.db import session_dependency
from nephos_monitoring.ingest import accept
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.otlp import codec
from nephos_monitoring.otlp.mapping import Mapped, map_request
from nephos_monitoring.otlp.repository import ensure_hosts

router = APIRouter(tags=["metrics"])

_BODY = {
    "content": {
        codec.PROTOBUF: {"schema": {"type": "string", "format": "binary"}},
        codec.JSON: {"schema": {"type": "object"}},
    },
    "required": True,
}


@router.post(
    "/v1/metrics",
    openapi_extra={"requestBody": _BODY},
    responses={200: {"content": {codec.PROTOBUF: {}, codec.JSON: {}}}},
)
async def export_metrics(
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    """OTLP/HTTP metrics export (``ExportMetricsServiceRequest``), for hybrid machines.

    Send ``application/x-protobuf`` or ``application/json`` (OTLP's JSON
    mapping), optionally ``Content-Encoding: gzip``, with the same bearer
    token as every other endpoint; the answer is an
    ``ExportMetricsServiceResponse`` in the request's format.

    - Each resource is a machine named by ``host.id`` (else ``host.name``); its
      first push creates a target of category ``server``, provider ``onprem``.
    - Gauge and sum points are stored; ``system.cpu.utilization`` becomes
      ``cpu_percent`` (busy share, averaged over CPUs, in percent). Cumulative
      sums are stored as-is (the running total), not converted to rates.
    - What cannot be used (histograms, summaries, resources without a host,
      bad names or values) is counted in ``partial_success.rejected_data_points``
      with an ``error_message``; the rest is stored. A body that is not an
      export request gets 400, another content type 415.

    The plain JSON alternative is ``POST /points``, for targets that already exist.
    """
    kind = codec.media_type(request.headers.get("content-type"))
    body = await request.body()
    export = codec.decode(body, kind, request.headers.get("content-encoding"))
    mapped = map_request(export)
    await _store(session, request, principal.tenant, mapped)
    answer = ExportMetricsServiceResponse()
    if mapped.rejected:
        answer.partial_success.rejected_data_points = mapped.rejected
        answer.partial_success.error_message = "; ".join(mapped.reasons)[:1000]
    return Response(codec.encode(answer, kind), media_type=kind)


async def _store(session: AsyncSession, request: Request, tenant: str, mapped: Mapped) -> None:
    if not mapped.hosts:
        return
    hosts = [h.host for h in mapped.hosts.values()]
    targets = await ensure_hosts(session, tenant, hosts)
    points: list[Point] = []
    for key, received in mapped.hosts.items():
        target = targets.get(key)
        if target is None or target.deleted_at is not None:
            mapped.reject(len(received.points), "the host's target was removed")
            continue
        points.extend(Point(target.asset_id, m, ts, v) for (m, ts), v in received.points.items())
    settings, tables = request.app.state.settings, request.app.state.tables
    await accept(session, tables, settings, tenant, points)
