"""Shapes shared by every part of the schema: user errors and page info.

Domain failures of a mutation (a taken name, invalid input, an unknown id)
come back as ``userErrors`` in its payload, next to a null result, so that a
form can show them per field; top-level GraphQL errors are kept for failures
the caller cannot fix by changing the input (auth, unavailable services).
"""

from __future__ import annotations

from typing import Any

import strawberry

from nephos_gateway.clients.errors import Conflict, InvalidInput, NotFound, ServiceError

# Service codes whose field the service does not name but the gateway knows.
_FIELD_OF_CODE = {"account_name_taken": "input.name"}


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


def user_errors(exc: ServiceError, *, id_field: str = "id") -> list[UserError]:
    """The payload's user errors for a domain failure; other failures are re-raised."""
    if not isinstance(exc, InvalidInput | Conflict | NotFound):
        raise exc
    code = exc.code.upper()
    if isinstance(exc, NotFound):
        return [UserError(code=code, message=exc.message, field=id_field)]
    found = _problems(exc.details)
    if found:
        return [
            UserError(
                code=code,
                message=str(p.get("message", "")),
                field=_input_path(str(p.get("field", ""))),
            )
            for p in found
        ]
    return [UserError(code=code, message=exc.message, field=_FIELD_OF_CODE.get(exc.code))]
