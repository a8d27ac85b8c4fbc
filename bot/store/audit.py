"""Audit entries written without the web app (retention, the CLI, erasure).

The office app writes through ``bot.office.audit``; code that runs outside a
web request (the daily retention, ``welcome requests ...``) writes here, in
its own transaction, so the record commits with what it records. ``detail``
holds counts and names of fields, never a newcomer's data.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.store.models import AuditEntry

DETAIL_LENGTH = 255
audit_table = AuditEntry.__table__


def audit_in(
    connection: sa.engine.Connection,
    action: str,
    *,
    username: str,
    staff_id: int | None = None,
    reference: str | None = None,
    address: str | None = None,
    detail: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Add one ``audit_log`` row inside the caller's transaction."""
    connection.execute(
        audit_table.insert().values(
            at=at or dt.datetime.now(dt.timezone.utc),
            staff_id=staff_id,
            username=username[:64],
            action=action[:32],
            reference=reference[:32] if reference else None,
            address=address[:64] if address else None,
            detail=detail[:DETAIL_LENGTH] if detail else None,
        )
    )
