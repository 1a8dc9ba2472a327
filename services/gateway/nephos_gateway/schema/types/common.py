"""Shapes shared by every part of the schema: user errors and page info.

Domain failures of a mutation (a taken name, invalid input, an unknown id)
come back as ``userErrors`` in its payload, next to a null result, so that a
form can show them per field; top-level GraphQL errors are kept for failures
the caller cannot fix by changing the input (auth, unavailable services).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import strawberry

from nephos_gateway.clients.errors import Conflict, InvalidInput, NotFound, ServiceError

# Service codes whose field the service does not name but the gateway knows.
PARTIAL = (
    " Null, with a SERVICE_UNAVAILABLE error, when its service does not answer: the other"
    " fields of the query still do, so a page shows what it can."
)
"""The end of a dashboard field's description: one service down does not blank a page."""
_FIELD_OF_CODE = {"account_name_taken": "input.name", "group_name_taken": "input.name"}


@strawberry.type(description="A problem with a mutation's input that the caller can fix.")
class UserError:
    code: str = strawberry.field(description="Machine-readable, e.g. ACCOUNT_NAME_TAKEN.")
    message: str
    field: str | None = strawberry.field(
        default=None, description="Path of the offending input, e.g. input.credentials.roleArn."
    )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _input_path(location: str) -> str:
    """``body.credentials.role_arn`` (the service's view) as ``input.credentials.roleArn``."""
    parts = [p for p in location.split(".") if p]
    if parts and parts[0] == "body":
        parts[0] = "input"
    return ".".join(_camel(p) for p in parts)


def _problems(details: dict[str, Any]) -> list[dict[str, Any]]:
    problems = details.get("problems")
    return [p for p in problems if isinstance(p, dict)] if isinstance(problems, list) else []


def _named_field(details: dict[str, Any]) -> str | None:
    """The input path of the body field a service error names (``{"field": "rule"}``)."""
    named = details.get("field")
    return _input_path(f"body.{named}") if isinstance(named, str) and named else None


LocationMap = Callable[[str], str | None]
"""A service problem's location as the input's (``body.x.y``), or None: not about this input."""


def user_errors(
    exc: ServiceError,
    *,
    id_field: str = "id",
    fields: Mapping[str, str] | None = None,
    locations: LocationMap | None = None,
) -> list[UserError]:
    """The payload's user errors for a domain failure; other failures are re-raised.

    ``fields`` names the argument behind a service code where the mutation's
    arguments differ from the service's body (e.g. ``assetIds`` for ``members``);
    ``locations`` does the same for validation problems, path by path.
    """
    if not isinstance(exc, InvalidInput | Conflict | NotFound):
        raise exc
    code = exc.code.upper()
    override = (fields or {}).get(exc.code)
    if isinstance(exc, NotFound):
        return [UserError(code=code, message=exc.message, field=override or id_field)]
    found = [(str(p.get("field", "")), str(p.get("message", ""))) for p in _problems(exc.details)]
    if locations is not None:
        mapped = [(locations(at), message) for at, message in found]
        found = [(at, message) for at, message in mapped if at is not None] or found
    if found:
        return [UserError(code=code, message=m, field=_input_path(at)) for at, m in found]
    field = override or _FIELD_OF_CODE.get(exc.code) or _named_field(exc.details)
    return [UserError(code=code, message=exc.message, field=field)]
