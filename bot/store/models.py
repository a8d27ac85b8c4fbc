"""Tables owned by the assistant (managed by the Alembic migrations next to this module).

Rasa's ``events`` table lives in the same database but belongs to Rasa's
tracker store; :func:`include_name` keeps it (and anything else that is not
declared here) out of Alembic's autogenerate.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
Base = declarative_base(metadata=metadata)

#: Portable JSON: text on SQLite, ``json`` on PostgreSQL. Not ``jsonb``: that would
#: reorder the keys, and the form fields should read in the order they were asked.
JSONType = sa.JSON()


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every database.

    SQLite has no time zones: values are stored as naive UTC and come back
    as aware UTC datetimes, like PostgreSQL's ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware datetime (UTC)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class HandoffRequest(Base):
    """A request handed over to the coordination office (Koordinierungsstelle Integration)."""

    __tablename__ = "handoff_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(32), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime(), nullable=False, index=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    channel = sa.Column(sa.String(64), nullable=False)
    category = sa.Column(sa.String(64), nullable=False)
    language = sa.Column(sa.String(16), nullable=False)
    fields = sa.Column(JSONType, nullable=False)
    excerpt = sa.Column(JSONType, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, index=True, server_default="new")
    consent_at = sa.Column(UTCDateTime(), nullable=True)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: only the tables declared in :data:`metadata` are compared."""
    if type_ == "table":
        return name in metadata.tables
    return True
