"""Handoff requests: what the coordination office sees when a newcomer asks for help.

The dialogue actions call :class:`RequestStore`; staff read it with
``welcome requests list``. Nothing here logs message texts or field values
(only references, categories, languages and counts).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import random
import re
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.db import (
    InvalidDatabaseURL,
    describe_error,
    make_engine,
    redact_url,
    sqlite_file,
)
from bot.store.models import HandoffRequest
from bot.vocabulary import HANDOFF_CATEGORIES as CATEGORIES

logger = logging.getLogger(__name__)

STATUSES = ("new", "in_progress", "waiting", "done")
EXCERPT_ROLES = ("user", "bot")

#: Letters and digits that cannot be mistaken for each other (no 0/O, no 1/I).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
MAX_REFERENCE_ATTEMPTS = 10

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_KEY = 0x57454C43  # PostgreSQL advisory lock while migrating ("WELC")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


class StoreError(RuntimeError):
    """The database cannot be used (wrong URL, unreachable, no driver, …).

    The message is meant for people: it names the problem and never contains
    what a user wrote or the database password.
    """


class StoreNotInitialised(StoreError):
    """The database is reachable but its tables have not been created yet."""


@dataclass(frozen=True)
class StoredRequest:
    """One handoff request as stored (a snapshot; changing it changes nothing)."""

    reference: str
    created_at: datetime
    category: str
    language: str
    fields: dict[str, Any]
    excerpt: list[dict[str, str]]
    status: str
    channel: str
    sender_id: str
    consent_at: datetime | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable representation (datetimes as ISO 8601 in UTC)."""
        return {
            "reference": self.reference,
            "created_at": self.created_at.isoformat(),
            "category": self.category,
            "language": self.language,
            "fields": dict(self.fields),
            "excerpt": [dict(turn) for turn in self.excerpt],
            "status": self.status,
            "channel": self.channel,
            "sender_id": self.sender_id,
            "consent_at": self.consent_at.isoformat() if self.consent_at else None,
        }


def _to_stored(row: HandoffRequest) -> StoredRequest:
    return StoredRequest(
        reference=row.reference,
        created_at=row.created_at,
        category=row.category,
        language=row.language,
        fields=dict(row.fields or {}),
        excerpt=[dict(turn) for turn in (row.excerpt or [])],
        status=row.status,
        channel=row.channel,
        sender_id=row.sender_id,
        consent_at=row.consent_at,
    )


