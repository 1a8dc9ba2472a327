"""Imports every table module so that the metadata is complete (migrations, tests)."""

from __future__ import annotations


def load_all() -> None:
    from nephos_monitoring.alerts import models as _alerts  # noqa: F401
    from nephos_monitoring.collection import models as _collection  # noqa: F401
    from nephos_monitoring.escalation import models as _escalation  # noqa: F401
    from nephos_monitoring.groups import models as _groups  # noqa: F401
    from nephos_monitoring.incidents import models as _incidents  # noqa: F401
    from nephos_monitoring.maintenance import models as _maintenance  # noqa: F401
    from nephos_monitoring.metrics import tables as _metrics  # noqa: F401
    from nephos_monitoring.notifications import models as _notifications  # noqa: F401
    from nephos_monitoring.silences import models as _silences  # noqa: F401
    from nephos_monitoring.targets import models as _targets  # noqa: F401
