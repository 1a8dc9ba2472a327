"""A small, realistic Azure estate seeded into the stand-in, and what it should contain.

Per location and unit of ``scale``: five VMs (three running, one
deallocated, one stopped) each with a NIC and an OS disk, data disks on the
running ones, spare disks, snapshots, storage accounts, SQL databases and
spare public IPs; once per location: a VNet with four subnets, two NSGs, an
image, a scale set of ``2 * scale`` instances, a load balancer, an
application gateway, a SQL server, PostgreSQL and MySQL flexible servers and
a Redis cache. 28 resources per location per unit of scale plus 18, so
``scale=90`` over two locations gives over 5,000 resources.

The manifest's counts are accounted as resources are created. ARM also lists
each SQL server's ``master`` database; it is seeded but not counted, because
discovery leaves system databases out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from nephos_devstack.arm_server import shapes_data as data
from nephos_devstack.arm_server import types as t
from nephos_devstack.arm_server.shapes_compute import ComputeShapes
from nephos_devstack.arm_server.shapes_network import NetworkShapes
from nephos_devstack.arm_server.store import ArmServer, Item


class Shapes(NetworkShapes, ComputeShapes):
    """Every builder the estate uses."""


@dataclass
class LocationEstate:
    """Ids (as created, mixed case) of what was seeded in one location."""

    location: str
    vnet_id: str = ""
    subnet_ids: dict[str, str] = field(default_factory=dict)
    nsg_ids: dict[str, str] = field(default_factory=dict)
    vm_power: dict[str, str] = field(default_factory=dict)
    vm_disks: dict[str, list[str]] = field(default_factory=dict)
    vm_nics: dict[str, str] = field(default_factory=dict)
    unattached_disk_ids: list[str] = field(default_factory=list)
    scale_set_id: str = ""
    scale_set_vm_ids: list[str] = field(default_factory=list)
    sql_server_id: str = ""
    sql_database_ids: list[str] = field(default_factory=list)


@dataclass
class AzureEstateManifest:
    """Expected asset counts per (location, native_type), and the seeded ids."""

    subscription_id: str
    locations: tuple[str, ...]
    expected: Counter[tuple[str, str]] = field(default_factory=Counter)
    estates: dict[str, LocationEstate] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many assets a full discovery should find."""
        return sum(self.expected.values())


@dataclass
class _Seeder:
    server: ArmServer
    shapes: Shapes
    loc: str
    index: int
    scale: int
    expected: Counter[tuple[str, str]]
    estate: LocationEstate
    nsgs: dict[str, Item] = field(default_factory=dict)
    data_disks: list[Item] = field(default_factory=list)

    def add(self, item: Item, native_type: str | None) -> Item:
        """Store ``item``; count it as ``native_type`` (in this location) unless None."""
        self.server.add(item)
        if native_type:
            self.expected[(self.loc, native_type)] += 1
        return item

    def group(self, tier: str) -> str:
        return f"rg-{self.loc}-{tier}"


def _seed_network(s: _Seeder) -> None:
    net = s.group("network")
    web = s.shapes.nsg(
        net,
        f"nsg-{s.loc}-web",
        s.loc,
        [
            ("allow-http", 100, "80", "Internet"),
            ("allow-https", 110, "443", "Internet"),
        ],
    )
    db = s.shapes.nsg(
        net,
        f"nsg-{s.loc}-data",
        s.loc,
        [
            ("allow-postgres", 100, "5432", "VirtualNetwork"),
        ],
    )
    s.nsgs = {"web": web, "data": db}
    s.estate.nsg_ids = {"web": web["id"], "data": db["id"]}
    octet = 10 + s.index
    subnets = [
        {"name": "web", "prefix": f"10.{octet}.0.0/20", "nsg": web["id"]},
        {"name": "app", "prefix": f"10.{octet}.16.0/20"},
        {"name": "data", "prefix": f"10.{octet}.32.0/20", "nsg": db["id"]},
        {"name": "appgw", "prefix": f"10.{octet}.48.0/24"},
    ]
    vnet = s.shapes.vnet(net, f"vnet-{s.loc}", s.loc, f"10.{octet}.0.0/16", subnets)
    s.add(vnet, t.VIRTUAL_NETWORK)
    s.expected[(s.loc, t.SUBNET)] += len(subnets)
    s.estate.vnet_id = vnet["id"]
    s.estate.subnet_ids = {sub["name"]: sub["id"] for sub in vnet["properties"]["subnets"]}
    web["properties"]["subnets"] = [{"id": s.estate.subnet_ids["web"]}]
    db["properties"]["subnets"] = [{"id": s.estate.subnet_ids["data"]}]
    s.add(web, t.SECURITY_GROUP)
    s.add(db, t.SECURITY_GROUP)


