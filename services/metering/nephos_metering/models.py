"""Imports every ORM module so that the metadata is complete (migrations, tests)."""

from __future__ import annotations


def load_all() -> None:
    from nephos_metering.allocation import models as _allocation  # noqa: F401
    from nephos_metering.anomalies import models as _anomalies  # noqa: F401
    from nephos_metering.budgets import models as _budgets  # noqa: F401
    from nephos_metering.costs import models as _costs  # noqa: F401
    from nephos_metering.costsets import models as _costsets  # noqa: F401
    from nephos_metering.costtags import models as _costtags  # noqa: F401
    from nephos_metering.ingest import models as _ingest  # noqa: F401
    from nephos_metering.invoices import models as _invoices  # noqa: F401
    from nephos_metering.recommendations import models as _recommendations  # noqa: F401
    from nephos_metering.sources import models as _sources  # noqa: F401
