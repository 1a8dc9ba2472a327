"""Short-lived cloud credentials that the asset service hands to the other services.

Why: the asset service is the one place a cloud account's long-lived secret
is stored (sealed). Metering (bill ingest) and monitoring (metric collection)
run scheduled jobs against the same accounts; instead of a second copy of the
secret they ask the asset service, with an internal service token, for a
session: temporary STS credentials for AWS (``AssumeRole`` for role accounts,
``GetSessionToken`` for key pairs) or an ARM access token for Azure. A session
lives about an hour and is never stored by the caller.

``CloudSessions`` is the caller's side: it asks ``POST /internal/cloud-sessions``
and keeps each session in memory until shortly before it expires.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx

from nephos_common.auth import Role, issue_internal_token, service_subject
from nephos_common.errors import NephosError, NotFound, Unavailable
from nephos_common.settings import ServiceSettings

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

SESSIONS_PATH = "/internal/cloud-sessions"
_REFRESH_MARGIN_SECONDS = 300


@dataclass(frozen=True)
class AwsSession:
    """Temporary AWS credentials; ``endpoint_url`` is the account's override (moto in tests)."""

    account_id: uuid.UUID
    access_key_id: str
    secret_access_key: str
    session_token: str | None
    expires_at: float
    region: str = "us-east-1"
    endpoint_url: str | None = None
    provider: Literal["aws"] = "aws"

    def __repr__(self) -> str:
        return (
            f"AwsSession(account_id={self.account_id}, credentials=<hidden>, "
            f"expires_at={self.expires_at:.0f}, endpoint_url={self.endpoint_url!r})"
        )

    __str__ = __repr__

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for aiobotocore's ``create_client`` (region not included)."""
        kwargs: dict[str, Any] = {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        return kwargs


@dataclass(frozen=True)
class AzureSession:
    """An ARM access token for one subscription; ``arm_url`` is the ARM endpoint to call."""

    account_id: uuid.UUID
    subscription_id: str
    access_token: str
    expires_at: float
    arm_url: str = "https://management.azure.com"
    provider: Literal["azure"] = "azure"

    def __repr__(self) -> str:
        return (
            f"AzureSession(account_id={self.account_id}, subscription_id="
            f"{self.subscription_id!r}, token=<hidden>, arm_url={self.arm_url!r})"
        )

    __str__ = __repr__

    def credential(self) -> AsyncTokenCredential:
        """An async token credential the azure-mgmt clients accept, answering this token."""
        from azure.core.credentials import AccessToken

        token = AccessToken(self.access_token, int(self.expires_at))

        class _StaticToken:
            async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
                return token

            async def close(self) -> None:
                return None

            async def __aenter__(self) -> _StaticToken:
                return self

            async def __aexit__(self, *args: object) -> None:
                return None

        return _StaticToken()


CloudSession = AwsSession | AzureSession


def session_to_wire(session: CloudSession) -> dict[str, Any]:
    body = dict(session.__dict__)
    body["account_id"] = str(session.account_id)
    return body


def session_from_wire(body: dict[str, Any]) -> CloudSession:
    fields = dict(body)
    fields["account_id"] = uuid.UUID(str(fields["account_id"]))
    if fields.get("provider") == "azure":
        return AzureSession(**fields)
    return AwsSession(**fields)


class CloudSessions:
    """Asks the asset service for sessions and keeps them until shortly before expiry."""

    def __init__(
        self,
        settings: ServiceSettings,
        asset_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._client = httpx.AsyncClient(
            base_url=asset_url.rstrip("/"), timeout=30.0, transport=transport
        )
        self._cache: dict[tuple[str, uuid.UUID], CloudSession] = {}
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self._client.aclose()

    def forget(self, tenant: str, account_id: uuid.UUID) -> None:
        """Drop a cached session (the cloud refused it: the account's secret may have changed)."""
        self._cache.pop((tenant, account_id), None)

    async def get(self, tenant: str, account_id: uuid.UUID) -> CloudSession:
        key = (tenant, account_id)
        async with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.expires_at - time.time() > _REFRESH_MARGIN_SECONDS:
                return cached
            session = await self._fetch(tenant, account_id)
            self._cache[key] = session
            return session

    async def _fetch(self, tenant: str, account_id: uuid.UUID) -> CloudSession:
        token = issue_internal_token(
            self._settings,
            subject=service_subject(self._settings.service_name),
            tenant=tenant,
            role=Role.OPERATOR,
        )
        try:
            response = await self._client.post(
                SESSIONS_PATH,
                json={"account_id": str(account_id)},
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            message = f"asset service unreachable: {exc}"
            raise Unavailable(message, code="asset_unavailable") from None
        if response.status_code == 404:
            raise NotFound(f"cloud account {account_id} not found", code="account_not_found")
        if response.status_code >= 400:
            error = _error_of(response)
            raise NephosError(
                error.get("message", f"asset service answered {response.status_code}"),
                code=error.get("code", "cloud_session_failed"),
            )
        return session_from_wire(response.json())


def _error_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}
