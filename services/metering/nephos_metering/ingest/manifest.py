"""Finding and reading a CUR delivery's manifest.

A manifest is what makes a delivery one unit: it lists every data file of the
billing period. CUR 2.0 (data exports) writes
``<prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`` with
``dataFiles`` as ``s3://`` URIs; legacy CUR writes
``<prefix>/<report>/YYYYMMDD-YYYYMMDD/<report>-Manifest.json`` with ``reportKeys``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from nephos_common.errors import InvalidInput

CurFormat = Literal["cur2", "legacy"]
FileKind = Literal["csv_gzip", "parquet"]


@dataclass(frozen=True)
class BillingPeriod:
    start: datetime
    end: datetime

    @classmethod
    def of_month(cls, month: str) -> BillingPeriod:
        """``YYYY-MM`` as [first of month, first of next month) in UTC."""
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
        end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        return cls(start, end)


@dataclass(frozen=True)
class Manifest:
    key: str
    etag: str
    period: BillingPeriod
    data_keys: tuple[str, ...]

    def fingerprint(self, etags: list[str]) -> str:
        """Same manifest and same data files (by ETag): the same delivery."""
        parts = [self.key, self.etag, *(f"{k}={e}" for k, e in zip(self.data_keys, etags,
                                                                      strict=True))]  # fmt: skip
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def manifest_key(fmt: CurFormat, prefix: str, export: str, period: BillingPeriod) -> str:
    base = f"{prefix.strip('/')}/{export}" if prefix.strip("/") else export
    if fmt == "cur2":
        return f"{base}/metadata/BILLING_PERIOD={period.start:%Y-%m}/{export}-Manifest.json"
    return f"{base}/{period.start:%Y%m%d}-{period.end:%Y%m%d}/{export}-Manifest.json"


def file_kind(key: str) -> FileKind:
    if key.endswith(".gz"):
        return "csv_gzip"
    if key.endswith(".parquet"):
        return "parquet"
    raise InvalidInput(f"{key} is neither gzip CSV nor Parquet", code="unsupported_file", file=key)


def _data_keys(document: dict[str, Any], bucket: str) -> tuple[str, ...]:
    entries = document.get("dataFiles", document.get("reportKeys"))
    if not isinstance(entries, list) or not entries:
        raise InvalidInput("the manifest lists no data files", code="invalid_manifest")
    keys = []
    for entry in entries:
        text = str(entry)
        if text.startswith("s3://"):
            entry_bucket, _, text = text.removeprefix("s3://").partition("/")
            if entry_bucket != bucket:
                raise InvalidInput(f"data file {entry} is in another bucket",
                                   code="invalid_manifest")  # fmt: skip
        file_kind(text)
        keys.append(text)
    return tuple(keys)


def _parse_time(text: str) -> datetime:
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y%m%dT%H%M%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text.replace("Z", "+0000"), pattern).astimezone(UTC)
        except ValueError:
            continue
    raise InvalidInput(f"billing period {text!r} is not a timestamp", code="invalid_manifest")


def parse_manifest(document: Any, key: str, etag: str, bucket: str,
                   period: BillingPeriod) -> Manifest:  # fmt: skip
    """Check the manifest describes the period asked for and list its files."""
    if not isinstance(document, dict):
        raise InvalidInput("the manifest is not a JSON object", code="invalid_manifest")
    stated = document.get("billingPeriod")
    start = stated.get("start") if isinstance(stated, dict) else None
    if start is not None and _parse_time(str(start)) != period.start:
        raise InvalidInput("the manifest is for another billing period",
                               code="invalid_manifest", stated=stated)  # fmt: skip
    return Manifest(key=key, etag=etag, period=period, data_keys=_data_keys(document, bucket))
