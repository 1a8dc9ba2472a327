"""Which files of an Azure cost export make up one billing period's delivery.

A scheduled Cost Management export writes each run of a billing period under
``<directory>/<export name>/<YYYYMMDD-YYYYMMDD>/`` (first and last day of the
period), either as

- a folder per run (``<run id>/``) holding ``part_*.csv[.gz]`` or Parquet
  files and a manifest (``manifest.json``, or ``_manifest.json`` in older
  partitioned exports) that lists them under ``blobs[].blobName``; the
  manifest is written last, so a folder without one, or whose manifest names
  a file not yet there, is a run still being written; or
- a single file per run directly in the period's folder (older exports).

Every run restates the whole period, so only the newest complete run counts;
it is found by the newest write among its files.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from nephos_common.errors import InvalidInput, NotFound
from nephos_metering.ingest.blob import BlobEntry, BlobReader
from nephos_metering.ingest.manifest import BillingPeriod

CostType = Literal["actual", "amortized"]
MANIFESTS = ("manifest.json", "_manifest.json")
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
EXPORT_TYPE = {"actual": "ActualCost", "amortized": "AmortizedCost"}


@dataclass(frozen=True)
class ExportRun:
    folder: str
    manifest: BlobEntry | None
    files: tuple[BlobEntry, ...]
    expected_rows: int | None
    """The manifest's ``dataRowCount`` when it states one for every file."""

    def fingerprint(self, account_id: uuid.UUID, container_url: str, cost_type: CostType) -> str:
        """Same files with the same ETags, for the same account and cost type: the same delivery."""
        entries = [self.manifest, *self.files] if self.manifest else list(self.files)
        parts = ["azure_export", str(account_id), container_url, cost_type,
                 *(f"{e.name}={e.etag}" for e in entries)]  # fmt: skip
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def period_folder(directory: str, export_name: str, period: BillingPeriod) -> str:
    base = "/".join(p for p in (directory.strip("/"), export_name) if p)
    last = period.end - timedelta(days=1)
    return f"{base}/{period.start:%Y%m%d}-{last:%Y%m%d}/"


def is_data_file(name: str) -> bool:
    return name.lower().endswith(DATA_SUFFIXES)


def _candidates(entries: list[BlobEntry], folder: str) -> list[tuple[str, list[BlobEntry]]]:
    """Each run's folder (or single file) and its blobs, newest write first."""
    runs: dict[str, list[BlobEntry]] = defaultdict(list)
    for entry in entries:
        rest = entry.name[len(folder) :]
        if "/" in rest:
            runs[folder + rest.split("/", 1)[0]].append(entry)
        elif is_data_file(rest):
            runs[entry.name].append(entry)
    newest = sorted(runs.items(), key=lambda run: (max(e.last_modified for e in run[1]), run[0]))
    return newest[::-1]


def _listed_names(document: Any, manifest: str) -> list[tuple[str, int | None]]:
    blobs = document.get("blobs") if isinstance(document, dict) else None
    if not isinstance(blobs, list) or not blobs:
        raise InvalidInput(f"{manifest} lists no blobs", code="invalid_manifest", file=manifest)
    listed = []
    for blob in blobs:
        name = blob.get("blobName") if isinstance(blob, dict) else None
        if not isinstance(name, str) or not name:
            raise InvalidInput(f"{manifest} has a blob without blobName", code="invalid_manifest",
                               file=manifest)  # fmt: skip
        rows = blob.get("dataRowCount")
        listed.append((name.lstrip("/"), rows if isinstance(rows, int) else None))
    return listed


def _check_type(document: dict[str, Any], manifest: str, cost_type: CostType) -> None:
    """An amortized source reading an actual-cost export would state every cost wrongly."""
    stated = (document.get("exportConfig") or {}).get("type")
    if stated is not None and str(stated).lower() != EXPORT_TYPE[cost_type].lower():
        raise InvalidInput(f"{manifest} is a {stated} export, the source expects "
                           f"{EXPORT_TYPE[cost_type]}", code="export_type_mismatch",
                           file=manifest)  # fmt: skip


async def _manifest_run(
    reader: BlobReader, folder: str, blobs: list[BlobEntry], manifest: BlobEntry,
    cost_type: CostType,
) -> ExportRun | None:  # fmt: skip
    """The run its manifest describes, or None while a listed file is still missing."""
    document = await reader.json(manifest.name)
    listed = _listed_names(document, manifest.name)
    _check_type(document, manifest.name, cost_type)
    by_name = {b.name: b for b in blobs}
    files = []
    for name, _ in listed:
        entry = by_name.get(name) or by_name.get(f"{folder}/{name.rsplit('/', 1)[-1]}")
        if entry is None:
            return None
        if not is_data_file(entry.name):
            raise InvalidInput(f"{entry.name} is neither CSV nor Parquet",
                               code="unsupported_file", file=entry.name)  # fmt: skip
        files.append(entry)
    counts = [rows for _, rows in listed]
    expected = None if None in counts else sum(c for c in counts if c is not None)
    return ExportRun(folder, manifest, tuple(files), expected)


async def newest_complete_run(reader: BlobReader, folder: str, cost_type: CostType) -> ExportRun:
    """The newest complete run in the period's folder (see module doc)."""
    for run_folder, blobs in _candidates(await reader.list(folder), folder):
        if blobs[0].name == run_folder:
            return ExportRun(run_folder, None, (blobs[0],), None)
        manifest = next((b for b in blobs if b.name.rsplit("/", 1)[-1] in MANIFESTS), None)
        if manifest is None:
            continue
        run = await _manifest_run(reader, run_folder, blobs, manifest, cost_type)
        if run is not None:
            return run
    raise NotFound(f"no complete run of the export under {folder}", code="export_not_found",
                   folder=folder)  # fmt: skip
