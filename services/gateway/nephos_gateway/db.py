"""The gateway's metadata: the messaging tables for now.

Users and companies (the portal's own data) arrive here in a later change;
the database exists already so that the gateway boots, migrates and reports
readiness exactly like every other service.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from nephos_common.db import new_metadata
from nephos_common.messaging.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


MESSAGING = messaging_tables(Base.metadata)
