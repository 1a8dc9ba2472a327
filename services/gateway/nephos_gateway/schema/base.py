"""The gateway's Schema class: what reaches logs and callers when a document is refused,
and which of strawberry's own extensions run.

graphql-core quotes the offending input in variable and literal errors
("..., found: {'secretAccessKey': '...'}"), and strawberry logs every error.
Credentials must never be logged, so errors raised before execution (they
have no path) lose the quoted value, keeping only where and why; errors the
caller caused are logged briefly, without a traceback.

A schema with custom directives gets strawberry's directives extension, which
wraps the resolution of every field in a coroutine to apply field directives.
The gateway's one directive, ``@company``, sits on the operation and is read by
``security.Authentication`` before execution, so that wrapper only costs: it
is left out.
"""

from __future__ import annotations

import logging
import re

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.directives import DirectivesExtension, DirectivesExtensionSync
from strawberry.types import ExecutionContext

from nephos_common.errors import NephosError
from nephos_gateway.clients.errors import ServiceError, Unavailable

log = logging.getLogger("nephos_gateway.graphql")

# Cuts ", found: <value>", ". Found: <value>", "non string value: <value>", "encountered ..."
_QUOTED_VALUE = re.compile(r"(?:[,.;]?\s*\b[Ff]ound\b|, but encountered\b|(?<=value):\s).*$", re.S)


def redact_input_values(message: str) -> str:
    """The message without the input value it quotes; where and why are kept."""
    redacted = _QUOTED_VALUE.sub("", message).rstrip(" .,;")
    return redacted + "." if redacted != message.rstrip() else message


def _caused_by_caller(error: GraphQLError) -> bool:
    original = error.original_error
    if isinstance(original, ServiceError):
        return not isinstance(original, Unavailable)
    return original is None or isinstance(original, GraphQLError | NephosError)


_FIELD_DIRECTIVES = (DirectivesExtension, DirectivesExtensionSync)


class GatewaySchema(strawberry.Schema):
    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        """The configured extensions, without the per-field directives one (module doc)."""
        found = super().get_extensions(sync)
        return [e for e in found if not isinstance(e, _FIELD_DIRECTIVES)]

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if error.path is None and _caused_by_caller(error):
                error.message = redact_input_values(error.message)
                error.original_error = None
            if _caused_by_caller(error):
                log.info("graphql request refused", extra={"error": error.message})
            else:
                super().process_errors([error], execution_context)
