"""Engines for the assistant's database (SQLite on a laptop, PostgreSQL in production).

The Rasa server and the action server are two processes writing the same
database. On SQLite that needs write-ahead logging (readers never block the
writer) and a busy timeout (a writer waits for the other one instead of
failing with "database is locked"). Both stores of :mod:`bot.store` create
their engines here so they behave the same.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError

#: How long a SQLite writer waits for the other process before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
#: How long connecting to a PostgreSQL server may take before it counts as unreachable.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10


#: Values per ``IN (...)`` list: SQLite allows at most 999 parameters in older versions.
IN_LIST_SIZE = 400


def chunks(items: list, size: int = IN_LIST_SIZE) -> list[list]:
    """``items`` in lists short enough for one ``IN (...)`` each."""
    return [items[start : start + size] for start in range(0, len(items), size)]


class InvalidDatabaseURL(ValueError):
    """The database URL cannot be parsed or names an unknown database type."""


def parse_url(url: str | URL) -> URL:
    """Parse ``url``; the error message never repeats the URL (it may hold a password)."""
    if isinstance(url, URL):
        return url
    try:
        return sa.engine.make_url(url)
    except (ArgumentError, ValueError, TypeError) as exc:
        raise InvalidDatabaseURL(
            "invalid database URL (expected e.g. sqlite:///var/welcome.db "
            "or postgresql://user@host:5432/dbname)"
        ) from exc


def redact_url(url: str | URL) -> str:
    """The URL with its password masked, for messages and logs."""
    try:
        return parse_url(url).render_as_string(hide_password=True)
    except InvalidDatabaseURL:
        return "<invalid database URL>"


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a file-based SQLite URL, else ``None``."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def describe_error(exc: BaseException) -> str:
    """A one-line reason for a database error, without SQL statement or parameters."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        text = str(exc.orig)
    else:
        text = str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _json_dumps(value: Any) -> str:
    # Keep Arabic, Ukrainian, … readable in the database instead of \\u escapes.
    return json.dumps(value, ensure_ascii=False)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # A request's history and bookings go with it (ON DELETE CASCADE), as on PostgreSQL.
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def make_engine(url: str | URL, *, future: bool = True) -> Engine:
    """Create an engine for ``url`` (no connection is opened yet).

    Statement parameters are hidden from error messages and SQL logs, because
    they contain what newcomers wrote.

    Raises:
        InvalidDatabaseURL: the URL is malformed or its database type is unknown.
        ImportError: the database driver is not installed.
    """
    parsed = parse_url(url)
    kwargs: dict[str, Any] = {
        "future": future,
        "hide_parameters": True,
        "json_serializer": _json_dumps,
    }
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            if sqlite_file(parsed) is not None:
                # SQLAlchemy 1.4 opens and closes a file database's connection
                # for every session (NullPool); with the pragmas below that was
                # an eighth of the Rasa server's time per turn. A pool keeps
                # them open (SQLAlchemy 2.0's default); each connection is used
                # by one thread at a time, handed over by the pool.
                kwargs["poolclass"] = sa.pool.QueuePool
                kwargs["connect_args"]["check_same_thread"] = False
        else:
            kwargs["pool_pre_ping"] = True
            if parsed.get_driver_name() == "psycopg2" and "connect_timeout" not in parsed.query:
                kwargs["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS}
        engine = sa.create_engine(parsed, **kwargs)
    except sa.exc.NoSuchModuleError:
        raise InvalidDatabaseURL(f"unknown database type '{parsed.drivername}'") from None
    if backend == "sqlite" and sqlite_file(parsed) is not None:
        event.listen(engine, "connect", _sqlite_on_connect)
    return engine


class LazyDatabase:
    """A helper on the assistant's database whose engine is made on first use.

    The translation cache and the outbox live in the same database as the
    requests; their tables come from the request store's migrations.
    """

    def __init__(self, database_url: str, *, engine: Engine | None = None) -> None:
        """``engine``: one the caller owns and disposes (the office app shares its own)."""
        self._url = database_url
        self._engine: Engine | None = engine
        self._owns_engine = engine is None
        self._lock = threading.Lock()

    def migrate(self) -> None:
        """Create the tables: the same ``alembic upgrade head`` as the request store."""
        from bot.store import RequestStore

        with RequestStore(self._url) as store:
            store.migrate()

    def close(self) -> None:
        with self._lock:
            if self._engine is not None and self._owns_engine:
                self._engine.dispose()
                self._engine = None

    def _get_engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self._url)
            return self._engine
