"""Retention: `welcome requests purge` keeps only what current journeys need."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.cli import main
from bot.store import RequestStore
from bot.store.models import HandoffRequest
from bot.store.tracker_store import WelcomeTrackerStore

DAY = 24 * 3600


def _conversation(sender: str, text: str, age_days: float) -> DialogueStateTracker:
    at = time.time() - age_days * DAY
    events = [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, intent={"name": "greet", "confidence": 1.0}, timestamp=at + 1),
        BotUttered("Hallo!", timestamp=at + 2),
    ]
    return DialogueStateTracker.from_events(sender, events)


def _age_request(url: str, reference: str, days: int, status: str) -> None:
    created = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.update(HandoffRequest)
            .where(HandoffRequest.reference == reference)
            .values(created_at=created, status=status)
        )
    engine.dispose()


def _senders_with_events(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        senders = {row[0] for row in connection.execute(sa.text("SELECT sender_id FROM events"))}
    engine.dispose()
    return senders


async def test_purge_deletes_idle_conversations_and_old_finished_requests(
    store: RequestStore, database_url: str, capsys
) -> None:
    tracker_store = WelcomeTrackerStore(domain=Domain.empty(), url=database_url, startup_retries=0)
    await tracker_store.save(_conversation("old-chat", "Ich wohne in der Hauptstraße 5", 40))
    await tracker_store.save(_conversation("recent-chat", "Hallo", 2))
    tracker_store.close()
    old_done = store.save_request(
        sender_id="old-chat", channel="rest", category="human", language="de", fields={}, excerpt=[]
    )
    old_open = store.save_request(
        sender_id="old-chat", channel="rest", category="human", language="de", fields={}, excerpt=[]
    )
    recent_done = store.save_request(
        sender_id="recent-chat", channel="rest", category="human", language="de", fields={},
        excerpt=[],
    )  # fmt: skip
    _age_request(database_url, old_done.reference, 40, "done")
    _age_request(database_url, old_open.reference, 40, "new")
    _age_request(database_url, recent_done.reference, 0, "done")

    code = main(
        ["requests", "purge", "--older-than", "30", "--yes", "--database-url", database_url]
    )

    assert code == 0
    assert "Deleted 1 finished request(s)" in capsys.readouterr().out
    assert _senders_with_events(database_url) == {"recent-chat"}
    remaining = {request.reference for request in store.list_requests()}
    # Open requests are kept whatever their age: the office has not answered yet.
    assert remaining == {old_open.reference, recent_done.reference}


def test_purge_asks_for_confirmation(store: RequestStore, database_url: str, capsys) -> None:
    code = main(["requests", "purge", "--older-than", "30", "--database-url", database_url])
    assert code == 1
    assert "--yes" in capsys.readouterr().err
