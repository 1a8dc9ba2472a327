"""The plumbing every service client shares: pooled connections, forwarded identity.

One ``httpx.AsyncClient`` per downstream service lives for the whole process
(connection pooling); each GraphQL request binds it to its caller, so that
the service sees the caller's own token and company and verifies them again,
and so that request and trace ids follow the call into the service's logs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from nephos_common.auth import TENANT_HEADER
from nephos_common.observability import request_id_var, trace_id_var
from nephos_gateway.clients.errors import Unavailable, from_response

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a downstream call is made for; built once per GraphQL request."""

    token: str = field(repr=False)
    tenant: str
    traceparent: str | None = None

    def headers(self) -> dict[str, str]:
        """The caller's token and company, and the ids the gateway's own request runs under."""
        headers = {"Authorization": f"Bearer {self.token}", TENANT_HEADER: self.tenant}
        request_id = request_id_var.get()
        if request_id:
            headers["X-Request-ID"] = request_id
        traceparent = self.traceparent or _traceparent_for(trace_id_var.get())
        if traceparent:
            headers["traceparent"] = traceparent
        return headers


def _traceparent_for(trace_id: str | None) -> str | None:
    """A W3C traceparent continuing our trace id with a fresh span id for the hop."""
    if not trace_id:
        return None
    return f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"


def open_pool(
    base_url: str,
    *,
    timeout: float,
    max_connections: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The long-lived client of one service; ``transport`` lets tests run the service in-process."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits, transport=transport)


class ServiceClient:
    """Typed calls to one service on behalf of one caller."""

    service = "service"

    def __init__(self, http: httpx.AsyncClient, caller: Caller) -> None:
        self._http = http
        self._caller = caller

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method, path, params=params, json=json, headers=self._caller.headers()
            )
        except httpx.HTTPError as exc:
            log.warning(
                "downstream call failed",
                extra={"service": self.service, "path": path, "error": type(exc).__name__},
            )
            raise Unavailable(
                f"the {self.service} service is unavailable", service=self.service
            ) from None
        if response.is_error:
            if response.status_code >= 500:
                log.warning(
                    "downstream service error",
                    extra={"service": self.service, "path": path, "status": response.status_code},
                )
            raise from_response(self.service, response)
        return response

    async def _call(
        self,
        model: type[M],
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
    ) -> M:
        """Send and parse; an answer that does not fit the model is the service's fault."""
        response = await self._send(method, path, params=params, json=json)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            log.exception("downstream answer does not fit", extra={"service": self.service})
            raise Unavailable(
                f"the {self.service} service answered unexpectedly", service=self.service
            ) from None
