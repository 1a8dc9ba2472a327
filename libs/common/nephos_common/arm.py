"""How every Nephos service builds an azure-mgmt client: one place for ARM options.

Asset discovery, metering's Cost Management queries and monitoring's Azure
Monitor collection all call ARM with the same endpoint, token scope, lowered
retries (azure-core's default of 10 is too patient for a job; Retry-After is
honoured by azure-core itself) and, for a plain-http endpoint only (the local
stand-in), a bearer policy allowed over http.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.pipeline import PipelineRequest
from azure.mgmt.core.policies import AsyncARMChallengeAuthenticationPolicy

RETRY_TOTAL = 3
RETRY_BACKOFF_MAX = 30


class PlainHttpBearerPolicy(AsyncARMChallengeAuthenticationPolicy):
    """ARM's bearer policy, allowed to send its token over http.

    azure-core refuses bearer tokens on non-https URLs. It reads
    ``enforce_https`` from each request's context (or a per-call keyword),
    *not* from the policy's constructor, so it is set on every request here.
    """

    async def on_request(self, request: PipelineRequest[Any]) -> None:
        request.context["enforce_https"] = False
        await super().on_request(request)


def arm_scopes(arm_url: str) -> list[str]:
    """The token scope of an ARM endpoint (``https://management.azure.com/.default``)."""
    return [f"{arm_url.rstrip('/')}/.default"]


def is_plain_http(arm_url: str) -> bool:
    """True only for an ``http://`` ARM endpoint (the local stand-in)."""
    return urlparse(arm_url).scheme == "http"


def arm_client_options(
    credential: AsyncTokenCredential, arm_url: str, *, retry_total: int = RETRY_TOTAL
) -> dict[str, Any]:
    """Keyword arguments for any azure-mgmt ``*ManagementClient`` on ``arm_url``."""
    scopes = arm_scopes(arm_url)
    options: dict[str, Any] = {
        "base_url": arm_url,
        "credential_scopes": scopes,
        "retry_total": retry_total,
        "retry_backoff_max": RETRY_BACKOFF_MAX,
    }
    if is_plain_http(arm_url):
        options["authentication_policy"] = PlainHttpBearerPolicy(credential, *scopes)
    return options
