"""Turns a stored account into a live collector, decrypting its secret only here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nephos_asset.accounts.models import CloudAccount
from nephos_asset.collectors.aws import AwsAccess, AwsCollector
from nephos_asset.collectors.base import Collector
from nephos_common.crypto import SecretBox

if TYPE_CHECKING:
    from nephos_asset.collectors.azure import AzureAccess


def credential_context(account: CloudAccount) -> str:
    """Associated data binding a sealed secret to its tenant and account row."""
    return f"{account.tenant}/{account.id}"


def open_secret(account: CloudAccount, box: SecretBox) -> dict[str, Any]:
    """The account's decrypted credentials; callers keep them only as long as they need."""
    return box.open(account.sealed_credentials, context=credential_context(account))


def aws_access(account: CloudAccount, secret: dict[str, Any]) -> AwsAccess:
    return AwsAccess(
        access_key_id=secret.get("access_key_id"),
        secret_access_key=secret.get("secret_access_key"),
        role_arn=secret.get("role_arn"),
        external_id=secret.get("external_id"),
        endpoint_url=account.endpoint_url,
    )


def azure_access(account: CloudAccount, secret: dict[str, Any]) -> AzureAccess:
    # Imported here: the azure-mgmt packages take seconds and hundreds of MB to import,
    # which a service discovering only AWS accounts should not pay.
    from nephos_asset.collectors.azure import AzureAccess

    return AzureAccess(
        tenant_id=secret["tenant_id"],
        client_id=secret["client_id"],
        client_secret=secret.get("client_secret"),
        subscription_id=secret["subscription_id"],
        use_workload_identity=bool(secret.get("use_workload_identity")),
        base_url=account.endpoint_url,
        authority_url=account.auth_endpoint_url,
    )


def _aws(account: CloudAccount, secret: dict[str, Any], max_attempts: int) -> Collector:
    return AwsCollector(aws_access(account, secret), max_attempts=max_attempts)


def _azure(account: CloudAccount, secret: dict[str, Any], max_attempts: int) -> Collector:
    from nephos_asset.collectors.azure import AzureCollector

    return AzureCollector(azure_access(account, secret), max_attempts=max_attempts)


BUILDERS: dict[str, Callable[[CloudAccount, dict[str, Any], int], Collector]] = {
    "aws": _aws,
    "azure": _azure,
}


def open_collector(account: CloudAccount, box: SecretBox, *, max_attempts: int) -> Collector:
    return BUILDERS[account.provider](account, open_secret(account, box), max_attempts)
