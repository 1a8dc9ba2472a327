"""The one envelope every event and job travels in, and the typed payloads inside.

The envelope id doubles as the ``Nats-Msg-Id`` header, so JetStream drops a
re-published duplicate, and consumers remember it, so a redelivery is harmless.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field

ContractT = TypeVar("ContractT", bound="Contract")


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    source: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    tenant: str
    version: int = 1
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def subject(self) -> str:
        """Events are published on their type: ``<service>.<aggregate>.<verb>``."""
        return self.type

    def payload(self, contract: builtins.type[ContractT]) -> ContractT:
        if contract.event_type != self.type:
            raise ValueError(f"envelope holds {self.type}, not {contract.event_type}")
        return contract.model_validate(self.data)


class Contract(BaseModel):
    """Base of every event payload: frozen, versioned, named by its subject."""

    model_config = ConfigDict(frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int] = 1

    def envelope(self, *, tenant: str, source: str) -> Envelope:
        """Wrap the payload; every field is ours and typed, so it is not validated again
        (a discovery wraps one event per new asset, and validation was a third of it)."""
        return Envelope.model_construct(
            id=uuid.uuid4(),
            type=self.event_type,
            source=source,
            time=datetime.now(UTC),
            tenant=tenant,
            version=self.version,
            data=self.model_dump(mode="json"),
        )

    @classmethod
    def parse(cls, envelope: Envelope) -> Self:
        return envelope.payload(cls)
