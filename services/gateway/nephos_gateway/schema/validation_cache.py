"""Validation of a document once per query text, not once per request.

Validating is the largest single cost of a small query here (about a fifth of
the gateway's time on the portal's home query): graphql-core walks the
document with every specified rule plus the depth and alias limits. None of
those depend on the variables, so their verdict is kept per query text. The
cost rule does depend on them (``first: $n``): its verdict is kept per query
text and variables, when the variables are small enough to key on.

strawberry's own ``ValidationCache`` cannot serve: it keys on the rule
classes, and the limit extensions make new ones for every operation.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import GraphQLError, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

PER_OPERATION = "nephos_per_operation"
"""Attribute set on a validation rule whose verdict depends on the variables."""

MAX_KEYED_VARIABLES = 1024
"""Variables longer than this as JSON are validated every time rather than kept."""


class Verdicts:
    """Validation errors of the variable-free rules by query text, least recently used out."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._kept: OrderedDict[str, list[GraphQLError]] = OrderedDict()

    def get(self, query: str) -> list[GraphQLError] | None:
        errors = self._kept.get(query)
        if errors is not None:
            self._kept.move_to_end(query)
        return errors

    def put(self, query: str, errors: list[GraphQLError]) -> None:
        self._kept[query] = errors
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)


class CachedValidation(SchemaExtension):
    """Runs validation itself: the kept verdict, then the per-operation rules."""

    def __init__(self, *, verdicts: Verdicts, by_variables: Verdicts) -> None:
        self.verdicts = verdicts
        self.by_variables = by_variables

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document, query = context.graphql_document, context.query
        if document is not None and query is not None:
            rules = context.validation_rules
            fixed = tuple(rule for rule in rules if not getattr(rule, PER_OPERATION, False))
            varying = tuple(rule for rule in rules if getattr(rule, PER_OPERATION, False))
            errors = self.verdicts.get(query)
            if errors is None:
                errors = validate_document(context.schema._schema, document, fixed)
                self.verdicts.put(query, errors)
            if not errors and varying:
                key = _with_variables(query, context.variables)
                errors = self.by_variables.get(key) if key else None
                if errors is None:
                    errors = validate(context.schema._schema, document, varying)
                    if key:
                        self.by_variables.put(key, errors)
            context.pre_execution_errors = list(errors)
        yield


def _with_variables(query: str, variables: Mapping[str, Any] | None) -> str | None:
    """The key of a verdict that depends on the variables; None when they are too long."""
    text = json.dumps(variables or {}, sort_keys=True, default=str)
    return None if len(text) > MAX_KEYED_VARIABLES else f"{query}\0{text}"