def _check_text(name: str, value: Any, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    value = value.strip()
    if len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    return value


def _check_fields(fields: Mapping[str, Any] | None) -> dict[str, Any]:
    if fields is None:
        return {}
    if not isinstance(fields, Mapping) or not all(isinstance(key, str) for key in fields):
        raise ValueError("fields must be a mapping with string keys")
    fields = dict(fields)
    try:
        json.dumps(fields)
    except (TypeError, ValueError) as exc:
        raise ValueError("fields must contain only JSON values") from exc
    return fields


def _check_excerpt(excerpt: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    if excerpt is None:
        return []
    turns = []
    for turn in excerpt:
        if not isinstance(turn, Mapping):
            raise ValueError('excerpt items must be {"role": ..., "text": ...}')
        role, text = turn.get("role"), turn.get("text")
        if role not in EXCERPT_ROLES:
            raise ValueError(f"excerpt role must be one of {', '.join(EXCERPT_ROLES)}")
        if not isinstance(text, str):
            raise ValueError("excerpt text must be a string")
        german = turn.get("text_de")
        if german is not None and not isinstance(german, str):
            raise ValueError("excerpt text_de must be a string")
        # text_de: a machine translation for the office, next to the user's words.
        turns.append({"role": role, "text": text, **({"text_de": german} if german else {})})
    return turns


def _town(fields: Mapping[str, Any]) -> str | None:
    """The town a request is about (a column, so the office's queue filters by it)."""
    town = fields.get("municipality")
    return str(town)[:120] if town not in (None, "", "-") else None


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    return status


class RequestStore:
    """Handoff requests in the database at ``url`` (default: the configured database).

    The engine is created on first use, never at construction or import, so
    creating a store is free and does not touch the database.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        reference_prefix: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if url is None or reference_prefix is None:
            from bot.settings import get_settings

            settings = get_settings()
            url = url or settings.database_url
            reference_prefix = reference_prefix or settings.reference_prefix
        self._url = url
        self._prefix = reference_prefix
        self._rng = rng or secrets.SystemRandom()
        self._engine: Engine | None = None
        self._sessionmaker: sessionmaker | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RequestStore({redact_url(self._url)!r})"

    def __enter__(self) -> RequestStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self._url

    @property
    def display_url(self) -> str:
        """The database URL with the password masked."""
        return redact_url(self._url)

    # -- plumbing ---------------------------------------------------------------------

    def _get_engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                try:
                    engine = make_engine(self._url)
                except InvalidDatabaseURL as exc:
                    raise StoreError(str(exc)) from None
                except ImportError as exc:
                    raise StoreError(f"database driver not installed ({exc})") from None
                self._sessionmaker = sessionmaker(engine, future=True, expire_on_commit=False)
                self._engine = engine
            return self._engine

    @contextlib.contextmanager
    def _session(self, doing: str) -> Iterator[Session]:
        self._get_engine()
        assert self._sessionmaker is not None
        try:
            with self._sessionmaker() as session:
                yield session
        except (IntegrityError, StoreError):
            raise
        except SQLAlchemyError as exc:
            # A failing statement (not a failing connection) may mean "not migrated yet".
            ran_statement = isinstance(exc, sa.exc.DBAPIError) and exc.statement is not None
            if ran_statement and self._table_missing():
                raise StoreNotInitialised(
                    f"cannot {doing}: the database {self.display_url} has no "
                    f"'{HandoffRequest.__tablename__}' table yet (run the migrations: "
                    "`welcome requests migrate`)"
                ) from None
            raise StoreError(
                f"cannot {doing} in {self.display_url}: {describe_error(exc)}"
            ) from None

    def _table_missing(self) -> bool:
        try:
            return not sa.inspect(self._get_engine()).has_table(HandoffRequest.__tablename__)
        except SQLAlchemyError:
            return False

    def close(self) -> None:
        """Release the database connections (the store can be used again afterwards)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._sessionmaker = None

    # -- schema -----------------------------------------------------------------------

    def migrate(self) -> None:
        """Create or upgrade the tables (``alembic upgrade head``); safe to call on every start.

        Two processes may call this at the same time: on PostgreSQL they take
        turns (advisory lock); on SQLite the loser sees the finished schema.
        """
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        try:
            path = sqlite_file(self._url)
        except InvalidDatabaseURL as exc:
            raise StoreError(str(exc)) from None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {path.parent}: {exc}") from None

        engine = self._get_engine()
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        head = ScriptDirectory.from_config(config).get_current_head()

        def current_revision() -> str | None:
            with engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()

        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                    )
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            try:
                done = current_revision() == head
            except SQLAlchemyError:
                done = False
            if not done:
                raise StoreError(
                    f"cannot migrate {self.display_url}: {describe_error(exc)}"
                ) from None
        logger.info("Database schema is at revision %s", head)

    # -- requests ---------------------------------------------------------------------

    def _new_reference(self) -> str:
        code = "".join(self._rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        return f"{self._prefix}-{code}" if self._prefix else code

    def save_request(
        self,
        *,
        sender_id: str,
        channel: str,
        category: str,
        language: str,
        fields: Mapping[str, Any] | None = None,
        excerpt: Sequence[Mapping[str, Any]] | None = None,
        consent_at: datetime | None = None,
    ) -> StoredRequest:
        """Store a new request (status ``new``) and return it with its reference.

        The row is committed before this returns. ``consent_at`` is when the
        user agreed to the handoff; it defaults to now, because the dialogue
        saves a request only after the user agreed.

        Raises:
            ValueError: a value is not allowed (unknown category, bad excerpt, …).
            StoreError: the database cannot be used.
        """
        sender_id = _check_text("sender_id", sender_id, 255)
        channel = _check_text("channel", channel, 64)
        if category not in CATEGORIES:
            raise ValueError(f"category must be one of {', '.join(CATEGORIES)}")
        language = _check_text("language", language, 16).lower()
        if not _LANGUAGE_RE.match(language):
            raise ValueError("language must be an ISO 639-1 or 639-3 code, e.g. 'de' or 'prs'")
        fields = _check_fields(fields)
        turns = _check_excerpt(excerpt)
        now = datetime.now(timezone.utc)
        if consent_at is not None and consent_at.tzinfo is None:
            raise ValueError("consent_at must be timezone-aware")

        for _attempt in range(MAX_REFERENCE_ATTEMPTS):
            reference = self._new_reference()
            row = HandoffRequest(
                reference=reference,
                created_at=now,
                sender_id=sender_id,
                channel=channel,
                category=category,
                language=language,
                fields=fields,
                excerpt=turns,
                status="new",
                consent_at=consent_at or now,
                town=_town(fields),
                updated_at=now,
            )
            with self._session("save the request") as session:
                session.add(row)
                try:
                    session.commit()
                except IntegrityError as exc:
                    session.rollback()
                    if self.get(reference) is None:
                        raise StoreError(
                            f"cannot save the request: {describe_error(exc)}"
                        ) from None
                    logger.debug("Reference collision, drawing a new one")
                    continue
            logger.info(
                "Saved handoff request %s (category=%s, language=%s, channel=%s)",
                reference,
                category,
                language,
                channel,
            )
            return _to_stored(row)
        raise StoreError("cannot save the request: no free reference found")

    def list_requests(
        self, status: str | None = None, limit: int | None = None
    ) -> list[StoredRequest]:
        """Requests, newest first; optionally only those with ``status``; at most ``limit``."""
        query = sa.select(HandoffRequest).order_by(
            HandoffRequest.created_at.desc(), HandoffRequest.id.desc()
        )
        if status is not None:
            query = query.where(HandoffRequest.status == _check_status(status))
        if limit is not None:
            if limit < 0:
                raise ValueError("limit must not be negative")
            query = query.limit(limit)
        with self._session("read the requests") as session:
            return [_to_stored(row) for row in session.execute(query).scalars()]

    def get(self, reference: str) -> StoredRequest | None:
        """The request with this reference (case and surrounding spaces ignored)."""
        reference = reference.strip().upper()
        query = sa.select(HandoffRequest).where(HandoffRequest.reference == reference)
        with self._session("read the request") as session:
            row = session.execute(query).scalar_one_or_none()
            return _to_stored(row) if row is not None else None

    def set_status(self, reference: str, status: str) -> StoredRequest | None:
        """Change the status of a request; ``None`` if there is no such request."""
        status = _check_status(status)
        reference = reference.strip().upper()
        query = sa.select(HandoffRequest).where(HandoffRequest.reference == reference)
        with self._session("update the request") as session:
            row = session.execute(query).scalar_one_or_none()
            if row is None:
                return None
            if row.status != status:
                # Retention counts from closed_at, the office's figures too.
                now = datetime.now(timezone.utc)
                row.closed_at = now if status == "done" else None
                row.updated_at = now
            row.status = status
            session.commit()
            logger.info("Handoff request %s is now %s", reference, status)
            return _to_stored(row)

    def delete_sender_data(self, sender_id: str) -> int:
        """Delete every request of this conversation; returns how many were deleted."""
        statement = sa.delete(HandoffRequest).where(HandoffRequest.sender_id == sender_id)
        with self._session("delete the requests") as session:
            count = session.execute(statement).rowcount or 0
            session.commit()
        logger.info("Deleted %d handoff request(s) on a user's request", count)
        return count

    def delete_done_before(self, cutoff: dt.datetime) -> int:
        """Delete requests marked done that were created before ``cutoff`` (UTC)."""
        statement = sa.delete(HandoffRequest).where(
            HandoffRequest.status == "done", HandoffRequest.created_at < cutoff
        )
        with self._session("delete old requests") as session:
            count = session.execute(statement).rowcount or 0
            session.commit()
        logger.info("Retention: deleted %d finished request(s)", count)
        return count
