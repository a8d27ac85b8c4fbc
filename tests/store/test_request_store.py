"""The handoff request store as the dialogue actions and the coordination office use it."""

from __future__ import annotations

import json
import logging
import random
import re
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.store import RequestStore, StoredRequest, StoreError, StoreNotInitialised
from bot.store.db import sqlite_file
from bot.store.models import include_name, metadata
from bot.store.repository import REFERENCE_ALPHABET

REFERENCE_RE = re.compile(r"^WL-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")

ARABIC_FIELDS = {
    "municipality": "Sindelfingen",
    "language": "ar",
    "appointment": "Termin beim Jobcenter, 12.12.2026",
    "note": "أحتاج مترجمًا للموعد عند الطبيب",
}
UKRAINIAN_EXCERPT = [
    {"role": "user", "text": "Мені потрібен перекладач до лікаря"},
    {"role": "bot", "text": "Für welche Sprache brauchst du einen Dolmetscher?"},
    {"role": "user", "text": "українська, будь ласка"},
]


def _save(store: RequestStore, sender_id: str = "tg-1001", **overrides) -> StoredRequest:
    values = {
        "sender_id": sender_id,
        "channel": "telegram",
        "category": "interpreter",
        "language": "uk",
        "fields": ARABIC_FIELDS,
        "excerpt": UKRAINIAN_EXCERPT,
    }
    values.update(overrides)
    return store.save_request(**values)


