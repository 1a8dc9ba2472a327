"""Settings of the gateway (env prefix ``NEPHOS_GATEWAY_``).

GraphiQL and introspection follow the environment unless set: on in the
embedded default and in tests (people explore the API there), off in
production (a public schema map helps attackers more than users).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from nephos_common.settings import Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEPHOS_GATEWAY_", extra="ignore")

    port: int = 8000
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos_gateway"
    asset_url: str = "http://127.0.0.1:8001"
    metering_url: str = "http://127.0.0.1:8002"
    monitoring_url: str = "http://127.0.0.1:8003"
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    max_connections: int = Field(default=100, ge=1, description="Per downstream service.")
    graphiql: bool = True
    introspection: bool = True
    max_query_depth: int = Field(default=10, ge=1)
    max_aliases: int = Field(default=30, ge=1)
    max_tokens: int = Field(default=2000, ge=1)
    max_query_cost: int = Field(
        default=20_000,
        ge=1,
        description="Largest estimated cost of one operation (fields times list sizes).",
    )
    subscriber_queue_size: int = Field(
        default=100,
        ge=1,
        description="Events held for one slow websocket subscriber; older ones are dropped.",
    )
    max_page_size: int = Field(
        default=200,
        ge=1,
        le=250,
        description="Largest `first`; resuming mid-page asks the service for up to twice this.",
    )
    access_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Keep the directory's answer for a user, and a verified token, this long "
        "(0: ask every time); changes made through this gateway apply at once.",
    )
    read_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Keep a company's dashboard aggregates (asset summary, cost overview and "
        "summaries, monitoring overview) fresh up to this long, then serve them while they "
        "are refreshed for as long again (0: ask every time); its events "
        "and changes made through this gateway drop them at once.",
    )
    jwks_max_age_seconds: float = Field(
        default=300.0, gt=0, description="Refetch the OIDC issuer's keys after this long."
    )
    jwks_min_refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        description="A token with an unknown key id refetches the keys at most this often.",
    )

    @model_validator(mode="before")
    @classmethod
    def _exploration_follows_environment(cls, data: Any) -> Any:
        """Default GraphiQL and introspection to off in production, unless set explicitly."""
        if not isinstance(data, dict):
            return data
        if str(data.get("environment", "")).lower() == Environment.PRODUCTION.value:
            data.setdefault("graphiql", False)
            data.setdefault("introspection", False)
        return data

    def service_urls(self) -> dict[str, str]:
        """Base URL of every downstream service, by the name clients and transports use."""
        return {
            "asset": self.asset_url,
            "metering": self.metering_url,
            "monitoring": self.monitoring_url,
        }
