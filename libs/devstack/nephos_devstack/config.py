"""Where the devstack keeps its data, which ports it uses, and the services it runs.

Everything has a default that works on a fresh clone; env variables move it:
``NEPHOS_DEVSTACK_*`` for the devstack itself, plain ``DATABASE_URL`` /
``NATS_URL`` to use real servers instead of the embedded ones, and each
service's own ``NEPHOS_<SVC>_PORT``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

HOST = "127.0.0.1"


def find_repo_root(start: Path | None = None) -> Path:
    """The uv workspace root above ``start`` (so any sub-folder finds the same data)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        project = folder / "pyproject.toml"
        if project.is_file() and "[tool.uv.workspace]" in project.read_text():
            return folder
    return here


class DevstackSettings(BaseSettings):
    """Knobs of the local stack (env prefix ``NEPHOS_DEVSTACK_``)."""

    model_config = SettingsConfigDict(env_prefix="NEPHOS_DEVSTACK_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: find_repo_root() / ".data")
    postgres_port: int = 5433
    nats_port: int = 4223
    ready_timeout_seconds: float = 60.0
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    nats_url: str | None = Field(default=None, validation_alias="NATS_URL")

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"


@dataclass(frozen=True)
class ServiceDef:
    """One Nephos service as the devstack starts it."""

    name: str
    default_port: int
    summary: str

    @property
    def package(self) -> str:
        return f"nephos_{self.name}"

    @property
    def env_prefix(self) -> str:
        return f"NEPHOS_{self.name.upper()}_"

    @property
    def database(self) -> str:
        return f"nephos_{self.name}"

    @property
    def port(self) -> int:
        raw = os.environ.get(f"{self.env_prefix}PORT")
        return int(raw) if raw else self.default_port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


ASSET = ServiceDef("asset", 8001, "REST API, OpenAPI docs at /docs")
METERING = ServiceDef("metering", 8002, "REST API, OpenAPI docs at /docs")
MONITORING = ServiceDef("monitoring", 8003, "REST API, OpenAPI docs at /docs")
GATEWAY = ServiceDef("gateway", 8000, "GraphQL at /graphql (open it in a browser for GraphiQL)")

# The gateway last: it only forwards to the others.
SERVICES: tuple[ServiceDef, ...] = (ASSET, METERING, MONITORING, GATEWAY)


def select_services(names: list[str] | None) -> tuple[ServiceDef, ...]:
    if not names:
        return SERVICES
    known = {svc.name: svc for svc in SERVICES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return tuple(svc for svc in SERVICES if svc.name in names)
