"""What a coordinator sees before a reply goes out: the newcomer's text and a check."""

from __future__ import annotations

from pathlib import Path

from bot.casework.preview import preview_reply
from bot.translation.engine import Translator
from tests.helpers.argos_dictionary import build_dictionary_package

REPLY = "Ihr Termin ist am 12.01.2027 in Sindelfingen."


def test_without_a_model_the_german_original_goes_out_with_a_note(tmp_path: Path):
    preview = preview_reply("WL-ABC123", REPLY, "ar", Translator(tmp_path))

    assert preview.untranslated
    assert preview.reply.text == REPLY and preview.reply.language == "de"
    assert preview.back_to_german is None
    # The newcomer reads the German text under an Arabic heading, and why it is German.
    assert REPLY in preview.message
    assert "WL-ABC123" in preview.message
    assert preview.message != f"{REPLY}"


def test_a_translated_reply_comes_with_its_translation_back_into_german(tmp_path: Path):
    build_dictionary_package(tmp_path, "de", "en", {"ihr": "your", "termin": "appointment"})
    build_dictionary_package(tmp_path, "en", "de", {"your": "ihr", "appointment": "termin"})

    preview = preview_reply("WL-ABC123", "Ihr Termin.", "en", Translator(tmp_path))

    assert not preview.untranslated
    assert preview.reply.machine_translated and preview.reply.language == "en"
    assert preview.reply.text.startswith("Your Appointment.")
    # The check reads the reply only, not the "machine translated" line under it.
    assert preview.back_to_german == "Ihr Termin."
    assert preview.reply.text in preview.message


def test_a_german_speaking_newcomer_reads_the_reply_as_written(tmp_path: Path):
    preview = preview_reply("WL-ABC123", REPLY, "de", Translator(tmp_path))

    assert not preview.untranslated and preview.back_to_german is None
    assert REPLY in preview.message
