"""Opaque cursors for keyset pagination.

A cursor is the sort key of the last row seen, base64-encoded; a cursor that
does not decode is the caller's error (422), never a server failure.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from nephos_common.errors import InvalidInput

MAX_PAGE_SIZE = 500


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
