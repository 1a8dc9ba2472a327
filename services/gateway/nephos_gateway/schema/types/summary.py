"""The asset dashboard: servers, databases, product counts, storage and network per vendor."""

from __future__ import annotations

import strawberry

from nephos_gateway.clients import asset_models as m


@strawberry.type
class StateCounts:
    total: int
    running: int
    stopped: int
    other: int

    @classmethod
    def of(cls, c: m.StateCounts) -> StateCounts:
        return cls(total=c.total, running=c.running, stopped=c.stopped, other=c.other)


@strawberry.type(description="Servers by state, split into on-demand and auto-scaling.")
class ServerSummary(StateCounts):
    on_demand: StateCounts
    auto_scaling: StateCounts


@strawberry.type(description="Databases by state, with their allocated storage.")
class DatabaseSummary(StateCounts):
    storage_gb: float


@strawberry.type
class SizedCount:
    count: int
    gb: float


@strawberry.type
class DiskCount:
    count: int
    tb: float


@strawberry.type
class NetworkSummary:
    private_networks: int
    public_ips: int
    load_balancers: int


@strawberry.type(description="One vendor's row of the dashboard tables.")
class VendorSummary:
    provider: str
    servers: StateCounts
    databases: SizedCount
    storage: SizedCount
    disks: DiskCount
    network: NetworkSummary

    @classmethod
    def of(cls, v: m.VendorSummary) -> VendorSummary:
        return cls(
            provider=v.provider,
            servers=StateCounts.of(v.servers),
            databases=SizedCount(count=v.databases.count, gb=v.databases.gb),
            storage=SizedCount(count=v.storage.count, gb=v.storage.gb),
            disks=DiskCount(count=v.disks.count, tb=v.disks.tb),
            network=NetworkSummary(
                private_networks=v.network.private_networks,
                public_ips=v.network.public_ips,
                load_balancers=v.network.load_balancers,
            ),
        )


@strawberry.type(description="How many resources of one native type (a 'cloud product').")
class ProductCount:
    native_type: str
    count: int


@strawberry.type(description="The asset dashboard of the company, or of one provider or account.")
class AssetSummary:
    servers: ServerSummary
    databases: DatabaseSummary
    products: list[ProductCount]
    products_total: int
    vendors: list[VendorSummary]

    @classmethod
    def of(cls, s: m.Summary) -> AssetSummary:
        servers, dbs = s.servers, s.databases
        return cls(
            servers=ServerSummary(
                total=servers.total,
                running=servers.running,
                stopped=servers.stopped,
                other=servers.other,
                on_demand=StateCounts.of(servers.on_demand),
                auto_scaling=StateCounts.of(servers.auto_scaling),
            ),
            databases=DatabaseSummary(
                total=dbs.total,
                running=dbs.running,
                stopped=dbs.stopped,
                other=dbs.other,
                storage_gb=dbs.storage_gb,
            ),
            products=[ProductCount(native_type=p.native_type, count=p.count) for p in s.products],
            products_total=s.products_total,
            vendors=[VendorSummary.of(v) for v in s.vendors],
        )
