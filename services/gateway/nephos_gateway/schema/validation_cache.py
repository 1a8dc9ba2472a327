"""Validation of a document once per query text, not once per request.

Validating is the largest single cost of a small query here (about a fifth of
the gateway's time on the portal's home query): graphql-core walks the
document with every specified rule plus the depth and alias limits. None of
those depend on the variables, so their verdict is kept per query text; the
cost rule does depend on them (``first: $n``) and still runs every time.

strawberry's own ``ValidationCache`` cannot serve: it keys on the rule
classes, and the limit extensions make new ones for every operation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import GraphQLError, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

PER_OPERATION = "nephos_per_operation"
"""Attribute set on a validation rule whose verdict depends on the variables."""


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

    def __init__(self, *, verdicts: Verdicts) -> None:
        self.verdicts = verdicts

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
                errors = validate(context.schema._schema, document, varying)
            context.pre_execution_errors = list(errors)
        yield
