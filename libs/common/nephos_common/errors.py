"""One error hierarchy for every service, rendered by one handler.

Domain code raises these; the HTTP edge turns them into
``{"error": {"code", "message", "details"}}`` with the matching 4xx status.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class NephosError(Exception):
    """Base of every error that a client is meant to see."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(NephosError):
    status_code = 422
    code = "invalid_input"


class Unauthenticated(NephosError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(NephosError):
    status_code = 403
    code = "forbidden"


class NotFound(NephosError):
    status_code = 404
    code = "not_found"


class Conflict(NephosError):
    status_code = 409
    code = "conflict"


class Unavailable(NephosError):
    status_code = 503
    code = "unavailable"


def _validation_body(exc: RequestValidationError) -> dict[str, Any]:
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
        for err in exc.errors()
    ]
    return InvalidInput("request is not valid", problems=problems).to_body()


def install_error_handlers(app: FastAPI) -> None:
    """Render every known failure with the same body shape and a 4xx where it is the caller's."""

    async def nephos_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, NephosError)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.to_body(), status_code=exc.status_code, headers=headers)

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(_validation_body(exc), status_code=422)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = NephosError(str(exc.detail), code=code).to_body()
        return JSONResponse(body, status_code=exc.status_code)

    async def unexpected_error(_: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        body = NephosError("internal error", code="internal_error").to_body()
        return JSONResponse(body, status_code=500)

    app.add_exception_handler(Exception, unexpected_error)
    app.add_exception_handler(NephosError, nephos_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
