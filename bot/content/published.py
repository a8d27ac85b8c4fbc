"""The content a process serves: the latest publication in the database, else the files.

Staff publish content in the office (:mod:`bot.content.store`); the Rasa
server, the action server and the office each notice a new publication on
their own: at most every ``settings.content_refresh_seconds`` one query asks
for the newest version number, and only a new number loads its snapshot.
Without a database, or before the first publication, the files in
``settings.content_dir`` are served; while the database cannot be reached
what was served stays (the files, for a process that starts then); a publication
that does not load (it passed the same validation when it was published, so
this means a newer code's check is stricter) leaves the last good content in
place.

Chat servers answer on an asyncio event loop (the Rasa server's NLU components,
the action server's actions): a caller on an event loop never waits for the
database or for a new publication to load (a few tenths of a second, every
chat of the process would wait). It gets what is served now; one background
thread per process, started by the first such caller, looks for a new version
every ``content_refresh_seconds`` and swaps it in when it is loaded. Only the
very first load of a process is done by its caller. Other callers
(the office, the command line, tests) look and load themselves, as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.content.catalog import Content
from bot.content.loader import FILES, load_content, load_content_from_texts
from bot.content.models import ContentError
from bot.masking import register_towns
from bot.settings import Settings, get_settings
from bot.store.db import InvalidDatabaseURL, make_engine, sqlite_file
from bot.store.models import ContentPublication

logger = logging.getLogger(__name__)

publications_table = ContentPublication.__table__

#: After a failed look into the database, wait at least this long before the next one:
#: an unreachable server may take seconds to time out, and every chat turn asks.
ERROR_RETRY_SECONDS = 5.0


def on_event_loop() -> bool:
    """Whether the caller runs on an asyncio event loop (and must not block it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def files_version(directory: Path) -> str:
    """``files:<hash>``: a digest of the content files' bytes in ``directory``."""
    digest = hashlib.sha256()
    for name in FILES:
        path = Path(directory) / name
        digest.update(name.encode("utf-8") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0missing")
        digest.update(b"\0")
    return f"files:{digest.hexdigest()[:16]}"


def database_version(version: int) -> str:
    return f"db:{version}"


@dataclass(frozen=True)
class _Served:
    content: Content
    version: str
    #: (database URL, content folder) the content was read for; other settings reload.
    key: tuple[str, str]


class PublishedContent:
    """``get_content()``: the served content, refreshed when a new version is published.

    Callable like the function it replaces; ``cache_clear()`` forgets what was
    loaded (tests, and after editing the files by hand without a database).
    Thread-safe: readers take the served content without a lock; one thread at
    a time looks for a new version. A caller on an event loop leaves looking and
    loading to a background thread (see the module's description).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._served: _Served | None = None
        self._next_check = 0.0
        self._failed_version: int | None = None
        self._engine: Engine | None = None
        self._engine_url: str | None = None
        self._background: threading.Thread | None = None
        # Not self._lock: the watching thread holds that while it loads.
        self._background_lock = threading.Lock()
        self._preparers: list[weakref.WeakMethod] = []

    def on_new_content(self, method: Callable[[Content, str], None]) -> None:
        """Call ``method(content, version)`` with each newly loaded content, before it is served.

        For what is derived from the content and costly to build (the FAQ
        matcher's index): it is built in the thread that loads the content, so
        it is ready when the content is served. ``method`` is a bound method,
        held weakly (a replaced model's components go away); its errors are
        logged and the content is served anyway.
        """
        self._preparers.append(weakref.WeakMethod(method))

    def __call__(self) -> Content:
        return self._current().content

    def version(self) -> str:
        """What is served: ``db:<version>`` or ``files:<hash>``."""
        return self._current().version

    def cache_clear(self) -> None:
        with self._lock:
            self._served = None
            self._next_check = 0.0
            self._failed_version = None
            self._dispose()

    # -- refreshing

    def _current(self) -> _Served:
        settings = get_settings()
        key = (settings.database_url, str(settings.content_dir))
        served = self._served
        if served is not None and served.key == key:
            if time.monotonic() < self._next_check:
                return served
            if on_event_loop():
                self._watch_in_background(key)
                return served
        with self._lock:
            served = self._served
            if served is not None and served.key == key and time.monotonic() < self._next_check:
                return served
            if served is not None and served.key != key:
                served = None
                self._failed_version = None
            served, wait = self._refresh(settings, key, served)
            self._served = served
            self._next_check = time.monotonic() + wait
            return served

    def _watch_in_background(self, key: tuple[str, str]) -> None:
        """Start the thread that looks for new versions (and loads them) for this process.

        It keeps looking whether or not chats ask: an action server whose
        actions run seldom still has a publication loaded when one is asked for.
        """
        with self._background_lock:
            if self._background is not None and self._background.is_alive():
                return
            self._background = threading.Thread(
                target=self._watch, args=(key,), name="content-watch", daemon=True
            )
            self._background.start()

    def _watch(self, key: tuple[str, str]) -> None:
        while True:
            served = self._served
            if served is None or served.key != key:
                return  # forgotten or settings changed: the next caller loads and watches
            delay = self._next_check - time.monotonic()
            if delay > 0:
                time.sleep(min(max(delay, 0.05), 1.0))
                continue
            try:
                with self._lock:
                    served = self._served
                    if served is None or served.key != key:
                        return
                    served, wait = self._refresh(get_settings(), key, served)
                    self._served = served
                    self._next_check = time.monotonic() + max(wait, 0.2)
            except Exception:  # noqa: BLE001 - e.g. the files broke: keep serving, look later
                logger.warning("Looking for new content failed; keeping it", exc_info=True)
                self._next_check = time.monotonic() + ERROR_RETRY_SECONDS

    def _refresh(
        self, settings: Settings, key: tuple[str, str], served: _Served | None
    ) -> tuple[_Served, float]:
        wait = max(settings.content_refresh_seconds, 0.0)
        try:
            latest = self._latest_version(settings.database_url)
            if latest is None:
                # No database yet, or nothing published: the files.
                if served is None or not served.version.startswith("files:"):
                    served = self._from_files(settings, key)
                return served, wait
            version = database_version(latest)
            if served is not None and served.version == version:
                return served, wait
            if latest != self._failed_version:
                snapshot = self._snapshot(latest)
                try:
                    content = load_content_from_texts(snapshot)
                except ContentError as error:
                    self._failed_version = latest
                    logger.warning(
                        "Published content version %d does not load; keeping %s: %s",
                        latest,
                        served.version if served else "the files",
                        error,
                    )
                else:
                    logger.info("Serving published content version %d", latest)
                    register_towns(content.municipality_names)
                    self._prepare(content, version)
                    return _Served(content, version, key), wait
        except (sa.exc.SQLAlchemyError, InvalidDatabaseURL, ImportError, OSError) as error:
            # Unreachable or not migrated: what is served stays (the files at the start);
            # a server restarting during an outage serves the files until it is back.
            logger.debug(
                "Content: database not usable (%s); keeping %s",
                type(error).__name__,
                served.version if served else "the files",
            )
            wait = max(wait, ERROR_RETRY_SECONDS)
        return (served if served is not None else self._from_files(settings, key)), wait

    def _from_files(self, settings: Settings, key: tuple[str, str]) -> _Served:
        # Broken files raise ContentError to the caller, as before publications existed.
        content = load_content(settings.content_dir)
        register_towns(content.municipality_names)
        version = files_version(settings.content_dir)
        self._prepare(content, version)
        return _Served(content, version, key)

    def _prepare(self, content: Content, version: str) -> None:
        for reference in list(self._preparers):
            method = reference()
            if method is None:
                self._preparers.remove(reference)
                continue
            try:
                method(content, version)
            except Exception:  # noqa: BLE001 - what it prepares is built later instead
                logger.exception("Preparing for content %s failed", version)

    # -- the database

    def _latest_version(self, url: str) -> int | None:
        engine = self._get_engine(url)
        if engine is None:
            return None
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(publications_table.c.version))).scalar()

    def _snapshot(self, version: int) -> dict[str, str]:
        assert self._engine is not None
        with self._engine.connect() as connection:
            snapshot = connection.execute(
                sa.select(publications_table.c.snapshot).where(
                    publications_table.c.version == version
                )
            ).scalar()
        if not isinstance(snapshot, dict):
            # Not a mapping of file names: load_content_from_texts reports every file missing.
            return {}
        return snapshot

    def _get_engine(self, url: str) -> Engine | None:
        if self._engine_url != url:
            self._dispose()
        if self._engine is None:
            database = sqlite_file(url)
            if database is not None and not database.is_file():
                # Connecting would create an empty database file: there is none yet.
                return None
            self._engine = make_engine(url)
            self._engine_url = url
        return self._engine

    def _dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._engine_url = None
