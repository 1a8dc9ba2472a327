"""Webhook addresses may not reach inside the deployment: loopback, link-local (cloud
metadata at 169.254.169.254), private and other non-public ranges are refused, unless
the deployment allows them (``allow_internal_webhooks``; tests, the embedded default).

Names are resolved when the channel is created and again before every send, since a
name that resolved to a public address yesterday may point inside today.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from nephos_common.errors import InvalidInput

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class InternalAddress(Exception):
    """The URL's host is, or resolves to, an address inside the deployment."""


def _internal(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


async def _addresses(host: str) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def refuse_internal(url: str, *, resolve_required: bool) -> None:
    """Raise ``InternalAddress`` for an internal host. A name that does not resolve is
    refused only when ``resolve_required`` (at send time; at creation DNS may lag)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        raise InternalAddress(host or url)
    try:
        addresses = await _addresses(host)
    except OSError as exc:
        if resolve_required:
            raise InternalAddress(f"{host} does not resolve: {exc}") from exc
        return
    if any(_internal(a) for a in addresses):
        raise InternalAddress(host)


async def check_channel_url(url: str, allowed: bool) -> None:
    """The 422 of channel creation for an internal webhook address."""
    if allowed:
        return
    try:
        await refuse_internal(url, resolve_required=False)
    except InternalAddress as exc:
        raise InvalidInput(
            "webhook URLs may not point at internal addresses",
            code="webhook_url_internal",
            field="config.url",
            host=str(exc),
        ) from exc
