"""The gateway's metadata: the messaging tables, and the directory (``directory.models``):
companies, users, user groups and their roles, the portal's own data."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from nephos_common.db import new_metadata
from nephos_common.messaging.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


MESSAGING = messaging_tables(Base.metadata)
