"""The stand-in's state: resources, service principals, issued tokens and faults.

Kept free of any web framework so tests and the estate generator can seed
and inspect it directly. Lookups are case-insensitive, as ARM's are: ARM
echoes resource ids in whatever case they were created with, and SDKs send
paths in their own case.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

Item = dict[str, Any]

DEFAULT_SUBSCRIPTION = "6f1c0e2a-5b7d-4c11-9e0f-000000c0ffee"
DEFAULT_TENANT = "9a3d4b1c-2e5f-4a6b-8c7d-0000000a11ce"
DEFAULT_CLIENT_ID = "0b7e5f3a-1c2d-4e8f-9a0b-00000000d15c"
DEFAULT_CLIENT_SECRET = "nephos-arm-stand-in-secret"
TOKEN_LIFETIME_SECONDS = 3599


@dataclass
class ArmConfig:
    """Identity of the emulated subscription and how the server pages."""

    subscription_id: str = DEFAULT_SUBSCRIPTION
    tenant_id: str = DEFAULT_TENANT
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    display_name: str = "Nephos stand-in subscription"
    locations: tuple[str, ...] = ("westeurope", "eastus")
    page_size: int = 100


@dataclass
class Faults:
    """Failures the server injects, changeable while it runs.

    ``throttled`` maps an operation key (``microsoft.compute/disks``) to how
    many of its next calls get 429 with ``Retry-After: retry_after``;
    ``denied_providers`` holds namespaces (``microsoft.cache``) answered with
    403 ``AuthorizationFailed``, as a missing role assignment would be.
    """

    throttled: dict[str, int] = field(default_factory=dict)
    retry_after: float = 1.0
    denied_providers: set[str] = field(default_factory=set)


def collection_of(resource_type: str) -> str:
    """``Microsoft.Compute/virtualMachines`` -> ``microsoft.compute/virtualmachines``."""
    return resource_type.lower()


def parent_id(resource_id: str) -> str:
    """The id of a child resource's parent (drops ``/<child type>/<name>``)."""
    return resource_id.rsplit("/", 2)[0].lower()


class ArmServer:
    """Everything the stand-in knows; the web app only reads it (and counts calls)."""

    def __init__(self, config: ArmConfig | None = None) -> None:
        self.config = config or ArmConfig()
        self.faults = Faults()
        self.url: str | None = None
        self.calls: Counter[str] = Counter()
        self._collections: dict[str, list[Item]] = {}
        self._children: dict[tuple[str, str], list[Item]] = {}
        self.cost_rows: list[Any] = []  # ``cost_management.CostRow``s, seeded there
        self._principals = {self.config.client_id: self.config.client_secret}
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    # --- seeding ------------------------------------------------------------
    def add(self, resource: Item) -> Item:
        """Store a resource; child types (``servers/databases``) go under their parent."""
        kind = collection_of(resource["type"])
        if kind.count("/") >= 2:
            self._children.setdefault((parent_id(resource["id"]), kind), []).append(resource)
        else:
            self._collections.setdefault(kind, []).append(resource)
        return resource

    def add_principal(self, client_id: str, client_secret: str) -> None:
        """Register another service principal the token endpoint accepts."""
        self._principals[client_id] = client_secret

    def clear(self) -> None:
        """Forget every resource (principals and issued tokens stay)."""
        self._collections.clear()
        self._children.clear()

    def reset_faults(self) -> None:
        """No throttling, no denied providers, call counts back to zero."""
        self.faults = Faults()
        self.calls.clear()

    def throttle(self, operation: str, times: int, retry_after: float = 1.0) -> None:
        """Answer the next ``times`` calls of ``operation`` with 429 and Retry-After."""
        self.faults.throttled[operation.lower()] = times
        self.faults.retry_after = retry_after

    def deny(self, namespace: str) -> None:
        """Answer every call to one resource provider with 403 AuthorizationFailed."""
        self.faults.denied_providers.add(namespace.lower())

    # --- reading ------------------------------------------------------------
    def collection(self, kind: str) -> list[Item]:
        """Every resource of a subscription-level type, in creation order."""
        return self._collections.get(kind.lower(), [])

    def children(self, parent: str, kind: str) -> list[Item]:
        """Every child of one parent resource (databases of a server, ...)."""
        return self._children.get((parent.lower(), kind.lower()), [])

    def count(self) -> int:
        """How many resources are stored (children included)."""
        stored = [*self._collections.values(), *self._children.values()]
        return sum(len(items) for items in stored)

    # --- identity and faults ------------------------------------------------
    def issue_token(self, client_id: str, client_secret: str) -> str | None:
        """A new bearer token for a known principal whose secret matches, else None."""
        known = self._principals.get(client_id)
        if known is None or not secrets.compare_digest(known, client_secret):
            return None
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + TOKEN_LIFETIME_SECONDS
        return token

    def knows_principal(self, client_id: str) -> bool:
        return client_id in self._principals

    def token_valid(self, token: str) -> bool:
        expiry = self._tokens.get(token)
        return expiry is not None and expiry > time.monotonic()

    def take_throttle(self, operation: str) -> bool:
        """Whether this call of ``operation`` must be throttled (uses one up)."""
        with self._lock:
            left = self.faults.throttled.get(operation, 0)
            if left <= 0:
                return False
            self.faults.throttled[operation] = left - 1
            return True
