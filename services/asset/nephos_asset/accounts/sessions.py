"""Short-lived cloud sessions for the other services' jobs (bill ingest, metric collection).

The long-lived secret of an account never leaves this service: a caller gets
temporary STS credentials (AWS) or an ARM access token (Azure), valid about
an hour, for the account's own endpoint. See ``nephos_common.cloud_sessions``
for the caller's side.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiobotocore.session import AioSession
from botocore.exceptions import ClientError, NoCredentialsError

from nephos_asset.accounts.connect import aws_access, azure_access, open_secret
from nephos_asset.accounts.models import CloudAccount
from nephos_asset.collectors.aws.access import client_config, temporary_credentials
from nephos_common.cloud_sessions import AwsSession, AzureSession, CloudSession
from nephos_common.errors import Conflict

log = logging.getLogger(__name__)

SESSION_NAME = "nephos-jobs"
SESSION_SECONDS = 3600


class SessionRefused(Conflict):
    """The provider refused the account's credentials, so no session can be made."""

    code = "invalid_credentials"


async def issue(
    account: CloudAccount, secret: dict[str, Any], *, max_attempts: int
) -> CloudSession:
    if account.provider == "azure":
        return await _azure_session(account, secret)
    return await _aws_session(account, secret, max_attempts)


async def _aws_session(
    account: CloudAccount, secret: dict[str, Any], max_attempts: int
) -> AwsSession:
    access = aws_access(account, secret)
    config = client_config(max_attempts, max_pool_connections=2)
    try:
        creds = await temporary_credentials(
            AioSession(),
            access,
            config,
            session_name=SESSION_NAME,
            duration_seconds=SESSION_SECONDS,
        )
    except NoCredentialsError:
        raise SessionRefused("the account has no usable AWS credentials") from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        reason = f"{error.get('Code')}: {error.get('Message')}"
        raise SessionRefused(f"AWS refused a session: {reason}") from None
    expiration: datetime = creds["Expiration"]
    return AwsSession(
        account_id=account.id,
        access_key_id=creds["AccessKeyId"],
        secret_access_key=creds["SecretAccessKey"],
        session_token=creds.get("SessionToken"),
        expires_at=expiration.timestamp(),
        region=(account.regions or [access.default_region])[0],
        endpoint_url=account.endpoint_url,
    )


async def _azure_session(account: CloudAccount, secret: dict[str, Any]) -> AzureSession:
    from azure.core.exceptions import ClientAuthenticationError

    from nephos_asset.collectors.azure.access import build_credential

    access = azure_access(account, secret)
    try:
        credential = build_credential(access)
    except ValueError as exc:
        raise SessionRefused(str(exc)) from None
    try:
        token = await credential.get_token(*access.scopes)
    except ClientAuthenticationError as exc:
        raise SessionRefused(f"Azure refused a token: {exc.message}") from None
    finally:
        await credential.close()
    return AzureSession(
        account_id=account.id,
        subscription_id=access.subscription_id,
        access_token=token.token,
        expires_at=float(token.expires_on),
        arm_url=access.arm_url,
    )


async def session_for(
    account: CloudAccount, box: Any, *, caller: str, max_attempts: int
) -> CloudSession:
    """Issue a session for ``account`` and leave an audit line naming the caller."""
    session = await issue(account, open_secret(account, box), max_attempts=max_attempts)
    log.info(
        "cloud session issued",
        extra={"caller": caller, "tenant": account.tenant, "account_id": str(account.id)},
    )
    return session
