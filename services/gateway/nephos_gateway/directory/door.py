"""The gateway as the door: a user's token in, the company and role they act with out.

One decision per request: the token is verified (who), the directory says
where the user may act and with which role (what), and services are then
called with a short-lived internal token carrying exactly that.

Internal tokens are signed once per user, company and role and reused for
two minutes of their five: signing one for every request cost the gateway
about 3 % of its CPU on the portal's home query.

The directory's answer is kept for up to ``access_cache_seconds`` (between
half and all of it: ``keeping``): the portal's home page alone sends a
handful of requests a second per user, and each would otherwise wait for a
database connection before doing anything. A change made through this
gateway (roles, grants, disabling a user) forgets every kept answer at once;
one made elsewhere (another replica, the CLI) is seen within that many
seconds.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, issue_internal_token
from nephos_common.db import Database
from nephos_common.errors import Unauthenticated
from nephos_gateway.directory.identity import UserTokens
from nephos_gateway.directory.service import Access, resolve_access
from nephos_gateway.keeping import kept_until
from nephos_gateway.settings import Settings

MAX_KEPT = 10_000
"""Kept answers at most; past it the cache starts again empty (simple and bounded)."""

INTERNAL_TOKEN_TTL = 300
INTERNAL_TOKEN_REUSE = 120.0
"""Seconds an internal token is handed out again; well within its lifetime."""

_Key = tuple[str, str | None, str | None]


def bearer_of(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required")
    return token.strip()


class Door:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tokens = UserTokens(settings)
        self._ttl = settings.access_cache_seconds
        self._kept: dict[_Key, tuple[float, Access]] = {}
        self._internal: dict[tuple[str, str, str], tuple[float, str]] = {}

    async def admit(self, database: Database, token: str, company: str | None) -> Access:
        """The caller's access for ``company`` (None: their default), or the refusal."""
        identity = await self.tokens.verify(token)
        key = (identity.subject, company, identity.preferred_company)
        kept = self._kept.get(key)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        async with database.sessions() as session:
            access = await resolve_access(
                session, identity.subject, wanted=company, hint=identity.preferred_company
            )
        self._keep(key, access)
        return access

    def internal_token(self, principal: Principal) -> str:
        """The token services are called with for this user, company and role."""
        key = (principal.subject, principal.tenant, principal.role.name)
        now = time.monotonic()
        kept = self._internal.get(key)
        if kept is not None and now - kept[0] <= INTERNAL_TOKEN_REUSE:
            return kept[1]
        if len(self._internal) >= MAX_KEPT:
            self._internal.clear()
        token = issue_internal_token(
            self.settings,
            subject=principal.subject,
            tenant=principal.tenant,
            role=principal.role,
            ttl_seconds=INTERNAL_TOKEN_TTL,
        )
        self._internal[key] = (now, token)
        return token

    def _keep(self, key: _Key, access: Access) -> None:
        if self._ttl <= 0:
            return
        if len(self._kept) >= MAX_KEPT:
            self._kept.clear()
        self._kept[key] = (kept_until(self._ttl), access)

    def forget(self) -> None:
        """Drop every kept answer: the directory has just changed."""
        self._kept.clear()

    @asynccontextmanager
    async def changing(self, database: Database) -> AsyncIterator[AsyncSession]:
        """A transaction that changes the directory; kept answers are forgotten after it
        commits (and before, so a request racing the commit cannot keep the old answer
        beyond it)."""
        self.forget()
        async with database.transaction() as session:
            yield session
        self.forget()
