"""How to reach one Azure subscription: service principal, optional endpoint overrides.

Secrets live only in this object and in the credential built from it;
``repr`` shows which kind of credential is configured, never the secret, so
the object can be logged or shown in tracebacks safely.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from azure.core.credentials_async import AsyncTokenCredential
from azure.identity.aio import ClientSecretCredential, WorkloadIdentityCredential

from nephos_asset.collectors.azure.loopback import LoopbackSecretCredential
from nephos_common.arm import arm_scopes

DEFAULT_ARM_URL = "https://management.azure.com"


@dataclass(frozen=True)
class AzureAccess:
    """Credentials and endpoints of one Azure subscription.

    ``base_url`` replaces the ARM endpoint (a sovereign cloud, or the local
    stand-in in tests); ``authority_url`` replaces the Entra ID authority
    (``https://login.microsoftonline.com``). With ``use_workload_identity``
    the pod's federated token is exchanged instead of a client secret.
    """

    tenant_id: str
    client_id: str
    client_secret: str | None
    subscription_id: str
    base_url: str | None = None
    authority_url: str | None = None
    use_workload_identity: bool = False

    def __repr__(self) -> str:
        kind = "workload identity" if self.use_workload_identity else "client secret"
        secret = "<set>" if self.client_secret else None
        return (
            f"AzureAccess(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, "
            f"credential=<{kind}>, client_secret={secret}, "
            f"subscription_id={self.subscription_id!r}, base_url={self.base_url!r}, "
            f"authority_url={self.authority_url!r})"
        )

    __str__ = __repr__

    @property
    def arm_url(self) -> str:
        return (self.base_url or DEFAULT_ARM_URL).rstrip("/")

    @property
    def scopes(self) -> list[str]:
        """The token scope of the ARM endpoint: its audience plus ``/.default``."""
        return arm_scopes(self.arm_url)


def build_credential(access: AzureAccess, **transport: Any) -> AsyncTokenCredential:
    """The async token credential for ``access``.

    azure-identity refuses any authority that is not https (``ValueError:
    ... must be a TLS protected (https) URL``), ``disable_instance_discovery``
    included, so a plain-http ``authority_url`` (only the local stand-in has
    one) gets ``LoopbackSecretCredential``, which speaks the same
    client-credentials grant to the same token path. Every https authority
    goes through azure-identity. Raises ``ValueError`` when workload identity
    is asked for but the pod has no federated token file.
    """
    authority = {"authority": access.authority_url} if access.authority_url else {}
    if access.use_workload_identity:
        return WorkloadIdentityCredential(
            tenant_id=access.tenant_id,
            client_id=access.client_id,
            token_file_path=os.environ.get("AZURE_FEDERATED_TOKEN_FILE"),
            **authority,
            **transport,
        )
    if not access.client_secret:
        raise ValueError("a client secret is required unless workload identity is used")
    if access.authority_url and urlparse(access.authority_url).scheme == "http":
        return LoopbackSecretCredential(
            access.authority_url, access.tenant_id, access.client_id, access.client_secret
        )
    return ClientSecretCredential(
        access.tenant_id, access.client_id, access.client_secret, **authority, **transport
    )
