"""The audit log: who viewed, changed or exported what, when and from where.

:class:`AuditLog` is a plain service (the CLI writes with username ``cli``);
:func:`record` is the web app's shortcut that fills in the signed-in member of
staff and the client address. ``detail`` names accounts, counts and fields,
never what a newcomer wrote: the log is kept longer than the requests
(``WELCOME_AUDIT_DAYS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.store.audit import audit_in
from bot.store.models import AuditEntry

PAGE_SIZE = 50

#: What the actions mean, for the audit page.
ACTION_LABELS = {
    "login": "Anmeldung",
    "login_failed": "Anmeldung fehlgeschlagen",
    "login_locked": "Anmeldung während Sperre",
    "lockout": "Konto gesperrt (zu viele Fehlversuche)",
    "logout": "Abmeldung",
    "timeout": "Abmeldung wegen Inaktivität",
    "account_added": "Konto angelegt",
    "account_disabled": "Konto deaktiviert",
    "account_enabled": "Konto aktiviert",
    "password_reset": "Passwort zurückgesetzt",
    "password_changed": "Eigenes Passwort geändert",
    "export": "Export",
    "erase": "Daten einer Person gelöscht",
    "retention": "Aufbewahrungsfristen angewandt (Löschlauf)",
    "unanswered_dismissed": "Unbeantwortete Fragen verworfen",
    "unanswered_used": "Unbeantwortete Fragen als Trainingsbeispiel übernommen",
}


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit page; empty fields match everything."""

    reference: str | None = None
    username: str | None = None
    action: str | None = None


class AuditLog:
    """Writes and reads the ``audit_log`` table."""

    def __init__(
        self,
        sessions: sessionmaker,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def add(
        self,
        action: str,
        *,
        username: str,
        staff_id: int | None = None,
        reference: str | None = None,
        address: str | None = None,
        detail: str | None = None,
    ) -> None:
        with self._sessions() as session:
            audit_in(
                session.connection(), action, username=username, staff_id=staff_id,
                reference=reference, address=address, detail=detail, at=self._clock(),
            )  # fmt: skip
            session.commit()

    def _query(self, filters: AuditFilter) -> sa.sql.Select:
        query = sa.select(AuditEntry)
        if filters.reference:
            query = query.where(AuditEntry.reference == filters.reference.strip().upper())
        if filters.username:
            query = query.where(AuditEntry.username == filters.username.strip().lower())
        if filters.action:
            query = query.where(AuditEntry.action == filters.action.strip())
        return query

    def search(
        self, filters: AuditFilter = AuditFilter(), *, page: int = 1, per_page: int = PAGE_SIZE
    ) -> tuple[list[AuditEntry], int]:
        """One page of entries, newest first, and how many match in all."""
        query = self._query(filters)
        with self._sessions() as session:
            total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
            entries = list(
                session.scalars(
                    query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                    .limit(per_page)
                    .offset((max(page, 1) - 1) * per_page)
                )
            )
        return entries, total

    def iter_all(self, filters: AuditFilter = AuditFilter()) -> Iterator[AuditEntry]:
        """Every matching entry, oldest first (for the CSV export)."""
        query = self._query(filters).order_by(AuditEntry.at, AuditEntry.id)
        with self._sessions() as session:
            yield from session.scalars(query.execution_options(yield_per=500))


def record(action: str, reference: str | None = None, detail: str | None = None) -> None:
    """Audit ``action`` by the signed-in member of staff (inside a request of the office app)."""
    # Flask only here: the CLI and the accounts service use AuditLog without it.
    from flask import current_app, request
    from flask_login import current_user

    staff = current_user if current_user and current_user.is_authenticated else None
    current_app.extensions["welcome"].audit.add(
        action,
        username=staff.username if staff else "(anonym)",
        staff_id=staff.id if staff else None,
        reference=reference,
        address=request.remote_addr,
        detail=detail,
    )
