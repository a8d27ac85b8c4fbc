"""Cache of machine translations: in memory, and in the database across restarts.

A translation costs 0.1-0.5 s of CPU; the same texts come again and again
(button labels, "Danke", a reply of the coordination office shown twice).

Privacy: the database gets a SHA-256 key of (context, source text), a
SHA-256 of the source text alone (so that :meth:`TranslationCache.forget` can
remove every translation of a text), the translation and a timestamp -- never
the source text. The database is the truth: memory answers only while the
database cannot be read, so a translation forgotten by another process
(:mod:`bot.privacy`) is never served again. Entries older than ``max_age_days`` count as missing and
:meth:`TranslationCache.purge_older_than` deletes them.

The cache never breaks a translation: if the database cannot be used (not
migrated, unreachable), it logs a warning and works from memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.store.db import LazyDatabase, chunks, describe_error, redact_url
from bot.store.models import NAMING_CONVENTION, UTCDateTime

logger = logging.getLogger(__name__)

# The table belongs to migration 0002; it is declared here, not in bot.store.models, so that
# the handoff store's autogenerate comparison stays about its own tables.
_metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
translation_cache_table = sa.Table(
    "translation_cache",
    _metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("source_hash", sa.String(64), nullable=False, index=True),
    sa.Column("translation", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
)


def source_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(context: str, text: str) -> str:
    """The stored key of ``text`` translated in ``context`` (route, model versions, options)."""
    return hashlib.sha256(f"{context}\x1f{text}".encode()).hexdigest()


@dataclass
class _Entry:
    source_hash: str
    translation: str
    created_at: dt.datetime


class TranslationCache(LazyDatabase):
    """Translations by (context, source text).

    ``context`` is whatever else decides the translation (the engine passes
    the route, the package versions, the beam size and the protected spans), so
    a new model version never returns an old translation.
    """

    def __init__(
        self,
        database_url: str,
        *,
        memory_entries: int = 4096,
        max_age_days: int = 30,
        engine: Engine | None = None,
    ):
        super().__init__(database_url, engine=engine)
        self._memory_entries = memory_entries
        self._max_age = dt.timedelta(days=max_age_days)
        self._memory: OrderedDict[str, _Entry] = OrderedDict()
        self._warned = False

    def __repr__(self) -> str:
        return f"TranslationCache({redact_url(self._url)!r})"

    # -- reading and writing ----------------------------------------------------------

    def get(self, context: str, text: str) -> str | None:
        return self.get_many([(context, text)])[0]

    def put(self, context: str, text: str, translation: str) -> None:
        self.put_many([(context, text, translation)])

    def get_many(self, items: Sequence[tuple[str, str]]) -> list[str | None]:
        """The cached translation of each ``(context, text)``, ``None`` where there is none.

        The database is the truth whenever it can be read: a translation
        deleted there ("delete my data" runs in another process) is never
        served from this process's memory again. Memory answers only while
        the database cannot be read.
        """
        keys = [cache_key(context, text) for context, text in items]
        cutoff = self._now() - self._max_age
        unique = list(dict.fromkeys(keys))
        stored = self._load(unique, cutoff)
        found: dict[str, str] = {}
        with self._lock:
            for key in unique:
                if stored is not None:
                    entry = stored.get(key)
                    if entry is None:
                        self._memory.pop(key, None)
                        continue
                    self._memory[key] = entry
                else:
                    entry = self._memory.get(key)
                    if entry is None or entry.created_at < cutoff:
                        continue
                self._memory.move_to_end(key)
                found[key] = entry.translation
            while len(self._memory) > self._memory_entries:
                self._memory.popitem(last=False)
        return [found.get(key) for key in keys]

    def put_many(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(context, text, translation)`` triples (replacing older translations)."""
        now = self._now()
        rows = {}
        for context, text, translation in items:
            key = cache_key(context, text)
            entry = _Entry(source_digest(text), translation, now)
            self._remember(key, entry)
            rows[key] = {
                "key": key,
                "source_hash": entry.source_hash,
                "translation": translation,
                "created_at": now,
            }
        if rows:
            self._store(list(rows.values()))

    # -- privacy and retention --------------------------------------------------------

    def forget(self, texts: Iterable[str]) -> int:
        """Remove every cached translation of these source texts; returns stored rows removed."""
        hashes = {source_digest(text) for text in texts}
        if not hashes:
            return 0
        with self._lock:
            for key in [k for k, e in self._memory.items() if e.source_hash in hashes]:
                del self._memory[key]
        table = translation_cache_table
        return self._delete(
            [table.c.source_hash.in_(chunk) for chunk in chunks(sorted(hashes))],
            "forget cached translations",
        )

    def purge_older_than(self, days: float) -> int:
        """Delete translations cached more than ``days`` ago; returns stored rows removed."""
        cutoff = self._now() - dt.timedelta(days=days)
        with self._lock:
            for key in [k for k, e in self._memory.items() if e.created_at < cutoff]:
                del self._memory[key]
        return self._delete(
            [translation_cache_table.c.created_at < cutoff], "purge cached translations"
        )

    def clear_memory(self) -> None:
        """Drop the in-memory copies (the database keeps them)."""
        with self._lock:
            self._memory.clear()

    # -- internals --------------------------------------------------------------------

    @staticmethod
    def _now() -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

    def _remember(self, key: str, entry: _Entry) -> None:
        with self._lock:
            self._memory[key] = entry
            self._memory.move_to_end(key)
            while len(self._memory) > self._memory_entries:
                self._memory.popitem(last=False)

    def _load(self, keys: list[str], cutoff: dt.datetime) -> dict[str, _Entry] | None:
        """The stored entries of ``keys``; ``None`` when the database cannot be read."""
        table = translation_cache_table
        loaded: dict[str, _Entry] = {}
        try:
            with self._get_engine().connect() as connection:
                for chunk in chunks(keys):
                    rows = connection.execute(
                        sa.select(table).where(table.c.key.in_(chunk), table.c.created_at >= cutoff)
                    )
                    for row in rows:
                        loaded[row.key] = _Entry(row.source_hash, row.translation, row.created_at)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            self._warn("read", exc)
            return None
        return loaded

    def _store(self, rows: list[dict]) -> None:
        try:
            engine = self._get_engine()
            with engine.begin() as connection:
                for chunk in chunks(rows):
                    connection.execute(_upsert(engine.dialect.name, chunk))
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            self._warn("write", exc)

    def _delete(self, conditions: list, doing: str) -> int:
        removed = 0
        try:
            with self._get_engine().begin() as connection:
                for condition in conditions:
                    result = connection.execute(sa.delete(translation_cache_table).where(condition))
                    removed += max(result.rowcount or 0, 0)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            self._warn(doing.split()[0], exc)
        return removed

    def _warn(self, doing: str, exc: BaseException) -> None:
        # Once per cache: a missing table would otherwise warn on every message.
        if self._warned:
            logger.debug("Translation cache %s failed: %s", doing, describe_error(exc))
        else:
            self._warned = True
            logger.warning(
                "Translation cache in %s unavailable (%s: %s); using memory only. "
                "Run the migrations (`welcome requests migrate`) if the table is missing.",
                redact_url(self._url),
                doing,
                describe_error(exc),
            )


def _upsert(dialect: str, rows: list[dict]):
    # Two processes (Rasa server, action server) may cache the same text at once.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise ValueError(f"unsupported database for the translation cache: {dialect}")
    statement = insert(translation_cache_table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[translation_cache_table.c.key],
        set_={
            "translation": statement.excluded.translation,
            "created_at": statement.excluded.created_at,
        },
    )
