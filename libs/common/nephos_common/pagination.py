"""Opaque cursors for keyset pagination, and id lists for batch reads.

A cursor is the sort key of the last row seen, base64-encoded; a cursor that
does not decode is the caller's error (422), never a server failure.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from nephos_common.errors import InvalidInput

MAX_PAGE_SIZE = 500
MAX_BATCH = 500


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), default=str).encode()).decode()


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor is not valid", code="invalid_cursor", field="after") from None
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidInput("cursor is not valid", code="invalid_cursor", field="after")
    return key


def parse_id_list(text: str, *, field: str = "ids", limit: int = MAX_BATCH) -> list[uuid.UUID]:
    """``a,b,c`` as UUIDs, for batch reads (DataLoaders); refused clearly when malformed."""
    try:
        ids = [uuid.UUID(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"{field} must be comma-separated UUIDs", code="invalid_ids") from None
    if len(ids) > limit:
        raise InvalidInput(f"at most {limit} ids per call", code="batch_too_large", field=field)
    return ids
