"""What a downstream service said went wrong, as gateway exceptions.

Every service answers failures as ``{"error": {"code", "message", "details"}}``
with a 4xx/5xx status; the clients turn that into one of these so that the
schema layer decides per field whether it is a user error, null, or a
top-level GraphQL error, without ever looking at HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nephos_gateway.clients.base import Answer


class ServiceError(Exception):
    """A downstream failure the caller may see; ``graphql_code`` goes to ``extensions.code``."""

    graphql_code = "SERVICE_ERROR"

    def __init__(
        self,
        message: str,
        *,
        service: str,
        code: str = "service_error",
        status: int = 0,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.service = service
        self.code = code
        self.status = status
        self.details = details or {}

    @property
    def extensions(self) -> dict[str, Any]:
        """Read by graphql-core when it wraps this error for the response."""
        return {"code": self.graphql_code, "reason": self.code}


class InvalidInput(ServiceError):
    graphql_code = "BAD_USER_INPUT"


class Unauthenticated(ServiceError):
    graphql_code = "UNAUTHENTICATED"


class Forbidden(ServiceError):
    graphql_code = "FORBIDDEN"


class NotFound(ServiceError):
    graphql_code = "NOT_FOUND"


class Conflict(ServiceError):
    graphql_code = "CONFLICT"


class Unavailable(ServiceError):
    """The service could not be reached or failed on its side; the details stay in our logs."""

    graphql_code = "SERVICE_UNAVAILABLE"


_BY_STATUS: dict[int, type[ServiceError]] = {
    400: InvalidInput,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: InvalidInput,
}


def _error_body(response: Answer) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def from_response(service: str, response: Answer) -> ServiceError:
    """The exception for a non-2xx answer; 5xx bodies are not passed on to the caller."""
    kind = _BY_STATUS.get(response.status_code)
    if kind is None:
        return Unavailable(
            f"the {service} service failed", service=service, status=response.status_code
        )
    body = _error_body(response)
    details = body.get("details")
    return kind(
        str(body.get("message") or f"{service} answered {response.status_code}"),
        service=service,
        code=str(body.get("code") or kind.graphql_code.lower()),
        status=response.status_code,
        details=details if isinstance(details, dict) else None,
    )
