"""Exact parsing of the values a billing file carries.

CSV gives text, Parquet gives typed values (AWS writes costs as DOUBLE). Money
must stay exact: text is parsed as ``Decimal`` directly, and a double is read
through its shortest round-trip repr, which is the decimal text AWS wrote
before storing it (CUR amounts have far fewer than 15 significant digits).
A value that does not parse raises ``ValueProblem`` naming the column, so the
caller can add the file and row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class ValueProblem(Exception):
    """One value of one row is missing or malformed."""

    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(f"{column} {_shown(value)} {reason}")
        self.column = column


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decimal_of(column: str, value: Any) -> Decimal:
    """A finite exact decimal; floats go through ``repr`` (see module doc)."""
    if blank(value):
        raise ValueProblem(column, value, "is missing")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidOperation
            number = Decimal(repr(value))
        elif isinstance(value, Decimal | int):
            number = Decimal(value)
        else:
            number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueProblem(column, value, "is not a decimal number") from None
    if not number.is_finite():
        raise ValueProblem(column, value, "is not a finite number")
    return number


def optional_decimal(column: str, value: Any) -> Decimal | None:
    return None if blank(value) else decimal_of(column, value)


def timestamp_of(column: str, value: Any) -> datetime:
    """An aware UTC timestamp; naive values are UTC, as every CUR timestamp is."""
    if blank(value):
        raise ValueProblem(column, value, "is missing")
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueProblem(column, value, "is not an ISO 8601 timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def text_of(value: Any) -> str | None:
    if blank(value):
        return None
    return str(value).strip()


def map_of(column: str, value: Any) -> dict[str, str]:
    """A CUR 2.0 map column: JSON text in CSV, key/value pairs (or a dict) in Parquet."""
    if blank(value):
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return {str(k): str(v) for k, v in value if v is not None}
    try:
        parsed = json.loads(str(value))
    except ValueError:
        raise ValueProblem(column, value, "is not a JSON object") from None
    if not isinstance(parsed, dict):
        raise ValueProblem(column, value, "is not a JSON object")
    return {str(k): str(v) for k, v in parsed.items() if v is not None}
