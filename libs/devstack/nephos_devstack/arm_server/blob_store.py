"""Azure Blob Storage's state on the stand-in: accounts, containers, blobs and SAS grants.

Kept free of any web framework, like ``store``, so tests seed it directly
(``blobs_of(server).put(...)``) and the HTTP side (``blob_api``) only reads.
A SAS token is granted per container; the stand-in cannot sign with an
account key, so it recognises its own grants by their random ``sig`` and
checks their permissions and expiry as Azure Storage would.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from nephos_devstack.arm_server.store import ArmServer

SAS_VERSION = "2022-11-02"
_ETAG_BASE = 0x8DC0000_0000000


@dataclass(frozen=True)
class StoredBlob:
    name: str
    data: bytes
    etag: str
    """Quoted, as the ``ETag`` header carries it (``"0x8DC..."``)."""
    last_modified: datetime
    created: datetime
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class SasGrant:
    account: str
    container: str
    permissions: str
    expires: datetime


@dataclass
class BlobStore:
    """``containers[(account, container)]`` maps blob names to blobs, in name order when listed."""

    containers: dict[tuple[str, str], dict[str, StoredBlob]] = field(default_factory=dict)
    grants: dict[str, SasGrant] = field(default_factory=dict)
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create_container(self, account: str, container: str) -> None:
        self.containers.setdefault((account.lower(), container.lower()), {})

    def knows_account(self, account: str) -> bool:
        return any(key[0] == account.lower() for key in self.containers)

    def container(self, account: str, container: str) -> dict[str, StoredBlob] | None:
        return self.containers.get((account.lower(), container.lower()))

    def put(
        self, account: str, container: str, name: str, data: bytes, *,
        modified: datetime | None = None, content_type: str = "application/octet-stream",
    ) -> StoredBlob:  # fmt: skip
        """Write (or overwrite) a blob; every write gets a new ETag, as in Azure."""
        self.create_container(account, container)
        with self._lock:
            etag = f'"0x{_ETAG_BASE + next(self._versions):X}"'
        at = modified or datetime.now(UTC)
        blobs = self.containers[(account.lower(), container.lower())]
        created = blobs[name].created if name in blobs else at
        blob = StoredBlob(name, data, etag, at, created, content_type)
        blobs[name] = blob
        return blob

    def delete(self, account: str, container: str, name: str) -> None:
        blobs = self.container(account, container)
        if blobs is not None:
            blobs.pop(name, None)

    def grant(
        self, account: str, container: str, permissions: str = "rl",
        lifetime: timedelta = timedelta(hours=1),
    ) -> str:  # fmt: skip
        """A container SAS token (query string without ``?``) the stand-in will accept."""
        expires = datetime.now(UTC) + lifetime
        sig = secrets.token_urlsafe(32)
        self.grants[sig] = SasGrant(account.lower(), container.lower(), permissions, expires)
        return urlencode({
            "sv": SAS_VERSION, "sr": "c", "sp": permissions, "spr": "https,http",
            "se": expires.strftime("%Y-%m-%dT%H:%M:%SZ"), "sig": sig,
        })  # fmt: skip

    def clear(self) -> None:
        """Forget every container, blob and grant."""
        self.containers.clear()
        self.grants.clear()


_STORES: weakref.WeakKeyDictionary[ArmServer, BlobStore] = weakref.WeakKeyDictionary()


def blobs_of(server: ArmServer) -> BlobStore:
    """The blob storage of one stand-in server (created empty on first use)."""
    if server not in _STORES:
        _STORES[server] = BlobStore()
    return _STORES[server]
