"""Retention and erasure leave nothing of a person, and the county's figures survive.

Every test fills the database the way the assistant and the office do (a
conversation in Rasa's events, a request, the office's reply on the
newcomer's channel, a note, an interpreter booked, cached translations, an
e-mail to the contact address) and then looks for the person in every table
of the database, whatever its name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import privacy
from bot.casework.store import Casework, Staff
from bot.cli import main
from bot.outbox import Outbox
from bot.store import RequestStore
from bot.store.db import make_engine
from bot.store.figures import ANONYMISED_SENDER
from bot.store.models import Interpreter
from bot.store.tracker_store import WelcomeTrackerStore
from bot.translation.cache import TranslationCache, source_digest

NOW = dt.datetime.now(dt.timezone.utc)
ROUTE = "r1|ar-en@1.0|beam2"


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@dataclass
class Person:
    """A newcomer as the database knows them: what to look for after forgetting."""

    sender: str
    email: str
    secret: str  # what they wrote (in the chat, the excerpt, to the office)
    reference: str = ""

    @property
    def chat(self) -> str | None:
        return self.sender[3:] if self.sender.startswith("tg-") else None

    def markers(self) -> set[str]:
        """Found anywhere inside a value (the chat id: as a whole value, digits occur anywhere)."""
        return {self.sender, self.email, self.secret, source_digest(self.secret)}


def engine_for(url: str) -> sa.engine.Engine:
    return make_engine(url)


def traces(url: str, person: Person) -> dict[str, int]:
    """Rows in any table holding anything of ``person`` (by table)."""
    engine = engine_for(url)
    found: dict[str, int] = {}
    try:
        with engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                    values = " | ".join(str(value) for value in row)
                    whole = {str(value) for value in row}
                    if any(marker in values for marker in person.markers()) or (
                        person.chat in whole
                    ):
                        found[table] = found.get(table, 0) + 1
    finally:
        engine.dispose()
    return found


def rows(url: str, query: str, **parameters) -> list:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(query), parameters))
    finally:
        engine.dispose()


def execute(url: str, query: str, **parameters) -> None:
    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(query), parameters)
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return {
                table: sorted(
                    str(tuple(row))
                    for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))
                )
                for table in sa.inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


@pytest.fixture
def tracker_store(store: RequestStore, database_url: str) -> Iterator[WelcomeTrackerStore]:
    tracker_store = WelcomeTrackerStore(domain=Domain.empty(), url=database_url, startup_retries=0)
    yield tracker_store
    tracker_store.close()


@pytest.fixture
def coordinator(add_staff: Callable[..., Staff]) -> Staff:
    return add_staff("Klara Koordination")


@pytest.fixture
def interpreter_id(database_url: str) -> int:
    engine = engine_for(database_url)
    with engine.begin() as connection:
        result = connection.execute(
            Interpreter.__table__.insert().values(
                name="Samir Dolmetsch", languages=[{"language": "ar"}], towns=[],
                modes=["on_site"], weekdays=["mon"], listing_consent=True, created_at=NOW,
            )
        )  # fmt: skip
        identifier = int(result.inserted_primary_key[0])
    engine.dispose()
    return identifier


@pytest.fixture
def make_person(
    store: RequestStore,
    casework: Casework,
    tracker_store: WelcomeTrackerStore,
    coordinator: Staff,
    interpreter_id: int,
    database_url: str,
) -> Callable[..., object]:
    """A newcomer with a request the office worked on (an async factory)."""

    async def make(
        sender: str,
        *,
        created_days: float = 0,
        last_message_days: float = 0,
        status: str = "new",
        closed_days: float | None = None,
        town: str = "Sindelfingen",
        channel: str = "telegram",
    ) -> Person:
        person = Person(
            sender=sender,
            email=f"{sender.replace('-', '')}@example.org",
            secret=f"Ich wohne in der Geheimstraße {abs(hash(sender)) % 1000} ({sender})",
        )
        at = days_ago(last_message_days).timestamp()
        await tracker_store.save(
            DialogueStateTracker.from_events(
                sender,
                [
                    ActionExecuted("action_listen", timestamp=at - 2),
                    UserUttered(
                        person.secret, intent={"name": "greet", "confidence": 1.0}, timestamp=at - 1
                    ),
                    BotUttered("Hallo!", timestamp=at),
                ],
            )
        )
        request = store.save_request(
            sender_id=sender,
            channel=channel,
            category="interpreter",
            language="ar",
            fields={"municipality": town, "contact": person.email, "description": person.secret},
            excerpt=[{"role": "user", "text": person.secret, "text_de": person.secret}],
        )
        person.reference = request.reference
        casework.claim(request.reference, coordinator)
        casework.reply(
            request.reference, coordinator, "Wir kümmern uns.", "سنهتم بالأمر", "ar", True
        )
        casework.note(request.reference, coordinator, f"Rückruf an {person.email}")
        cache = TranslationCache(database_url)
        cache.put(ROUTE, person.secret, "I live in a secret street")
        cache.close()
        # The office's reply reached the chat (its text is emptied once sent).
        execute(database_url, "UPDATE outbox SET status = 'sent', payload = '{}'")
        outbox = Outbox(database_url)
        sent = outbox.enqueue(privacy.EMAIL_CHANNEL, person.email, [{"text": "Antwort"}])
        outbox.mark_sent(sent[0])
        outbox.close()
        request_id = rows(
            database_url, "SELECT id FROM handoff_requests WHERE reference = :r", r=person.reference
        )[0].id
        execute(
            database_url,
            "INSERT INTO interpreter_assignments (request_id, interpreter_id, language, mode, "
            "appointment_date, place, status, created_at) VALUES (:r, :i, 'ar', 'on_site', "
            "'2024-05-06', :place, 'active', :now)",
            r=request_id,
            i=interpreter_id,
            place=f"Landratsamt, bei {person.email}",
            now=NOW,
        )
        created = days_ago(created_days)
        closed = days_ago(closed_days) if closed_days is not None else None
        execute(
            database_url,
            "UPDATE outbox SET created_at = :at WHERE recipient IN (:chat, :email)",
            at=days_ago(last_message_days),
            chat=person.chat or "-",
            email=person.email,
        )
        execute(
            database_url,
            "UPDATE handoff_requests SET created_at = :created, first_reply_at = :reply, "
            "updated_at = :updated, status = :status, closed_at = :closed WHERE id = :id",
            created=created,
            reply=created + dt.timedelta(hours=3),
            updated=closed or created + dt.timedelta(hours=3),
            status=status,
            closed=closed,
            id=request_id,
        )
        return person

    return make


def figures(url: str) -> list:
    return rows(
        url,
        "SELECT month, category, language, town, channel, first_reply_seconds, close_seconds, "
        "interpreter_languages FROM request_figures ORDER BY id",
    )


def languages_of(row) -> list[str]:
    value = row.interpreter_languages
    return json.loads(value) if isinstance(value, str) else value


# -- erasure ------------------------------------------------------------------------------


async def test_an_erasure_ordered_in_the_office_leaves_nothing_of_the_person(
    make_person, database_url: str
) -> None:
    amina = await make_person("tg-987654321", created_days=3)
    other = await make_person("web-" + "a" * 32, channel="webchat")
    assert set(traces(database_url, amina)) >= {
        "events", "handoff_requests", "case_entries", "outbox", "translation_cache",
        "interpreter_assignments",
    }  # fmt: skip

    forgotten = privacy.erase_request_person(
        amina.reference.lower(), username="klara", staff_id=7, address="10.0.0.5",
        database_url=database_url,
    )  # fmt: skip

    assert traces(database_url, amina) == {}
    assert forgotten.requests == 1 and forgotten.figures == 1
    assert "handoff_requests" in traces(database_url, other)  # nobody else
    [row] = figures(database_url)
    created = days_ago(3)
    assert row.month == created.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m")
    assert (row.category, row.language, row.town, row.channel) == (
        "interpreter", "ar", "Sindelfingen", "telegram",
    )  # fmt: skip
    assert (row.first_reply_seconds, row.close_seconds) == (3 * 3600, None)
    assert languages_of(row) == ["ar"]
    [audit] = rows(database_url, "SELECT * FROM audit_log WHERE action = 'erase'")
    assert (audit.username, audit.staff_id, audit.reference) == ("klara", 7, amina.reference)
    assert amina.email not in audit.detail and amina.sender not in audit.detail


async def test_erasing_an_unknown_request_says_so_in_german(store, database_url: str) -> None:
    with pytest.raises(privacy.ErasureError, match="gibt es nicht"):
        privacy.erase_request_person("WL-NOPE", username="klara", database_url=database_url)


async def test_delete_my_data_in_the_chat_keeps_the_owed_confirmation_and_the_figures(
    make_person, database_url: str
) -> None:
    amina = await make_person("tg-987654321")
    outbox = Outbox(database_url)
    outbox.enqueue("telegram", amina.chat, [{"text": "Ihre Daten sind gelöscht."}])
    outbox.close()

    forgotten = privacy.forget(amina.sender, database_url)

    assert forgotten.figures == 1
    # Only the confirmation still owed to the chat is left (its text goes once sent).
    assert traces(database_url, amina) == {"outbox": 1}
    assert rows(database_url, "SELECT * FROM audit_log") == []  # nobody of the staff acted


# -- retention ----------------------------------------------------------------------------


async def test_retention_closes_silent_requests_and_deletes_old_ones_with_their_figures_kept(
    make_person, database_url: str
) -> None:
    silent = await make_person("tg-48151111", created_days=70, status="waiting")
    old = await make_person(
        "tg-48152222", created_days=200, last_message_days=195, status="done", closed_days=190
    )
    recent = await make_person("tg-48153333", created_days=5, status="done", closed_days=1)
    execute(
        database_url,
        "INSERT INTO audit_log (at, username, action) VALUES (:old, 'klara', 'view'), "
        "(:new, 'klara', 'view')",
        old=days_ago(800),
        new=days_ago(1),
    )
    told = len(rows(database_url, "SELECT * FROM outbox WHERE recipient = '48151111'"))

    purged = privacy.purge(
        database_url, close_idle_days=60, closed_days=180, conversation_days=90,
        mode="delete", audit_days=730, batch=500,
    )  # fmt: skip

    assert (purged.closed, purged.requests, purged.anonymised, purged.figures) == (1, 1, 0, 1)
    assert (purged.conversations, purged.audit_entries) == (1, 1)
    assert traces(database_url, old) == {}
    [closed] = rows(
        database_url,
        "SELECT status, closed_at FROM handoff_requests WHERE reference = :r",
        r=silent.reference,
    )
    assert closed.status == "done" and closed.closed_at is not None
    [entry] = rows(
        database_url,
        "SELECT e.kind, e.data FROM case_entries e JOIN handoff_requests r "
        "ON r.id = e.request_id WHERE r.reference = :r AND e.kind = 'status'",
        r=silent.reference,
    )
    data = json.loads(entry.data) if isinstance(entry.data, str) else entry.data
    assert data == {"from": "waiting", "to": "done", "by": "retention"}
    # Nobody was told: no message to the silent chat was queued.
    assert len(rows(database_url, "SELECT * FROM outbox WHERE recipient = '48151111'")) == told
    assert {
        row.reference for row in rows(database_url, "SELECT reference FROM handoff_requests")
    } == {
        silent.reference,
        recent.reference,
    }
    [row] = figures(database_url)
    assert (row.category, row.language, row.town, row.channel) == (
        "interpreter", "ar", "Sindelfingen", "telegram",
    )  # fmt: skip
    assert (row.first_reply_seconds, row.close_seconds) == (3 * 3600, 10 * 24 * 3600)
    assert languages_of(row) == ["ar"]
    audit = rows(database_url, "SELECT username, action, detail FROM audit_log ORDER BY at")
    assert [(a.username, a.action) for a in audit] == [("klara", "view"), ("cli", "retention")]
    assert "gelöscht=1" in audit[1].detail and "geschlossen=1" in audit[1].detail


async def test_anonymise_mode_keeps_the_row_without_anything_of_the_person(
    make_person, database_url: str
) -> None:
    old = await make_person(
        "tg-48152222", created_days=200, last_message_days=20, status="done", closed_days=190
    )

    purged = privacy.purge(database_url, mode="anonymise", closed_days=180)
    again = privacy.purge(database_url, mode="anonymise", closed_days=180)

    assert (purged.anonymised, purged.requests, purged.figures) == (1, 0, 1)
    assert (again.anonymised, again.figures) == (0, 0)  # counted once
    assert len(figures(database_url)) == 1
    remaining = traces(database_url, old)
    # The conversation is recent (retention deletes it later); the request keeps nothing.
    assert set(remaining) <= {"events", "translation_cache", "outbox"}
    [request] = rows(database_url, "SELECT * FROM handoff_requests")
    assert request.sender_id == ANONYMISED_SENDER
    assert (request.category, request.language, request.town) == (
        "interpreter", "ar", "Sindelfingen",
    )  # fmt: skip
    fields = json.loads(request.fields) if isinstance(request.fields, str) else request.fields
    excerpt = json.loads(request.excerpt) if isinstance(request.excerpt, str) else request.excerpt
    assert (fields, excerpt) == ({}, [])
    entries = rows(database_url, "SELECT text, text_translated, data FROM case_entries")
    assert entries and all(entry == (None, None, None) for entry in entries)
    [booking] = rows(database_url, "SELECT appointment_date, place FROM interpreter_assignments")
    assert tuple(booking) == (None, None)
    # The office can no more erase it: it belongs to nobody.
    with pytest.raises(privacy.ErasureError, match="anonymisiert"):
        privacy.erase_request_person(request.reference, username="klara", database_url=database_url)


async def test_one_run_does_at_most_a_batch_of_each_kind(make_person, database_url: str) -> None:
    for number in range(3):
        await make_person(f"tg-4816100{number}", created_days=70, last_message_days=100)
        await make_person(
            f"tg-4816200{number}", created_days=300, last_message_days=100, status="done",
            closed_days=200,
        )  # fmt: skip

    first = privacy.purge(database_url, batch=2)
    second = privacy.purge(database_url, batch=2)

    assert (first.closed, first.requests, first.conversations) == (2, 2, 2)
    assert (second.closed, second.requests, second.conversations) == (1, 1, 2)
    assert len(figures(database_url)) == 3


async def test_a_dry_run_changes_nothing_and_counts_what_the_run_then_does(
    make_person, database_url: str
) -> None:
    await make_person("tg-48151111", created_days=70, status="new")
    await make_person(
        "tg-48152222", created_days=200, last_message_days=195, status="done", closed_days=190
    )
    await make_person("tg-48153333", created_days=5)
    before = snapshot(database_url)

    planned = privacy.purge(database_url, dry_run=True)

    assert snapshot(database_url) == before
    done = privacy.purge(database_url)
    assert planned.dry_run and not done.dry_run
    for kind in ("closed", "requests", "anonymised", "figures", "conversations", "events"):
        assert getattr(planned, kind) == getattr(done, kind), kind
    assert (done.closed, done.requests, done.conversations) == (1, 1, 1)


def test_run_retention_takes_everything_from_the_settings(store, database_url: str) -> None:
    from bot.settings import load_settings

    settings = load_settings(
        {"WELCOME_DATABASE_URL": database_url, "WELCOME_RETENTION_MODE": "anonymise"}
    )

    purged = privacy.run_retention(settings)

    assert purged == privacy.Purged(0, 0, 0, 0, 0, 0, 0, 0, 0)
    [audit] = rows(database_url, "SELECT username, action FROM audit_log")
    assert tuple(audit) == ("retention", "retention")


# -- the command ----------------------------------------------------------------------------


async def test_the_command_dry_run_and_overrides(make_person, database_url: str, capsys) -> None:
    await make_person("tg-48152222", created_days=40, status="done", closed_days=35)

    assert (
        main(
            [
                "requests",
                "purge",
                "--dry-run",
                "--closed-days",
                "30",
                "--database-url",
                database_url,
            ]
        )
        == 0
    )
    assert "Dry run, nothing changed" in capsys.readouterr().out
    assert len(rows(database_url, "SELECT * FROM handoff_requests")) == 1

    code = main(
        ["requests", "purge", "--closed-days", "30", "--mode", "anonymise", "--yes",
         "--database-url", database_url]
    )  # fmt: skip
    assert code == 0
    assert "anonymised 1" in capsys.readouterr().out
    [request] = rows(database_url, "SELECT sender_id FROM handoff_requests")
    assert request.sender_id == ANONYMISED_SENDER


async def test_the_forget_command_is_audited_as_cli(make_person, database_url: str) -> None:
    amina = await make_person("tg-987654321")

    assert main(["requests", "forget", amina.sender, "--yes", "--database-url", database_url]) == 0

    assert set(traces(database_url, amina)) <= {"outbox"} and len(figures(database_url)) == 1
    [audit] = rows(database_url, "SELECT username, action, reference FROM audit_log")
    assert tuple(audit) == ("cli", "erase", None)
