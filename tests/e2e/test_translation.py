"""The full loop with installed models: Romanian, Polish or French in, the same out.

A second assistant runs with word-by-word test models installed from
``.argosmodel`` files through ``welcome languages install --from-file`` and the
answers prepared by ``welcome content translate``, as an operator would do on
an offline server. Users write in their language; the NLU reads the English
translation; the answers are the prepared translations with the marker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import yaml

from bot import privacy
from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT, Settings
from bot.store import RequestStore
from bot.translation.cache import source_digest
from tests.e2e.support import Chat, assert_polite, stored_events, transcript
from tests.helpers import services
from tests.helpers.dictionaries import OFFER_SEARCH_RO, SENTENCES, build_models
from tests.helpers.services import RunningAssistant, running_assistant

pytestmark = pytest.mark.model

# Curated markers (data/texts.yml, marker.machine_translated); awaiting native review.
MARKERS = {
    "ro": "🌐 Tradus automat",
    "pl": "🌐 Przetłumaczono automatycznie",
    "fr": "🌐 Traduit automatiquement",
}


def welcome(
    settings: Settings, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        WELCOME_VAR_DIR=str(settings.var_dir),
        WELCOME_TRANSLATION_DIR=str(settings.packages_dir.parent),
        WELCOME_DATABASE_URL=settings.database_url,
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def translating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    var_dir = tmp_path_factory.mktemp("e2e-translating")
    settings = services.test_settings(var_dir)
    if not model_path(settings).exists():
        pytest.skip(f"no trained model at {model_path(settings)}; run `make train`")
    models = build_models(var_dir / "argosmodels")
    installed = welcome(
        settings, "languages", "install", "ro", "pl", "fr", "--from-file", str(models)
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    prepared = welcome(settings, "content", "translate")
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    with running_assistant(settings, var_dir / "services.log") as running:
        yield running


def english_response(name: str, file: str = "interpreter") -> str:
    data = yaml.safe_load((PROJECT_ROOT / "config" / "domain" / f"{file}.yml").read_text())
    for variation in data["responses"][name]:
        if any(c.get("value") == "en" for c in variation.get("condition") or []):
            return variation["text"]
    raise KeyError(name)


def prepared(settings: Settings, language: str) -> dict[str, str]:
    document = json.loads((settings.prepared_dir / f"{language}.json").read_text("utf-8"))
    return document["entries"]


@pytest.mark.parametrize("language", ["ro", "pl", "fr"])
def test_a_request_in_a_translated_language_is_understood_and_answered_in_it(
    translating: RunningAssistant, language: str
):
    chat = Chat(
        translating.base_url, f"tr-{uuid.uuid4().hex[:10]}", translating.settings.rest_token
    )
    replies = chat.say(SENTENCES[language])
    assert_polite(replies, SENTENCES[language])

    # Understood: the interpreter journey starts (its intro and first question).
    entries = prepared(translating.settings, language)
    intro = entries[english_response("utter_interpreter_intro")]
    question = entries[english_response("utter_ask_interpreter_language")]
    texts = [m.get("text") or "" for m in replies]
    assert texts[0] == f"{intro}\n{MARKERS[language]}", transcript(replies)
    assert texts[-1] == f"{question}\n{MARKERS[language]}", transcript(replies)
    # Answered in that language: the prepared text, not the English source.
    assert intro != english_response("utter_interpreter_intro")
    # The guidelines (content) carry it too. (The REST channel splits a message
    # at blank lines, so the marker ends the last part of each message.)
    assert sum(text.endswith(MARKERS[language]) for text in texts) >= 3, transcript(replies)


def test_a_short_thank_you_in_a_translated_conversation_is_understood(
    translating: RunningAssistant,
):
    chat = Chat(
        translating.base_url, f"tr-{uuid.uuid4().hex[:10]}", translating.settings.rest_token
    )
    chat.say(SENTENCES["ro"])
    chat.say("/stop")
    replies = chat.say("Mulțumesc")  # too short to be sure of, clear enough to read
    thanks = prepared(translating.settings, "ro")[english_response("utter_thank", "_shared")]
    assert [m.get("text") for m in replies] == [f"{thanks}\n{MARKERS['ro']}"], transcript(replies)


def test_names_survive_and_offers_are_found_for_the_town(translating: RunningAssistant):
    chat = Chat(
        translating.base_url, f"tr-{uuid.uuid4().hex[:10]}", translating.settings.rest_token
    )
    replies = chat.say(OFFER_SEARCH_RO)
    assert_polite(replies, OFFER_SEARCH_RO)
    assert (replies[-1].get("text") or "").endswith(MARKERS["ro"]), transcript(replies)
    # The town came through translation: the offers are for Sindelfingen,
    # without asking for the town again.
    replies = chat.say('/inform{"topic": "language_course"}')
    texts = [m.get("text") or "" for m in replies]
    assert any("Sindelfingen" in text for text in texts), transcript(replies)
    assert texts[-1].endswith(MARKERS["ro"]), transcript(replies)


def test_welcome_parse_shows_the_language_and_the_english_it_read(translating: RunningAssistant):
    result = welcome(translating.settings, "parse", stdin=f"{SENTENCES['ro']}\n{OFFER_SEARCH_RO}\n")
    assert result.returncode == 0, result.stderr[-2000:]
    interpreter, offers = [json.loads(line) for line in result.stdout.splitlines()]
    assert interpreter["language"] == "ro"
    assert interpreter["intent"] == "request_interpreter"
    assert interpreter["translation"] == {
        "source_language": "ro",
        "text": "I need of an interpreter for an appointment at doctor.",
    }
    assert offers["intent"] == "ask_offers"
    town = [e for e in offers["entities"] if e["entity"] == "municipality"]
    # Found in the English translation, pointing into the Romanian original.
    assert town == [{"entity": "municipality", "value": "Sindelfingen", "text": "Sindelfingen"}]


def test_the_office_reads_german_next_to_the_users_words(translating: RunningAssistant):
    chat = Chat(
        translating.base_url, f"tr-{uuid.uuid4().hex[:10]}", translating.settings.rest_token
    )
    chat.say(SENTENCES["ro"])  # the conversation is in Romanian now
    chat.say("/stop")  # not the interpreter form: a person, please
    chat.say("/request_human")
    chat.say("/affirm")
    chat.say("0151 23456789")
    note = SENTENCES["ro"]
    replies = chat.say(note)
    assert_polite(replies, note)
    assert (replies[-1].get("text") or "").endswith(MARKERS["ro"]), transcript(replies)

    store = RequestStore(translating.settings.database_url)
    try:
        mine = [r for r in store.list_requests() if r.sender_id == chat.sender]
        assert len(mine) == 1, transcript(chat.all_replies())
        (stored,) = mine
    finally:
        store.close()
    assert stored.language == "ro"
    # The user's own words stay the record; German (ro -> en -> de) sits next to them.
    assert stored.fields["handoff_note"] == note
    german = "Ich brauche von einen Dolmetscher für einen Termin beim Arzt."
    assert stored.fields["handoff_note_de"] == german
    assert {"role": "user", "text": note, "text_de": german} in stored.excerpt


def test_delete_my_data_leaves_nothing_of_what_the_user_said_in_any_personal_table(
    translating: RunningAssistant,
):
    chat = Chat(
        translating.base_url, f"tr-{uuid.uuid4().hex[:10]}", translating.settings.rest_token
    )
    said = [SENTENCES["ro"], OFFER_SEARCH_RO]
    for text in said:
        chat.say(text)  # translated for the NLU: the translations are cached
    chat.say("/stop")
    chat.say("/request_human")
    chat.say("/affirm")
    chat.say("0151 23456789")
    chat.say(SENTENCES["ro"])  # the note, translated to German for the office
    url = translating.settings.database_url
    hashes = {source_digest(text) for text in said}
    assert cached_hashes(url) & hashes, "nothing was cached: the test would prove nothing"
    assert requests_of_sender(url, chat.sender)

    chat.say("/delete_data")
    replies = chat.say("/affirm")
    assert_polite(replies, "/affirm")

    # The tables where a newcomer's words can be (the office's own tables hold staff
    # and interpreters; the request's history goes with the request).
    tables = {table.name for table in privacy.PERSONAL_DATA}
    assert {"handoff_requests", "events", "translation_cache", "outbox", "case_entries"} <= tables
    assert requests_of_sender(url, chat.sender) == []
    events = stored_events(url, chat.sender)
    for text in [*said, "0151 23456789"]:
        assert all(text not in row for row in events), f"{text!r} is still stored"
    assert all('"event": "user"' not in row for row in events)
    assert not cached_hashes(url) & hashes
    # (The outbox holds Telegram chats only: tests/channels/test_telegram.py.)


def _query(url: str, sql: str, **parameters) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), parameters))
    finally:
        engine.dispose()


def cached_hashes(url: str) -> set[str]:
    return {row.source_hash for row in _query(url, "SELECT source_hash FROM translation_cache")}


def requests_of_sender(url: str, sender: str) -> list:
    return _query(url, "SELECT id FROM handoff_requests WHERE sender_id = :s", s=sender)
