"""Loading an earlier revision from its file, for a revision that extends its SQL.

Revision files are not importable by name (they start with digits), and a
revision that rebuilds a function an earlier one wrote composes it from that
revision's pieces rather than copying them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

_VERSIONS = Path(__file__).with_name("versions")


def revision(filename: str) -> ModuleType:
    """The revision module in ``versions/filename``, loaded afresh."""
    path = _VERSIONS / filename
    spec = importlib.util.spec_from_file_location(f"nephos_metering_revision_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
