"""Every Azure resource type the collector discovers, one short spec each.

``native_type`` strings are ``azure.<service>.<resource>``. Each type is one
unit per subscription (region ``global``); assets carry their own location.
"""

from __future__ import annotations

from nephos_asset.collectors.azure import specs_compute as compute
from nephos_asset.collectors.azure import specs_data as data
from nephos_asset.collectors.azure import specs_network as network
from nephos_asset.collectors.azure.spec import ResourceSpec

SPECS: tuple[ResourceSpec, ...] = (
    compute.VIRTUAL_MACHINE,
    compute.SCALE_SET,
    compute.SCALE_SET_VM,
    compute.DISK,
    compute.SNAPSHOT,
    compute.IMAGE,
    network.VIRTUAL_NETWORK,
    network.SUBNET,
    network.NETWORK_INTERFACE,
    network.PUBLIC_IP,
    network.SECURITY_GROUP,
    network.LOAD_BALANCER,
    network.APPLICATION_GATEWAY,
    data.STORAGE_ACCOUNT,
    data.SQL_SERVER,
    data.SQL_DATABASE,
    data.POSTGRESQL_SERVER,
    data.MYSQL_SERVER,
    data.REDIS_CACHE,
)
SPECS_BY_TYPE: dict[str, ResourceSpec] = {s.native_type: s for s in SPECS}