def _public_ip(s: _Seeder, name: str, n: int, bound_to: str | None) -> Item:
    address = f"20.{s.index}.{n // 250}.{n % 250 + 1}"
    item = s.shapes.public_ip(s.group("network"), name, s.loc, address, bound_to)
    return s.add(item, t.PUBLIC_IP)


def _seed_vm(s: _Seeder, n: int, role: str, power: str) -> Item:
    app, name = s.group("app"), f"{role}-{s.loc}-{n:03d}"
    vm_id = s.shapes.rid(app, "Microsoft.Compute/virtualMachines", name)
    os_disk = s.add(s.shapes.disk(app, f"{name}_OsDisk_1", s.loc, 30, vm_id), t.DISK)
    disks = [os_disk]
    if power == "running":
        disks.append(s.add(s.shapes.disk(app, f"{name}_data_0", s.loc, 64, vm_id), t.DISK))
        s.data_disks.append(disks[-1])
    nic_id = s.shapes.rid(app, "Microsoft.Network/networkInterfaces", f"nic-{name}")
    public = None
    if n == 0:
        public = _public_ip(s, f"pip-{name}", n, f"{nic_id}/ipConfigurations/ipconfig1")["id"]
    subnet, web_nsg = s.estate.subnet_ids["app"], s.nsgs["web"]
    address = f"10.{10 + s.index}.{16 + n // 250}.{n % 250 + 4}"
    nic = s.shapes.nic(app, f"nic-{name}", s.loc, subnet, address, web_nsg["id"], vm_id, public)
    s.add(nic, t.NETWORK_INTERFACE)
    web_nsg["properties"]["networkInterfaces"].append({"id": nic["id"]})
    vm = s.shapes.vm(app, name, s.loc, "Standard_D2s_v5", nic["id"], disks[0], disks[1:], power)
    s.add(vm, t.VIRTUAL_MACHINE)
    s.estate.vm_power[vm["id"]] = power
    s.estate.vm_disks[vm["id"]] = [d["id"] for d in disks]
    s.estate.vm_nics[vm["id"]] = nic["id"]
    return vm


def _seed_compute(s: _Seeder) -> None:
    plan = [("web", "running")] * 3 + [("batch", "deallocated"), ("job", "stopped")]
    vms = [_seed_vm(s, n, role, power) for n, (role, power) in enumerate(plan * s.scale)]
    app = s.group("app")
    for i in range(s.scale):
        spare = s.add(s.shapes.disk(app, f"spare-{s.loc}-{i:03d}", s.loc, 128, None), t.DISK)
        s.estate.unattached_disk_ids.append(spare["id"])
    for i, disk in enumerate(s.data_disks[: s.scale]):
        s.add(s.shapes.snapshot(app, f"snap-{disk['name']}-{i}", s.loc, disk), t.SNAPSHOT)
    s.add(s.shapes.image(app, f"img-web-{s.loc}", s.loc, vms[0]), t.IMAGE)
    _seed_scale_set(s)


