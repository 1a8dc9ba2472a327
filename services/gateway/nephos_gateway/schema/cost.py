"""A query's estimated cost, refused above a maximum before any resolver runs.

Depth, alias and token limits do not stop a shallow document that asks for
200 assets, each with 200 changes: the work multiplies along lists. The
estimate follows that: a field costs 1, plus its sub-selection times how
many items it may return. A field with ``first`` returns at most that many
(a variable's value, or the variable's or argument's default, or the largest
page when none is known); a
list without ``first`` is counted as ``list_size`` items; the ``edges`` of a
connection are already counted by the connection's ``first``. Introspection
fields are free (introspection is switched off where it matters).

The rule is a graphql-core ``ValidationRule``, made per operation so that it
sees the operation's variables, and added to the operation's validation
rules the way strawberry's ``AddValidationRules`` does it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"


@dataclass(frozen=True)
class CostLimits:
    max_cost: int
    max_page_size: int
    list_size: int = 10
    """Items assumed for a list field without ``first`` (tags, alerts of one asset, ...)."""


@dataclass(frozen=True)
class _Estimator:
    schema: GraphQLSchema
    fragments: Mapping[str, Any]
    variables: Mapping[str, Any]
    defaults: Mapping[str, Any]
    limits: CostLimits

    def selection_cost(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> int:
        return sum(cost for cost in self._costs(parent, selection_set, seen))

    def _costs(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> Iterator[int]:
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                yield self._field_cost(parent, node, seen)
            elif isinstance(node, InlineFragmentNode):
                inner = self._condition(node.type_condition, parent)
                yield self.selection_cost(inner, node.selection_set, seen)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    inner = self._condition(fragment.type_condition, parent)
                    more = seen | {node.name.value}  # a cycle is another rule's error
                    yield self.selection_cost(inner, fragment.selection_set, more)

    def _condition(self, condition: Any, parent: GraphQLNamedType) -> GraphQLNamedType:
        found = self.schema.get_type(condition.name.value) if condition is not None else None
        return found or parent

    def _field_cost(self, parent: GraphQLNamedType, node: FieldNode, seen: frozenset[str]) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
            return 0
        field = parent.fields.get(name)
        if field is None:
            return 0  # unknown fields are another rule's error
        if node.selection_set is None:
            return 1
        children = self.selection_cost(get_named_type(field.type), node.selection_set, seen)
        return 1 + self._items(parent, field, node) * children

    def _items(self, parent: GraphQLObjectType, field: GraphQLField, node: FieldNode) -> int:
        """How many items the field may return: 1 for an object, ``first`` for a page."""
        if "first" in field.args:
            return self._first(field, node)
        is_list = isinstance(get_nullable_type(field.type), GraphQLList)
        if not is_list or parent.name.endswith("Connection"):
            return 1
        return self.limits.list_size

    def _first(self, field: GraphQLField, node: FieldNode) -> int:
        """``first`` as given, else the variable's or the argument's default; else the largest."""
        given: Any = field.args["first"].default_value
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        if argument is not None and isinstance(argument.value, VariableNode):
            variable = argument.value.name.value
            if variable in self.variables:
                given = self.variables[variable]
            elif variable in self.defaults:
                given = self.defaults[variable]
        elif argument is not None:
            given = value_from_ast_untyped(argument.value)
        largest = self.limits.max_page_size
        return min(given, largest) if isinstance(given, int) and given > 0 else largest


def cost_rule(limits: CostLimits, variables: Mapping[str, Any]) -> type[ValidationRule]:
    """A validation rule refusing operations above ``limits.max_cost`` with these variables."""

    class QueryCostRule(ValidationRule):
        nephos_per_operation = True  # see validation_cache.PER_OPERATION

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.get_root_type(node.operation)
            if root is None:
                return
            defaults = {
                d.variable.name.value: value_from_ast_untyped(d.default_value)
                for d in node.variable_definitions or ()
                if d.default_value is not None
            }
            fragments = {
                f.name.value: f
                for f in self.context.document.definitions
                if isinstance(f, FragmentDefinitionNode)
            }
            estimator = _Estimator(schema, fragments, variables, defaults, limits)
            cost = estimator.selection_cost(root, node.selection_set, frozenset())
            if cost > limits.max_cost:
                self.report_error(too_costly(cost, limits.max_cost, node))

    return QueryCostRule


def too_costly(cost: int, max_cost: int, node: OperationDefinitionNode) -> GraphQLError:
    return GraphQLError(
        f"the query's estimated cost {cost} is above the maximum of {max_cost};"
        " ask for smaller pages or fewer fields",
        nodes=[node],
        extensions={"code": QUERY_TOO_COSTLY, "cost": cost, "maxCost": max_cost},
    )


class QueryCostLimiter(SchemaExtension):
    """Adds the cost rule, bound to the operation's variables, to its validation rules."""

    def __init__(self, *, limits: CostLimits) -> None:
        self.limits = limits

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        rule = cost_rule(self.limits, context.variables or {})
        context.validation_rules = (*context.validation_rules, rule)
        yield
