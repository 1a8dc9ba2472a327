"""What makes a resource a savings candidate, as pure functions of the projection,
utilisation days and settings; the thresholds are settings, never constants here.

Monthly savings are estimated from the resource's own effective cost over the
last 30 days of the bill (what it really cost after discounts):
all of it for what can go (idle server, unattached volume, old snapshot, unused
address), half of it for a server one size too big (one size down halves the
price within AWS and Azure families), and the commitment discount rate on the
steady part of on-demand compute for commitment coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from nephos_metering.allocation.models import AllocationAsset
from nephos_metering.recommendations.models import Kind, UtilisationDay

ONE_SIZE_DOWN = Decimal("0.5")
SNAPSHOT_TYPES = frozenset({"aws.ec2.snapshot", "azure.compute.snapshot"})
VOLUME_TYPES = frozenset({"aws.ec2.volume", "azure.compute.disk"})
ADDRESS_TYPES = frozenset({"aws.ec2.elastic_ip", "azure.network.public_ip_address"})
SNAPSHOT_TIME_FIELDS = ("start_time", "time_created", "created_at")


@dataclass(frozen=True)
class Thresholds:
    idle_cpu_percent: float
    idle_network_bytes_per_day: float
    oversized_cpu_percent: float
    min_days: int
    snapshot_max_age_days: int
    commitment_min_coverage: Decimal
    commitment_discount_percent: Decimal


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    reason: str
    share: Decimal
    """Part of the resource's monthly cost that the advice saves."""
    details: dict[str, Any]


def cents(amount: Decimal) -> Decimal:
    """Savings are estimates: shown to the cent, rounded half-up."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def server(days: Sequence[UtilisationDay], limits: Thresholds) -> Verdict | None:
    """Idle or oversized, judged on the busiest day's p95 CPU of the window."""
    measured = [d for d in days if d.cpu_p95 is not None]
    if len(measured) < limits.min_days:
        return None
    peak = max(d.cpu_p95 or 0.0 for d in measured)
    network = max((d.network_in_bytes or 0.0) + (d.network_out_bytes or 0.0) for d in measured)
    details = {"days": len(measured), "peak_cpu_p95": peak, "peak_network_bytes": network}
    if peak < limits.idle_cpu_percent and network < limits.idle_network_bytes_per_day:
        reason = (f"CPU p95 never above {peak:.1f} % and at most {network:.0f} bytes of "
                  f"network a day over {len(measured)} days: the server is idle")  # fmt: skip
        return Verdict(Kind.IDLE_SERVER, reason, Decimal(1), details)
    if peak < limits.oversized_cpu_percent:
        reason = (f"CPU p95 never above {peak:.1f} % over {len(measured)} days: one size "
                  "smaller would carry the load")  # fmt: skip
        return Verdict(Kind.OVERSIZED_SERVER, reason, ONE_SIZE_DOWN, details)
    return None


def unattached_volume(asset: AllocationAsset) -> Verdict | None:
    spec = asset.spec
    if asset.native_type not in VOLUME_TYPES or spec.get("attached") is not False:
        return None
    if asset.provider == "azure" and spec.get("disk_state") not in (None, "Unattached"):
        return None  # reserved or being attached: not free to delete
    reason = "the volume is attached to no server, yet billed for its size"
    return Verdict(Kind.UNATTACHED_VOLUME, reason, Decimal(1), {"size_gb": spec.get("size_gb")})


def _created(asset: AllocationAsset) -> datetime:
    """The provider's creation time when the spec carries it, else the first sighting
    (a lower bound of the age: the snapshot is at least that old)."""
    for field in SNAPSHOT_TIME_FIELDS:
        value = asset.spec.get(field)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                continue
    return asset.first_seen_at


def old_snapshot(asset: AllocationAsset, as_of: date, limits: Thresholds) -> Verdict | None:
    if asset.native_type not in SNAPSHOT_TYPES:
        return None
    age = (as_of - _created(asset).date()).days
    if age <= limits.snapshot_max_age_days:
        return None
    reason = f"the snapshot is at least {age} days old (limit {limits.snapshot_max_age_days})"
    return Verdict(Kind.OLD_SNAPSHOT, reason, Decimal(1), {"age_days": age})


def unused_address(asset: AllocationAsset) -> Verdict | None:
    if asset.native_type not in ADDRESS_TYPES or asset.spec.get("associated") is not False:
        return None
    reason = "the public IP address is associated with nothing, yet billed by the hour"
    return Verdict(Kind.UNUSED_PUBLIC_IP, reason, Decimal(1),
                   {"public_ip": asset.spec.get("public_ip")})  # fmt: skip


def asset_verdict(
    asset: AllocationAsset, days: Sequence[UtilisationDay], as_of: date, limits: Thresholds
) -> Verdict | None:
    if asset.category == "server":
        return server(days, limits) if asset.state == "running" else None
    return unattached_volume(asset) or old_snapshot(asset, as_of, limits) or unused_address(asset)


@dataclass(frozen=True)
class ComputeSpend:
    """One billing account's compute usage in one currency over the window."""

    billing_account_id: str
    currency: str
    on_demand: Decimal
    covered: Decimal
    on_demand_floor: Decimal
    """The least on-demand spend of any day of the window: the steady baseline."""
    days: int


def commitment(
    spend: ComputeSpend, limits: Thresholds
) -> tuple[Decimal, str, dict[str, Any]] | None:
    """Monthly saving of committing the steady baseline, when coverage is too low."""
    total = spend.on_demand + spend.covered
    if total <= 0 or spend.days < limits.min_days or spend.on_demand_floor <= 0:
        return None
    coverage = spend.covered / total
    if coverage >= limits.commitment_min_coverage:
        return None
    saving = spend.on_demand_floor * 30 * limits.commitment_discount_percent / 100
    reason = (f"commitment discounts cover {coverage:.0%} of compute usage; a savings plan "
              f"or reservation for the steady {spend.on_demand_floor:.2f} {spend.currency} a "
              "day of on-demand compute would be billed at the discounted rate")  # fmt: skip
    details = {"coverage": str(coverage.quantize(Decimal("0.0001"))),
               "on_demand": str(spend.on_demand), "covered": str(spend.covered),
               "daily_on_demand_floor": str(spend.on_demand_floor),
               "discount_percent": str(limits.commitment_discount_percent)}  # fmt: skip
    return cents(saving), reason, details
