"""Settings read from the environment: the options an operator sets in .env."""

from __future__ import annotations

from bot.settings import load_settings


def test_the_widget_may_be_embedded_anywhere_by_default() -> None:
    assert load_settings({}).cors_origins == ("*",)
    assert load_settings({"WELCOME_CORS_ORIGINS": "  "}).cors_origins == ("*",)


def test_embedding_sites_can_be_listed_with_spaces_or_commas() -> None:
    settings = load_settings(
        {"WELCOME_CORS_ORIGINS": "https://www.lrabb.de, https://www.sindelfingen.de  https://x.de"}
    )
    assert settings.cors_origins == (
        "https://www.lrabb.de",
        "https://www.sindelfingen.de",
        "https://x.de",
    )
