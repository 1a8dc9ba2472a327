"""Imports every ORM module so that the metadata is complete (migrations, tests)."""

from __future__ import annotations


def load_all() -> None:
    from nephos_metering.costs import models as _costs  # noqa: F401
    from nephos_metering.ingest import models as _ingest  # noqa: F401
