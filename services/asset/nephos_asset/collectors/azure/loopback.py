"""A client-secret credential for a token endpoint on this machine, over plain http.

Why it exists: azure-identity validates every authority and refuses any
that is not https (``ValueError: '<url>' is an invalid authority. The value
must be a TLS protected (https) URL.``); ``disable_instance_discovery`` does
not change that. The local ARM stand-in serves its token endpoint over
http, so tests and the demo would otherwise need certificates. This class
posts the same client-credentials grant azure-identity posts, to the same
path (``{authority}/{tenant}/oauth2/v2.0/token``), and raises the same
``ClientAuthenticationError`` on refusal.

It only ever talks to a loopback host: sending a secret over plain http to
anything else would expose it, so other hosts are refused outright.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

import aiohttp
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

_REFRESH_MARGIN_SECONDS = 300
_TIMEOUT = aiohttp.ClientTimeout(total=30)


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackSecretCredential:
    """``AsyncTokenCredential`` for an http token endpoint on a loopback address."""

    def __init__(self, authority: str, tenant_id: str, client_id: str, secret: str) -> None:
        if not is_loopback(authority):
            raise ValueError(f"plain-http authority {authority!r} is not a loopback address")
        self._url = f"{authority.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        self._client_id = client_id
        self._secret = secret
        self._tokens: dict[tuple[str, ...], AccessToken] = {}
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"LoopbackSecretCredential(url={self._url!r}, client_id={self._client_id!r})"

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A cached token for ``scopes``, fetched again shortly before it expires."""
        async with self._lock:
            token = self._tokens.get(scopes)
            if token is None or token.expires_on - _REFRESH_MARGIN_SECONDS < time.time():
                token = self._tokens[scopes] = await self._request(scopes)
            return token

    async def _request(self, scopes: tuple[str, ...]) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._secret,
            "scope": " ".join(scopes),
        }
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        try:
            async with self._session.post(self._url, data=form) as answer:
                body = await answer.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ServiceRequestError(f"token endpoint unreachable: {type(exc).__name__}") from None
        if answer.status != 200 or "access_token" not in body:
            detail = f"{body.get('error', answer.status)}: {body.get('error_description', '')}"
            raise ClientAuthenticationError(message=f"token request refused ({detail})")
        expires_on = int(time.time()) + int(body.get("expires_in", 3600))
        return AccessToken(body["access_token"], expires_on)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> LoopbackSecretCredential:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        await self.close()