def _seed_scale_set(s: _Seeder) -> None:
    app, size = s.group("app"), 2 * s.scale
    vmss = s.shapes.scale_set(app, f"vmss-{s.loc}-workers", s.loc, size, s.estate.subnet_ids["app"])
    s.add(vmss, t.SCALE_SET)
    s.estate.scale_set_id = vmss["id"]
    for i in range(size):
        member_id = f"{vmss['id']}/virtualMachines/{i}"
        disk = s.shapes.disk(app, f"{vmss['name']}_{i}_OsDisk_1", s.loc, 30, member_id)
        s.add(disk, t.DISK)
        s.add(s.shapes.scale_set_vm(vmss, i, disk), t.SCALE_SET_VM)
        s.estate.scale_set_vm_ids.append(member_id)


def _seed_edge(s: _Seeder) -> None:
    net = s.group("network")
    lb_ip = _public_ip(s, f"pip-lb-{s.loc}", 250, None)
    lb = s.add(s.shapes.load_balancer(net, f"lb-{s.loc}", s.loc, lb_ip["id"]), t.LOAD_BALANCER)
    lb_ip["properties"]["ipConfiguration"] = {
        "id": lb["properties"]["frontendIPConfigurations"][0]["id"]
    }
    gw_ip = _public_ip(s, f"pip-agw-{s.loc}", 251, None)
    gateway = s.shapes.app_gateway(
        net, f"agw-{s.loc}", s.loc, s.estate.subnet_ids["appgw"], gw_ip["id"]
    )
    s.add(gateway, t.APPLICATION_GATEWAY)
    gw_ip["properties"]["ipConfiguration"] = {
        "id": gateway["properties"]["frontendIPConfigurations"][0]["id"]
    }
    for i in range(s.scale):
        _public_ip(s, f"pip-spare-{s.loc}-{i:03d}", 252 + i, None)


def _seed_data(s: _Seeder) -> None:
    group, sh = s.group("data"), s.shapes
    for i in range(s.scale):
        s.add(
            data.storage_account(sh, group, f"stnephos{s.index}{i:04d}", s.loc), t.STORAGE_ACCOUNT
        )
    server = s.add(data.sql_server(sh, group, f"sql-{s.loc}-nephos", s.loc), t.SQL_SERVER)
    s.estate.sql_server_id = server["id"]
    s.add(data.sql_database(server, "master", 2), None)
    for i in range(2 * s.scale):
        status = "Paused" if i == 1 else "Online"
        database = s.add(data.sql_database(server, f"app-{i:03d}", 32, status), t.SQL_DATABASE)
        s.estate.sql_database_ids.append(database["id"])
    subnet = s.estate.subnet_ids["data"]
    postgres = data.flexible_server(
        sh, "postgresql", group, f"psql-{s.loc}", s.loc, 128, "Ready", subnet
    )
    s.add(postgres, t.POSTGRESQL_SERVER)
    mysql = data.flexible_server(sh, "mysql", group, f"mysql-{s.loc}", s.loc, 32, "Stopped")
    s.add(mysql, t.MYSQL_SERVER)
    cache = data.redis_cache(sh, group, f"redis-{s.loc}", s.loc, subnet)
    s.add(cache, t.REDIS_CACHE)


_STEPS = (_seed_network, _seed_compute, _seed_edge, _seed_data)


def seed_azure_estate(
    server: ArmServer, locations: Iterable[str] = ("westeurope", "eastus"), scale: int = 1
) -> AzureEstateManifest:
    """Seed every location into ``server`` and return what a full discovery should find."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    sub = server.config.subscription_id
    manifest = AzureEstateManifest(subscription_id=sub, locations=tuple(locations))
    for index, loc in enumerate(manifest.locations):
        seeder = _Seeder(
            server, Shapes(sub), loc, index, scale, manifest.expected, LocationEstate(loc)
        )
        for step in _STEPS:
            step(seeder)
        manifest.estates[loc] = seeder.estate
    return manifest
