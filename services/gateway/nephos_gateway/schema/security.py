"""Who may run what: authentication for every operation, roles on mutations, masked failures.

The gateway checks roles itself so that a viewer is refused before any
service is called; each service checks them again (defence in depth).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, get_operation_ast, value_from_ast_untyped
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.permission import BasePermission
from strawberry.types import ExecutionContext, Info

from nephos_common.auth import Role
from nephos_common.errors import Forbidden, NephosError, Unauthenticated
from nephos_gateway.clients.errors import ServiceError

log = logging.getLogger(__name__)

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
INTERNAL = "INTERNAL_SERVER_ERROR"
COMPANY_DIRECTIVE = "company"


def auth_error(exc: NephosError) -> GraphQLError:
    code = FORBIDDEN if isinstance(exc, Forbidden) else UNAUTHENTICATED
    return GraphQLError(exc.message, extensions={"code": code, "reason": exc.code})


class Authentication(SchemaExtension):
    """Admits the caller, then refuses the whole operation before execution if it may not run."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        authorize = getattr(context, "authorize", None)
        if authorize is not None:
            await authorize(chosen_company(self.execution_context))
        error = getattr(context, "auth_error", None)
        if getattr(context, "principal", None) is None:
            exc = error if isinstance(error, NephosError) else Unauthenticated("not authenticated")
            self.execution_context.result = ExecutionResult(data=None, errors=[auth_error(exc)])
        yield


def chosen_company(execution_context: ExecutionContext) -> str | None:
    """The ``@company(id:)`` of the operation, if it has one (literal or variable)."""
    document = execution_context.graphql_document
    if document is None:
        return None
    operation = get_operation_ast(document, execution_context.operation_name)
    for directive in (operation.directives or ()) if operation else ():
        if directive.name.value != COMPANY_DIRECTIVE:
            continue
        for argument in directive.arguments or ():
            if argument.name.value == "id":
                value = value_from_ast_untyped(argument.value, execution_context.variables)
                return str(value) if value else None
    return None


class _RoleRequired(BasePermission):
    role = Role.ADMIN
    error_extensions = {"code": FORBIDDEN}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context.caller.role >= self.role)


class IsOperator(_RoleRequired):
    """Operators and admins: run discoveries, change service groups."""

    role = Role.OPERATOR
    message = "this action needs the operator role"


class IsAdmin(_RoleRequired):
    """Admins only: change cloud accounts and their credentials."""

    role = Role.ADMIN
    message = "this action needs the admin role"


def _is_expected(error: GraphQLError) -> bool:
    """Errors we raised on purpose (validation, auth, service answers) keep their message."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError | ServiceError | NephosError)


class MaskInternalErrors(MaskErrors):
    """Replaces unexpected failures by a fixed message; the original is logged by strawberry."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not _is_expected(e))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL}
        return masked
