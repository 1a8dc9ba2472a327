"""Specs of the storage, database and cache resource types.

Database sizes go to ``allocated_storage_gb``, the key the dashboard sums
for every provider's databases. SQL databases exist only per server in ARM
(``databases.list_by_server``), so that unit makes one call per server; the
``master`` system database ARM lists with them is left out, as the portal
does: it is neither created nor billed by the customer.
"""

from __future__ import annotations

from typing import Any

from nephos_asset.collectors.azure.fields import Item, gib, rels, search, state_at
from nephos_asset.collectors.azure.spec import ChildListing, ResourceSpec, parent_relation
from nephos_asset.collectors.base import Category


def _user_database(d: Item) -> bool:
    return search("sku.tier", d) != "System" and d.get("name") != "master"


def _flexible_details(engine: str) -> Any:
    return lambda s: {
        "engine": engine,
        "engine_version": search("properties.version", s),
        "sku": search("sku.name", s),
        "tier": search("sku.tier", s),
        "allocated_storage_gb": search("properties.storage.storageSizeGB", s),
        "high_availability": search("properties.highAvailability.mode", s),
    }


STORAGE_ACCOUNT = ResourceSpec(
    native_type="azure.storage.storage_account",
    category=Category.STORAGE_ACCOUNT,
    client="storage",
    operation="storage_accounts.list",
    details=lambda a: {
        "kind": a.get("kind"),
        "sku": search("sku.name", a),
        "access_tier": search("properties.accessTier", a),
        "https_only": search("properties.supportsHttpsTrafficOnly", a),
        "public_blob_access": search("properties.allowBlobPublicAccess", a),
        "minimum_tls": search("properties.minimumTlsVersion", a),
    },
)

SQL_SERVER = ResourceSpec(
    native_type="azure.sql.server",
    category=Category.DATABASE_SERVER,
    client="sql",
    operation="servers.list",
    state=state_at("properties.state"),
    details=lambda s: {
        "engine": "sqlserver",
        "engine_version": search("properties.version", s),
        "fqdn": search("properties.fullyQualifiedDomainName", s),
        "public_network_access": search("properties.publicNetworkAccess", s),
    },
)

SQL_DATABASE = ResourceSpec(
    native_type="azure.sql.database",
    category=Category.DATABASE,
    client="sql",
    operation="servers.list",
    children=ChildListing("databases.list_by_server"),
    keep=_user_database,
    state=state_at("properties.status"),
    details=lambda d: {
        "engine": "sqlserver",
        "sku": search("sku.name", d),
        "tier": search("sku.tier", d),
        "allocated_storage_gb": gib(search("properties.maxSizeBytes", d)),
    },
    relations=parent_relation("hosted_on"),
)

POSTGRESQL_SERVER = ResourceSpec(
    native_type="azure.postgresql.flexible_server",
    category=Category.DATABASE,
    client="postgresql",
    operation="servers.list_by_subscription",
    state=state_at("properties.state"),
    details=_flexible_details("postgresql"),
    relations=lambda s: rels("in_subnet", "properties.network.delegatedSubnetResourceId", s),
)

MYSQL_SERVER = ResourceSpec(
    native_type="azure.mysql.flexible_server",
    category=Category.DATABASE,
    client="mysql",
    operation="servers.list",
    state=state_at("properties.state"),
    details=_flexible_details("mysql"),
    relations=lambda s: rels("in_subnet", "properties.network.delegatedSubnetResourceId", s),
)

REDIS_CACHE = ResourceSpec(
    native_type="azure.cache.redis",
    category=Category.CACHE,
    client="redis",
    operation="redis.list_by_subscription",
    details=lambda c: {
        "engine": "redis",
        "engine_version": search("properties.redisVersion", c),
        "sku": search("properties.sku.name", c),
        "capacity": search("properties.sku.capacity", c),
        "host": search("properties.hostName", c),
    },
    relations=lambda c: rels("in_subnet", "properties.subnetId", c),
)
