"""ARM JSON shapes of the storage, database and cache resources of the estate."""

from __future__ import annotations

from nephos_devstack.arm_server.shapes import SUCCEEDED, Shapes
from nephos_devstack.arm_server.store import Item

GIB = 1024**3
# Some providers (Redis among them) answer their location's display name, not its name.
DISPLAY_NAMES = {"westeurope": "West Europe", "eastus": "East US", "northeurope": "North Europe"}


def storage_account(s: Shapes, group: str, name: str, loc: str) -> Item:
    endpoints = {kind: f"https://{name}.{kind}.core.windows.net/" for kind in ("blob", "file")}
    props = {
        **SUCCEEDED,
        "primaryLocation": loc,
        "statusOfPrimary": "available",
        "accessTier": "Hot",
        "supportsHttpsTrafficOnly": True,
        "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False,
        "primaryEndpoints": endpoints,
    }
    sku = {"name": "Standard_LRS", "tier": "Standard"}
    return s.resource(
        group, "Microsoft.Storage/storageAccounts", name, loc, props, kind="StorageV2", sku=sku
    )


def sql_server(s: Shapes, group: str, name: str, loc: str) -> Item:
    props = {
        "state": "Ready",
        "version": "12.0",
        "administratorLogin": "sqladmin",
        "fullyQualifiedDomainName": f"{name}.database.windows.net",
        "publicNetworkAccess": "Disabled",
    }
    return s.resource(group, "Microsoft.Sql/servers", name, loc, props, kind="v12.0")


def sql_database(server: Item, name: str, max_gb: int, status: str = "Online") -> Item:
    """A database of ``server``; ``master`` is the system database ARM lists too."""
    system = name == "master"
    sku = {"name": "System", "tier": "System"} if system else {"name": "S0", "tier": "Standard"}
    return {
        "id": f"{server['id']}/databases/{name}",
        "name": name,
        "type": "Microsoft.Sql/servers/databases",
        "location": server["location"],
        "kind": "v12.0,system" if system else "v12.0,user",
        "managedBy": server["id"] if system else None,
        "tags": {} if system else {"env": "demo"},
        "sku": sku,
        "properties": {
            "status": status,
            "maxSizeBytes": max_gb * GIB,
            "collation": "SQL_Latin1_General_CP1_CI_AS",
            "currentServiceObjectiveName": sku["name"],
            "zoneRedundant": False,
        },
    }


def flexible_server(
    s: Shapes,
    engine: str,
    group: str,
    name: str,
    loc: str,
    storage_gb: int,
    state: str,
    subnet: str | None = None,
) -> Item:
    """A PostgreSQL or MySQL flexible server (``engine``: ``postgresql`` or ``mysql``)."""
    namespace = "Microsoft.DBforPostgreSQL" if engine == "postgresql" else "Microsoft.DBforMySQL"
    version = "16" if engine == "postgresql" else "8.0.21"
    props = {
        "state": state,
        "version": version,
        "administratorLogin": "dbadmin",
        "fullyQualifiedDomainName": f"{name}.{engine}.database.azure.com",
        "storage": {"storageSizeGB": storage_gb, "autoGrow": "Disabled"},
        "backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"},
        "highAvailability": {"mode": "Disabled"},
        "network": {"publicNetworkAccess": "Disabled", "delegatedSubnetResourceId": subnet},
    }
    sku = {"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"}
    return s.resource(group, f"{namespace}/flexibleServers", name, loc, props, sku=sku)


def redis_cache(s: Shapes, group: str, name: str, loc: str, subnet: str | None) -> Item:
    props = {
        **SUCCEEDED,
        "redisVersion": "6.0",
        "sku": {"name": "Premium", "family": "P", "capacity": 1},
        "enableNonSslPort": False,
        "minimumTlsVersion": "1.2",
        "hostName": f"{name}.redis.cache.windows.net",
        "port": 6379,
        "sslPort": 6380,
        "subnetId": subnet,
    }
    cache = s.resource(group, "Microsoft.Cache/redis", name, loc, props)
    return {**cache, "location": DISPLAY_NAMES.get(loc, loc)}
