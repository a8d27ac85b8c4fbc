"""Settings read from the environment: the options an operator sets in .env."""

from __future__ import annotations

import pytest

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


def test_the_rest_channel_is_off_unless_switched_on() -> None:
    assert load_settings({}).rest_channel is False
    assert load_settings({"WELCOME_REST_CHANNEL": ""}).rest_channel is False
    assert load_settings({"WELCOME_REST_CHANNEL": "off"}).rest_channel is False
    for word in ("on", "1", "true", "YES"):
        assert load_settings({"WELCOME_REST_CHANNEL": word}).rest_channel is True
    assert load_settings({}).rest_token is None
    assert load_settings({"WELCOME_REST_TOKEN": "abc"}).rest_token == "abc"


def test_a_mistyped_rest_switch_stops_the_start() -> None:
    with pytest.raises(ValueError, match="WELCOME_REST_CHANNEL"):
        load_settings({"WELCOME_REST_CHANNEL": "enabled"})


def test_the_office_believes_no_proxy_headers_unless_told_how_many_proxies_there_are() -> None:
    assert load_settings({}).office_trusted_proxies == 0
    assert load_settings({"WELCOME_OFFICE_TRUSTED_PROXIES": "1"}).office_trusted_proxies == 1
