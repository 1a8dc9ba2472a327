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
from functools import lru_cache
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
    if value is None:
        return True
    return isinstance(value, str) and (not value or value.isspace())


def decimal_of(column: str, value: Any) -> Decimal:
    """A finite exact decimal; floats go through ``repr`` (see module doc)."""
    if type(value) is str:  # the common case (CSV), first: it is most of the hot path
        try:
            number = Decimal(value)
        except InvalidOperation:
            reason = "is missing" if blank(value) else "is not a decimal number"
            raise ValueProblem(column, value, reason) from None
    else:
        number = _decimal_of_typed(column, value)
    if not number.is_finite():
        raise ValueProblem(column, value, "is not a finite number")
    return number


def _decimal_of_typed(column: str, value: Any) -> Decimal:
    if blank(value):
        raise ValueProblem(column, value, "is missing")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidOperation
            return Decimal(repr(value))
        if isinstance(value, Decimal | int):
            return Decimal(value)
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueProblem(column, value, "is not a decimal number") from None


def optional_decimal(column: str, value: Any) -> Decimal | None:
    if type(value) is str and value and not value[0].isspace():  # CSV's usual case, first
        return decimal_of(column, value)
    return None if blank(value) else decimal_of(column, value)


@lru_cache(maxsize=8192)
def _parsed_timestamp(text: str) -> datetime | None:
    """Cached: a billing file repeats the same few hundred hour stamps a million times."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timestamp_of(column: str, value: Any) -> datetime:
    """An aware UTC timestamp; naive values are UTC, as every CUR timestamp is."""
    if type(value) is str:  # CSV's usual case, first: a cache hit and nothing else
        moment = _parsed_timestamp(value)
        if moment is not None:
            return moment
    if blank(value):
        raise ValueProblem(column, value, "is missing")
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    moment = _parsed_timestamp(str(value))
    if moment is None:
        raise ValueProblem(column, value, "is not an ISO 8601 timestamp")
    return moment


def text_of(value: Any) -> str | None:
    if type(value) is str:
        return value.strip() or None
    if value is None:
        return None
    return str(value).strip() or None


@lru_cache(maxsize=65536)
def _parsed_map(text: str) -> tuple[tuple[str, str], ...] | None:
    """Cached: tags and product maps repeat once per resource, not once per line item."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    return tuple((str(k), str(v)) for k, v in parsed.items() if v is not None)


def map_of(column: str, value: Any) -> dict[str, str]:
    """A CUR 2.0 map column: JSON text in CSV, key/value pairs (or a dict) in Parquet."""
    if blank(value):
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return {str(k): str(v) for k, v in value if v is not None}
    pairs = _parsed_map(str(value))
    if pairs is None:
        raise ValueProblem(column, value, "is not a JSON object")
    return dict(pairs)


@lru_cache(maxsize=65536)
def _map_json(text: str) -> str | None:
    """The text itself when it is already a JSON object of strings (the usual case:
    JSONB reads it the same), else the object re-encoded without nulls."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    if all(type(v) is str for v in parsed.values()):
        return text
    return json.dumps({str(k): str(v) for k, v in parsed.items() if v is not None})


def map_json(column: str, value: Any) -> str:
    """``map_of`` as JSON text, ready for COPY into JSONB (cached for JSON text input)."""
    if isinstance(value, str) and value and not value.isspace():
        found = _map_json(value)
        if found is None:
            raise ValueProblem(column, value, "is not a JSON object")
        return found
    return json.dumps(map_of(column, value))


def day_of(column: str, value: Any) -> datetime:
    """A calendar day as its UTC midnight: ISO (``2024-05-01``, with or without a time)
    or ``MM/DD/YYYY``, the US form Azure cost exports write."""
    if isinstance(value, str) and "/" in value:
        try:
            return datetime.strptime(value.strip(), "%m/%d/%Y").replace(tzinfo=UTC)
        except ValueError:
            raise ValueProblem(column, value, "is not a MM/DD/YYYY date") from None
    moment = timestamp_of(column, value)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def currency_of(column: str, value: Any) -> str:
    """An ISO 4217 code, upper case; a missing or malformed code refuses the row."""
    code = text_of(value)
    if code is None:
        raise ValueProblem(column, value, "is missing")
    if len(code) != 3 or not code.isalpha():
        raise ValueProblem(column, code, "is not an ISO 4217 code")
    return code.upper()


def required_text(column: str, value: Any) -> str:
    found = text_of(value)
    if found is None:
        raise ValueProblem(column, value, "is missing")
    return found
