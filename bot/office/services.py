"""The office's services on one database engine (no Flask here).

``create_app`` keeps one :class:`Office` in ``app.extensions["welcome"]``;
``welcome users`` builds its own. Other features add their services with
:meth:`Office.service`, so they share the engine, the clock and the audit log::

    queue = office.service("queue", lambda office: QueueService(office.sessions, office.now))
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.office.accounts import Accounts
from bot.office.audit import AuditLog
from bot.store.db import make_engine, redact_url

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Office:
    """The database engine and the services of the office app.

    ``clock`` is read through :meth:`now` by every service, so a test sets
    ``office.clock`` once to move time for the lockout, the idle timeout and
    the audit log together.
    """

    def __init__(self, database_url: str, *, hasher: PasswordHasher | None = None) -> None:
        self.database_url = database_url
        self.clock: Callable[[], datetime] = utcnow
        self.engine: Engine = make_engine(database_url)
        self.sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)
        self.audit = AuditLog(self.sessions, clock=self.now)
        self.accounts = Accounts(self.sessions, self.audit, clock=self.now, hasher=hasher)
        self._services: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Office({redact_url(self.database_url)!r})"

    def now(self) -> datetime:
        """The current time (aware UTC) as the office sees it."""
        return self.clock()

    def service(self, name: str, factory: Callable[[Office], T]) -> T:
        """The service called ``name``, made by ``factory(office)`` on first use."""
        with self._lock:
            if name not in self._services:
                self._services[name] = factory(self)
            return self._services[name]

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
