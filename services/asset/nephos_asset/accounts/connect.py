"""Turns a stored account into a live collector, decrypting its secret only here."""

from __future__ import annotations

from nephos_asset.accounts.models import CloudAccount
from nephos_asset.collectors.aws import AwsAccess, AwsCollector
from nephos_asset.collectors.base import Collector
from nephos_common.crypto import SecretBox


def credential_context(account: CloudAccount) -> str:
    """Associated data binding a sealed secret to its tenant and account row."""
    return f"{account.tenant}/{account.id}"


def open_collector(account: CloudAccount, box: SecretBox, *, max_attempts: int) -> Collector:
    secret = box.open(account.sealed_credentials, context=credential_context(account))
    access = AwsAccess(
        access_key_id=secret.get("access_key_id"),
        secret_access_key=secret.get("secret_access_key"),
        role_arn=secret.get("role_arn"),
        external_id=secret.get("external_id"),
        endpoint_url=account.endpoint_url,
    )
    return AwsCollector(access, max_attempts=max_attempts)
