"""The local stack's secrets: made once into ``<data dir>/secrets.env``, never printed.

Keeping them in a file (mode 0600) instead of regenerating them at each start
means tokens stay valid across restarts and stored cloud credentials stay
decryptable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from nephos_common.crypto import SecretBox
from nephos_common.settings import Environment, ServiceSettings

FILE_NAME = "secrets.env"
_HEADER = "# Nephos devstack secrets, generated once. Local use only: never commit or share.\n"


@dataclass(frozen=True)
class DevSecrets:
    jwt_secret: str
    internal_secret: str
    asset_secret_key: str
    monitoring_secret_key: str
    metering_secret_key: str

    def __repr__(self) -> str:
        return "DevSecrets(<hidden>)"


def _parse(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def load_or_create(data_dir: Path) -> DevSecrets:
    """Read the secrets, generating any that are missing (and only those)."""
    path = data_dir / FILE_NAME
    values = _parse(path.read_text()) if path.exists() else {}
    wanted = {
        "JWT_SECRET": lambda: secrets.token_urlsafe(48),
        "INTERNAL_SECRET": lambda: secrets.token_urlsafe(48),
        "ASSET_SECRET_KEY": SecretBox.generate_key,
        "MONITORING_SECRET_KEY": SecretBox.generate_key,
        "METERING_SECRET_KEY": SecretBox.generate_key,
    }
    missing = {key: make() for key, make in wanted.items() if not values.get(key)}
    if missing:
        values.update(missing)
        data_dir.mkdir(parents=True, exist_ok=True)
        body = _HEADER + "".join(f"{key}={value}\n" for key, value in values.items())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(body)
    return DevSecrets(
        jwt_secret=values["JWT_SECRET"],
        internal_secret=values["INTERNAL_SECRET"],
        asset_secret_key=values["ASSET_SECRET_KEY"],
        monitoring_secret_key=values["MONITORING_SECRET_KEY"],
        metering_secret_key=values["METERING_SECRET_KEY"],
    )


def token_settings(dev: DevSecrets) -> ServiceSettings:
    """The settings a dev token is signed with: the services' defaults plus the local secret."""
    return ServiceSettings(environment=Environment.EMBEDDED, jwt_secret=dev.jwt_secret)
