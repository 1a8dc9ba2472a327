"""The one GraphQL schema of Nephos, owned by the gateway and resolved over REST."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from nephos_gateway.schema.base import GatewaySchema
from nephos_gateway.schema.cost import CostLimits, QueryCostLimiter
from nephos_gateway.schema.directory import company
from nephos_gateway.schema.mutation import Mutation
from nephos_gateway.schema.query import Query
from nephos_gateway.schema.security import Authentication, MaskInternalErrors
from nephos_gateway.schema.subscription import Subscription
from nephos_gateway.schema.validation_cache import CachedValidation, Verdicts
from nephos_gateway.settings import Settings

PARSED_DOCUMENTS = 256
"""Distinct query texts whose parse and validation are kept (least recently used out)."""

DIRECTIVES = [company]
"""``@company(id:)``: the operation acts for that company."""


def _extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Factories, not instances: each operation gets its own, never another request's state.

    Limits run at validation, before any resolver, so abusive documents cost nothing.
    Parsing (with its token limit) and validation are kept per query text: a portal
    sends the same few documents again and again.
    """
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(ParserCache, maxsize=PARSED_DOCUMENTS),
        partial(
            CachedValidation,
            verdicts=Verdicts(PARSED_DOCUMENTS),
            by_variables=Verdicts(PARSED_DOCUMENTS),
        ),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(QueryCostLimiter, limits=_cost_limits(settings)),
        Authentication,
        MaskInternalErrors,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return extensions


def _cost_limits(settings: Settings) -> CostLimits:
    return CostLimits(max_cost=settings.max_query_cost, max_page_size=settings.max_page_size)


def build_schema(settings: Settings) -> strawberry.Schema:
    # Without introspection, "did you mean" suggestions would still map the schema out.
    config = StrawberryConfig(disable_field_suggestions=not settings.introspection)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        directives=DIRECTIVES,
        extensions=_extensions(settings),
        config=config,
    )


def sdl() -> str:
    """The schema's SDL; the same for any settings (they change only limits)."""
    schema = GatewaySchema(
        query=Query, mutation=Mutation, subscription=Subscription, directives=DIRECTIVES
    )
    return str(schema) + "\n"
