"""Replies the coordination office writes in German reach the user in their language."""

from __future__ import annotations

from pathlib import Path

from bot.translation.engine import Translator
from bot.translation.runtime import from_german as reply_for_user
from tests.helpers.argos_dictionary import build_dictionary_package

OFFICE_REPLY = "Ihr Termin ist am 12.01.2027 im Landratsamt Böblingen. Rufen Sie 07031 663-0 an."


def dictionary_translator(packages_dir: Path) -> Translator:
    build_dictionary_package(
        packages_dir, "de", "en", {"ihr": "your", "termin": "appointment", "ist": "is"}
    )
    build_dictionary_package(
        packages_dir, "en", "ro", {"your": "dumneavoastră", "appointment": "programarea"}
    )
    return Translator(packages_dir)


def test_an_office_reply_is_translated_with_names_dates_and_numbers_intact(packages_dir: Path):
    reply = reply_for_user(OFFICE_REPLY, "ro", dictionary_translator(packages_dir))

    assert reply.machine_translated and reply.language == "ro"
    # Word by word (test model): "Ihr Termin ist" -> "Your Appointment is" -> Romanian.
    assert reply.text.startswith("Dumneavoastră Programarea is am 12.01.2027")
    for protected in ("12.01.2027", "Landratsamt Böblingen", "07031 663-0"):
        assert protected in reply.text
    assert reply.text.endswith("🌐 Tradus automat")


def test_without_a_model_the_user_gets_the_german_original(packages_dir: Path):
    reply = reply_for_user(OFFICE_REPLY, "ti", Translator(packages_dir))

    assert reply.text == OFFICE_REPLY
    assert reply.language == "de" and not reply.machine_translated


def test_german_users_get_the_reply_as_written(packages_dir: Path):
    reply = reply_for_user(OFFICE_REPLY, "de", dictionary_translator(packages_dir))

    assert reply.text == OFFICE_REPLY and not reply.machine_translated
