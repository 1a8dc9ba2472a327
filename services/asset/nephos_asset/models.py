"""Imports every ORM module so that the metadata is complete (migrations, tests)."""

from __future__ import annotations


def load_all() -> None:
    from nephos_asset.accounts import models as _accounts  # noqa: F401
    from nephos_asset.discovery import models as _discovery  # noqa: F401
    from nephos_asset.groups import models as _groups  # noqa: F401
    from nephos_asset.inventory import models as _inventory  # noqa: F401
