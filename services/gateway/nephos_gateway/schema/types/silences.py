"""Silences: matching alerts notify nobody and open no incident while one is active."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.schema.types.alert_rules import TagInput, tag_map
from nephos_gateway.schema.types.assets import Tag
from nephos_gateway.schema.types.common import UserError
from nephos_gateway.schema.types.monitoring import AlertSeverity


@strawberry.type(description="An alert is silenced when every matcher set here matches it.")
class SilenceMatchers:
    rule_id: strawberry.ID | None
    asset_id: strawberry.ID | None
    tags: list[Tag] | None
    severity: AlertSeverity | None


@strawberry.type
class Silence:
    id: strawberry.ID
    matchers: SilenceMatchers
    starts_at: datetime
    ends_at: datetime
    comment: str
    created_by: str
    created_at: datetime
    active: bool = strawberry.field(description="Whether it silences alerts right now.")

    @classmethod
    def of(cls, s: m.Silence) -> Silence:
        found = s.matchers
        tags = found.get("tags")
        severity = found.get("severity")
        matchers = SilenceMatchers(
            rule_id=_id(found.get("rule_id")),
            asset_id=_id(found.get("asset_id")),
            tags=[Tag(key=k, value=v) for k, v in sorted(tags.items())] if tags else None,
            severity=AlertSeverity(severity) if severity else None,
        )
        return cls(
            id=strawberry.ID(s.id),
            matchers=matchers,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            comment=s.comment,
            created_by=s.created_by,
            created_at=s.created_at,
            active=s.active,
        )


def _id(value: Any) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None


@strawberry.input(description="At least one matcher; every one given must match.")
class SilenceMatchersInput:
    rule_id: strawberry.ID | None = None
    asset_id: strawberry.ID | None = None
    tags: list[TagInput] | None = None
    severity: AlertSeverity | None = None

    def body(self) -> dict[str, Any]:
        given = {
            "rule_id": str(self.rule_id) if self.rule_id else None,
            "asset_id": str(self.asset_id) if self.asset_id else None,
            "tags": tag_map(self.tags) if self.tags is not None else None,
            "severity": self.severity.value if self.severity else None,
        }
        return {k: v for k, v in given.items() if v is not None}


@strawberry.input
class SilenceInput:
    matchers: SilenceMatchersInput
    ends_at: datetime
    comment: str
    starts_at: datetime | None = strawberry.field(default=None, description="Now when left out.")

    def body(self) -> dict[str, Any]:
        body = {
            "matchers": self.matchers.body(),
            "ends_at": self.ends_at.isoformat(),
            "comment": self.comment,
        }
        return body | ({"starts_at": self.starts_at.isoformat()} if self.starts_at else {})


@strawberry.type
class SilencePayload:
    silence: Silence | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteSilencePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
