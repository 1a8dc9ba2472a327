"""The billing file formats an upload may be: how each is read and mapped to FOCUS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from nephos_metering.ingest import azure, cur, focus
from nephos_metering.ingest.readers import Rename

UploadFormat = Literal["focus", "azure_actual", "azure_amortized", "cur2"]
Mapper = Callable[[Mapping[str, Any], cur.Stamp], tuple[Any, ...]]


@dataclass(frozen=True)
class FileFormat:
    """Which columns a file must have, how its headers are named, how a row maps."""

    name: UploadFormat
    required: frozenset[str]
    to_focus: Mapper
    rename: Rename | None = None


FORMATS: dict[UploadFormat, FileFormat] = {
    "focus": FileFormat("focus", focus.REQUIRED_COLUMNS, focus.to_focus),
    "azure_actual": FileFormat(
        "azure_actual", azure.REQUIRED_COLUMNS, partial(azure.to_focus, amortized=False),
        azure.column_name,
    ),
    "azure_amortized": FileFormat(
        "azure_amortized", azure.REQUIRED_COLUMNS, partial(azure.to_focus, amortized=True),
        azure.column_name,
    ),
    "cur2": FileFormat("cur2", cur.REQUIRED_COLUMNS, cur.to_focus),
}  # fmt: skip
