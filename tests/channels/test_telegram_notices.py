"""The Telegram channel's own notices reach a newcomer in their language, machine translated
ones included (prepared by `welcome content translate`, with the marker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.telegram import TelegramInput
from bot.outbox import Outbox
from bot.prepared import get_prepared
from bot.settings import get_settings
from bot.store import RequestStore
from bot.texts import get_catalogue
from bot.translation.engine import Translator, reset_translator
from bot.translation.preparing import prepare
from tests.helpers import fake_telegram as tg
from tests.helpers.argos_dictionary import build_dictionary_package

PHOTO = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
# Enough words to tell the Romanian notice from the English one.
ENGLISH_ROMANIAN = {"only": "doar", "read": "citesc", "please": "vă rog", "write": "scrieți"}


@pytest.fixture
def romanian_server(tmp_path: Path, monkeypatch) -> Iterator[TelegramInput]:
    """A Telegram channel on a fresh database, with ro<->en installed and prepared."""
    monkeypatch.setenv("WELCOME_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(tmp_path / "translation"))
    get_settings.cache_clear()
    reset_translator()
    settings = get_settings()
    build_dictionary_package(settings.packages_dir, "en", "ro", ENGLISH_ROMANIAN)
    build_dictionary_package(settings.packages_dir, "ro", "en", {"doar": "only"})
    prepare(get_prepared(), ["ro"], Translator(settings.packages_dir))
    with RequestStore(settings.database_url) as store:
        store.migrate()
    channel = TelegramInput(settings)
    yield channel
    reset_translator()
    get_settings.cache_clear()


async def test_a_romanian_user_who_sends_a_photo_gets_the_notice_in_romanian(romanian_server):
    chat = 7_300_001
    update = {"update_id": tg.next_update_id(), "message": tg.message(chat, "ro", photo=PHOTO)}
    received: list = []

    async def on_new_message(message) -> None:
        received.append(message)

    await romanian_server.handle_update(update, on_new_message)

    assert received == []  # a photo is not passed on to the assistant
    outbox = Outbox(get_settings().database_url)
    try:
        (row,) = outbox.items("telegram", str(chat))
    finally:
        outbox.close()
    text = row["payload"]["text"]
    english = get_catalogue().texts["notice.not_text"]["en"]
    # Word by word: "I can only read text messages, ..." -> "I can doar citesc text messages, ..."
    assert text.startswith("I can doar citesc text messages")
    assert text.split("\n")[0] == get_prepared().lookup(english, "ro")
    assert text.endswith("\n🌐 Tradus automat")
