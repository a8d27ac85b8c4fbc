"""The translation cache: memory and database, privacy and retention.

Runs on SQLite and, when WELCOME_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import sqlalchemy as sa

from bot.translation.cache import TranslationCache

ROUTE = "r1|de-en@1.0|beam2"
OTHER_ROUTE = "r1|de-en@1.0,en-ro@1.0|beam2"


def _rows(database_url: str) -> list[dict]:
    engine = sa.create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM translation_cache"))
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def test_translations_are_found_again_and_misses_are_none(cache: TranslationCache) -> None:
    cache.put_many([(ROUTE, "Guten Tag", "Good day"), (ROUTE, "Danke", "Thanks")])

    assert cache.get_many([(ROUTE, "Danke"), (ROUTE, "Hallo"), (OTHER_ROUTE, "Danke")]) == [
        "Thanks",
        None,
        None,
    ]
    assert cache.get(ROUTE, "Guten Tag") == "Good day"


def test_translations_survive_a_restart(cache: TranslationCache, database_url: str) -> None:
    cache.put(ROUTE, "Guten Tag", "Good day")
    cache.close()

    restarted = TranslationCache(database_url)
    try:
        assert restarted.get(ROUTE, "Guten Tag") == "Good day"
    finally:
        restarted.close()


def test_storing_again_replaces_the_translation(cache: TranslationCache) -> None:
    cache.put(ROUTE, "Guten Tag", "Good day")
    cache.put(ROUTE, "Guten Tag", "Hello")
    cache.clear_memory()

    assert cache.get(ROUTE, "Guten Tag") == "Hello"


def test_the_database_never_holds_the_source_text(
    cache: TranslationCache, database_url: str
) -> None:
    cache.put(ROUTE, "Ich heiße Amina und wohne in Böblingen", "My name is Amina ...")

    (row,) = _rows(database_url)
    assert set(row) == {"key", "source_hash", "translation", "created_at"}
    assert "Amina und wohne" not in " ".join(str(value) for value in row.values())
    assert (
        row["source_hash"]
        == hashlib.sha256("Ich heiße Amina und wohne in Böblingen".encode()).hexdigest()
    )
    assert len(row["key"]) == 64 and row["key"] != row["source_hash"]


def test_forget_removes_every_translation_of_a_text(
    cache: TranslationCache, database_url: str
) -> None:
    cache.put_many(
        [
            (ROUTE, "Ich heiße Amina", "My name is Amina"),
            (OTHER_ROUTE, "Ich heiße Amina", "Numele meu este Amina"),
            (ROUTE, "Danke", "Thanks"),
        ]
    )

    removed = cache.forget(["Ich heiße Amina", "never cached"])

    assert removed == 2
    assert cache.get(ROUTE, "Ich heiße Amina") is None  # gone from memory too
    assert cache.get(OTHER_ROUTE, "Ich heiße Amina") is None
    assert cache.get(ROUTE, "Danke") == "Thanks"
    assert len(_rows(database_url)) == 1


def test_old_translations_expire_and_are_purged(
    cache: TranslationCache, database_url: str, monkeypatch
) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    monkeypatch.setattr(TranslationCache, "_now", staticmethod(lambda: now - dt.timedelta(40)))
    cache.put(ROUTE, "Guten Tag", "Good day")
    monkeypatch.setattr(TranslationCache, "_now", staticmethod(lambda: now))
    cache.put(ROUTE, "Danke", "Thanks")

    assert cache.get(ROUTE, "Guten Tag") is None  # older than max_age_days (30)
    assert cache.purge_older_than(30) == 1
    assert len(_rows(database_url)) == 1
    assert cache.get(ROUTE, "Danke") == "Thanks"


def test_the_memory_holds_at_most_memory_entries(database_url: str) -> None:
    cache = TranslationCache(database_url, memory_entries=2)
    cache.migrate()
    try:
        cache.put_many([(ROUTE, text, text.upper()) for text in ["a", "b", "c"]])
        assert len(cache._memory) == 2
        # The oldest entry is still in the database.
        assert cache.get(ROUTE, "a") == "A"
    finally:
        cache.close()


def test_without_the_table_the_cache_works_from_memory_and_warns_once(tmp_path, caplog) -> None:
    cache = TranslationCache(f"sqlite:///{tmp_path / 'unmigrated.db'}")
    caplog.set_level(logging.WARNING, logger="bot.translation.cache")

    cache.put(ROUTE, "Guten Tag", "Good day")
    assert cache.get(ROUTE, "Guten Tag") == "Good day"
    assert cache.get(ROUTE, "Danke") is None
    assert cache.forget(["Guten Tag"]) == 0

    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "welcome requests migrate" in warnings[0].getMessage()
    assert "Guten Tag" not in caplog.text
    cache.close()


def test_migrate_creates_the_table_next_to_the_handoff_requests(database_url: str) -> None:
    cache = TranslationCache(database_url)
    cache.migrate()
    cache.close()

    engine = sa.create_engine(database_url, future=True)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        with engine.connect() as connection:
            revision = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            # 0002 adds the cache; later migrations (0003 the outbox) keep it.
            assert revision.scalar() >= "0002_translation_cache"
    finally:
        engine.dispose()
    assert {"translation_cache", "handoff_requests"} <= tables
