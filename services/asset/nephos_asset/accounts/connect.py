"""Turns a stored account into a live collector, decrypting its secret only here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nephos_asset.accounts.models import CloudAccount
from nephos_asset.collectors.aws import AwsAccess, AwsCollector
from nephos_asset.collectors.base import Collector
from nephos_common.crypto import SecretBox


def credential_context(account: CloudAccount) -> str:
    """Associated data binding a sealed secret to its tenant and account row."""
    return f"{account.tenant}/{account.id}"


def _aws(account: CloudAccount, secret: dict[str, Any], max_attempts: int) -> Collector:
    access = AwsAccess(
        access_key_id=secret.get("access_key_id"),
        secret_access_key=secret.get("secret_access_key"),
        role_arn=secret.get("role_arn"),
        external_id=secret.get("external_id"),
        endpoint_url=account.endpoint_url,
    )
    return AwsCollector(access, max_attempts=max_attempts)


def _azure(account: CloudAccount, secret: dict[str, Any], max_attempts: int) -> Collector:
    # Imported here: the azure-mgmt packages take seconds and hundreds of MB to import,
    # which a service discovering only AWS accounts should not pay.
    from nephos_asset.collectors.azure import AzureAccess, AzureCollector

    access = AzureAccess(
        tenant_id=secret["tenant_id"],
        client_id=secret["client_id"],
        client_secret=secret.get("client_secret"),
        subscription_id=secret["subscription_id"],
        use_workload_identity=bool(secret.get("use_workload_identity")),
        base_url=account.endpoint_url,
        authority_url=account.auth_endpoint_url,
    )
    return AzureCollector(access, max_attempts=max_attempts)


BUILDERS: dict[str, Callable[[CloudAccount, dict[str, Any], int], Collector]] = {
    "aws": _aws,
    "azure": _azure,
}


def open_collector(account: CloudAccount, box: SecretBox, *, max_attempts: int) -> Collector:
    secret = box.open(account.sealed_credentials, context=credential_context(account))
    return BUILDERS[account.provider](account, secret, max_attempts)
