"""How to reach one AWS account: credentials, optional role, optional endpoint.

Secrets live only in this object and in the clients built from it; ``repr``
shows which kind of credentials are configured, never their values, so the
object can be logged or shown in tracebacks safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

ROLE_SESSION_NAME = "nephos-discovery"


@dataclass(frozen=True)
class AwsAccess:
    """Credentials and endpoint of one AWS account.

    Without a key pair the default credential chain (environment, instance
    profile, ...) is used. With ``role_arn`` the key pair (or the chain) only
    serves to assume that role, as cross-account access normally works.
    ``endpoint_url`` sends every service to one URL (moto in tests).
    """

    access_key_id: str | None = None
    secret_access_key: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    endpoint_url: str | None = None
    default_region: str = "us-east-1"

    def __repr__(self) -> str:
        kind = "static keys" if self.access_key_id else "default chain"
        return (
            f"AwsAccess(credentials=<{kind}>, role_arn={self.role_arn!r}, "
            f"external_id={'<set>' if self.external_id else None}, "
            f"endpoint_url={self.endpoint_url!r}, default_region={self.default_region!r})"
        )

    __str__ = __repr__

    def key_pair(self) -> dict[str, Any]:
        """The explicit key pair as ``create_client`` keyword arguments (maybe empty)."""
        if not self.access_key_id:
            return {}
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
        }


def client_config(max_attempts: int, max_pool_connections: int) -> AioConfig:
    """Client settings for scanners.

    botocore defaults to the ``legacy`` retry mode; ``standard`` adds jittered
    back-off and retries throttling consistently. The pool must be at least as
    large as the number of units sharing one client concurrently.
    """
    return AioConfig(
        retries={"mode": "standard", "max_attempts": max_attempts},
        max_pool_connections=max_pool_connections,
        connect_timeout=10,
        read_timeout=60,
    )


async def temporary_credentials(
    session: AioSession,
    access: AwsAccess,
    config: AioConfig,
    *,
    session_name: str = ROLE_SESSION_NAME,
    duration_seconds: int = 3600,
) -> dict[str, Any]:
    """STS ``Credentials`` (keys, token, ``Expiration``) for ``access``.

    A role account assumes its role; a key-pair (or default-chain) account
    gets a session token, so that the long-lived key never leaves this service.
    """
    async with session.create_client(
        "sts",
        region_name=access.default_region,
        endpoint_url=access.endpoint_url,
        config=config,
        **access.key_pair(),
    ) as sts:
        if access.role_arn is None:
            answer = await sts.get_session_token(DurationSeconds=duration_seconds)
        else:
            params: dict[str, Any] = {
                "RoleArn": access.role_arn,
                "RoleSessionName": session_name,
                "DurationSeconds": duration_seconds,
            }
            if access.external_id:
                params["ExternalId"] = access.external_id
            answer = await sts.assume_role(**params)
    credentials: dict[str, Any] = answer["Credentials"]
    return credentials


async def assume_role(session: AioSession, access: AwsAccess, config: AioConfig) -> dict[str, Any]:
    """Assume ``access.role_arn`` once and return the temporary credentials.

    The credentials last an hour, which covers a discovery run; a run is the
    unit of credential lifetime, so no refreshing credentials are needed.
    """
    assert access.role_arn is not None
    creds = await temporary_credentials(session, access, config)
    return {
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"],
    }
