"""The OIDC issuer's signing keys, fetched over HTTP and kept fresh through key rotation.

A token signed with a ``kid`` we do not hold makes us fetch the key set
again (the issuer has rotated), at most once per ``min_refresh_seconds`` so
that tokens with made-up ``kid``s cannot turn the gateway into a flood of
requests to the issuer. Keys are also refetched after ``max_age_seconds``,
so that a key the issuer removed stops being accepted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import jwt

from nephos_common.errors import Unauthenticated

log = logging.getLogger(__name__)


class JwksKeys:
    def __init__(
        self,
        url: str,
        *,
        max_age_seconds: float,
        min_refresh_seconds: float,
        timeout: float = 10.0,
    ) -> None:
        self._url = url
        self._max_age = max_age_seconds
        self._min_refresh = min_refresh_seconds
        self._timeout = timeout
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    def _age(self) -> float:
        return float("inf") if self._fetched_at is None else time.monotonic() - self._fetched_at

    async def key(self, kid: str) -> Any:
        """The public key of ``kid``, refetching the set when it is stale or lacks the key."""
        if self._age() > self._max_age or (kid not in self._keys and self._may_refresh()):
            await self._refresh(kid)
        try:
            return self._keys[kid]
        except KeyError:
            raise Unauthenticated(
                "token is signed with a key the issuer does not publish", code="invalid_token"
            ) from None

    def _may_refresh(self) -> bool:
        return self._age() >= self._min_refresh

    async def _refresh(self, kid: str) -> None:
        async with self._lock:
            # Another request may have refreshed while this one waited for the lock.
            if self._age() <= self._max_age and (kid in self._keys or not self._may_refresh()):
                return
            self._fetched_at = time.monotonic()
            try:
                async with httpx.AsyncClient(timeout=self._timeout) as client:
                    answer = await client.get(self._url)
                answer.raise_for_status()
                key_set = jwt.PyJWKSet.from_dict(answer.json())
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                log.warning("fetching the issuer's keys failed", extra={"error": repr(exc)})
                return  # keep the keys we had; the next refresh is rate limited like any other
            self._keys = {k.key_id: k.key for k in key_set.keys if k.key_id}