def _table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrate_is_idempotent_and_works_from_any_directory(
    database_url: str, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini here: the store finds its migrations itself
    path = sqlite_file(database_url)
    if path is not None:
        assert not path.parent.exists()

    store = RequestStore(database_url)
    store.migrate()
    store.migrate()
    try:
        assert store.list_requests() == []
        _save(store)
        store.migrate()  # again, with data in it
        assert len(store.list_requests()) == 1
    finally:
        store.close()

    assert {"handoff_requests", "alembic_version"} <= _table_names(database_url)
    if path is not None:
        assert path.exists()
        with sqlite3.connect(path) as connection:  # both processes write in WAL mode
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_models_match_migrations_and_rasa_events_table_is_ignored(
    store: RequestStore, database_url: str
) -> None:
    from bot.store.tracker_store import WelcomeTrackerStore

    tracker_store = WelcomeTrackerStore(url=database_url, startup_retries=0)
    tracker_store.close()
    assert "events" in _table_names(database_url)

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": include_name, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_creating_a_store_does_not_connect() -> None:
    store = RequestStore("postgresql://nobody:secret@127.0.0.1:1/nothing")
    assert "secret" not in repr(store)
    with pytest.raises(StoreError) as error:
        store.list_requests()
    assert "secret" not in str(error.value)
    assert "127.0.0.1" in str(error.value)


def test_save_get_list_round_trip_with_arabic_and_ukrainian(
    store: RequestStore, database_url: str
) -> None:
    before = datetime.now(timezone.utc)
    saved = _save(store)

    assert REFERENCE_RE.match(saved.reference)
    assert saved.status == "new"
    assert saved.fields == ARABIC_FIELDS
    assert saved.excerpt == UKRAINIAN_EXCERPT
    assert saved.created_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= saved.created_at <= datetime.now(timezone.utc)
    assert saved.consent_at == saved.created_at

    # Committed: another store (as in another process) sees it unchanged.
    other = RequestStore(database_url)
    try:
        loaded = other.get(saved.reference)
        assert loaded == saved
        assert other.get(f"  {saved.reference.lower()} ") == saved
        assert other.list_requests() == [saved]
        assert other.get("WL-ZZZZZZ") is None
    finally:
        other.close()

    as_json = json.loads(json.dumps(saved.as_dict(), ensure_ascii=False))
    assert as_json["fields"]["note"] == "أحتاج مترجمًا للموعد عند الطبيب"
    assert as_json["excerpt"][0] == {"role": "user", "text": "Мені потрібен перекладач до лікаря"}
    assert as_json["created_at"] == saved.created_at.isoformat()
    assert as_json["sender_id"] == "tg-1001"
    assert as_json["channel"] == "telegram"

    with pytest.raises(AttributeError):
        saved.status = "done"  # a frozen snapshot


def test_list_is_newest_first_with_status_and_limit(store: RequestStore) -> None:
    first = _save(store, category="human", language="de", fields={"name": "Ali"})
    second = _save(store, category="internship", language="ar")
    third = _save(store, category="mentoring_find", language="fa", fields={})

    assert [r.reference for r in store.list_requests()] == [
        third.reference,
        second.reference,
        first.reference,
    ]
    assert [r.reference for r in store.list_requests(limit=2)] == [
        third.reference,
        second.reference,
    ]

    done = store.set_status(second.reference, "done")
    assert done is not None and done.status == "done"
    assert store.set_status("WL-ZZZZZZ", "done") is None
    assert [r.reference for r in store.list_requests(status="done")] == [second.reference]
    assert [r.reference for r in store.list_requests(status="new")] == [
        third.reference,
        first.reference,
    ]
    assert store.list_requests(status="in_progress") == []
    with pytest.raises(ValueError):
        store.list_requests(status="closed")


def test_references_are_unique_under_many_saves(store: RequestStore) -> None:
    references = {
        _save(store, sender_id=f"web-{i}", fields={"i": i}, excerpt=[]).reference
        for i in range(150)
    }
    assert len(references) == 150
    assert all(REFERENCE_RE.match(reference) for reference in references)
    assert not set("".join(ref[3:] for ref in references)) & set("0O1I")


def test_reference_collision_draws_a_new_reference(store: RequestStore, database_url: str) -> None:
    # Two stores with the same random sequence: the second one collides with
    # every reference the first one used and must keep drawing until one is free.
    first = RequestStore(database_url, rng=random.Random(7))
    second = RequestStore(database_url, rng=random.Random(7))
    try:
        taken = [_save(first, sender_id=f"a-{i}").reference for i in range(3)]
        fresh = _save(second, sender_id="b")
    finally:
        first.close()
        second.close()

    rng = random.Random(7)
    sequence = ["WL-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6)) for _ in range(4)]
    assert taken == sequence[:3]
    assert fresh.reference == sequence[3]
    assert store.get(fresh.reference).sender_id == "b"


def test_two_writers_at_the_same_time(store: RequestStore, database_url: str) -> None:
    # Like the Rasa server and the action server: two engines, one database.
    stores = [RequestStore(database_url), RequestStore(database_url)]
    errors: list[BaseException] = []

    def write(writer: RequestStore, name: str) -> None:
        try:
            for i in range(20):
                _save(writer, sender_id=f"{name}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(writer, name))
        for writer, name in zip(stores, ("rasa", "actions"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in stores:
        writer.close()

    assert errors == []
    assert len(store.list_requests()) == 40


def test_delete_sender_data_deletes_only_that_sender(store: RequestStore) -> None:
    mine = [_save(store, sender_id="tg-42"), _save(store, sender_id="tg-42", category="human")]
    other = _save(store, sender_id="tg-43")

    assert store.delete_sender_data("tg-42") == 2
    assert store.delete_sender_data("tg-42") == 0
    assert all(store.get(request.reference) is None for request in mine)
    assert store.list_requests() == [other]


@pytest.mark.parametrize(
    "overrides",
    [
        {"category": "weather"},
        {"language": "Arabic"},
        {"sender_id": ""},
        {"excerpt": [{"role": "system", "text": "x"}]},
        {"excerpt": [{"role": "user"}]},
        {"fields": {"when": datetime(2026, 1, 1)}},
    ],
    ids=["category", "language", "sender", "role", "text", "json"],
)
def test_invalid_requests_are_refused(store: RequestStore, overrides: dict) -> None:
    with pytest.raises(ValueError):
        _save(store, **overrides)
    assert store.list_requests() == []


def test_what_users_wrote_is_not_logged(store: RequestStore, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    saved = _save(store)
    store.get(saved.reference)
    store.delete_sender_data("tg-1001")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert saved.reference in logged
    for text in [*ARABIC_FIELDS.values(), *(turn["text"] for turn in UKRAINIAN_EXCERPT)]:
        if text not in ("ar",):
            assert text not in logged


def test_unmigrated_database_gives_a_clear_error(database_url: str) -> None:
    path = sqlite_file(database_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    store = RequestStore(database_url)
    try:
        with pytest.raises(StoreNotInitialised, match="migrate"):
            store.list_requests()
        with pytest.raises(StoreNotInitialised):
            _save(store)
    finally:
        store.close()


@pytest.mark.parametrize(
    "url",
    [
        "not a database url",
        "nosuchdb://user@host/db",
        "postgresql://welcome:topsecret@127.0.0.1:1/welcome",
        "sqlite:////nonexistent-folder/deeper/welcome.db",
    ],
    ids=["garbage", "unknown-dialect", "unreachable", "bad-sqlite-path"],
)
def test_bad_database_url_raises_store_error(url: str) -> None:
    store = RequestStore(url)
    try:
        with pytest.raises(StoreError) as error:
            store.list_requests()
        assert "topsecret" not in str(error.value)
    finally:
        store.close()
