"""`welcome run` gives the Rasa server and the office one model swap token per start."""

from __future__ import annotations

from bot.commands.service import office_environment, rasa_environment, with_model_swap_token
from bot.settings import load_settings


def test_without_a_configured_token_each_start_makes_up_one_and_hands_it_on() -> None:
    settings = load_settings({})
    first, second = with_model_swap_token(settings), with_model_swap_token(settings)

    assert first.model_swap_token and second.model_swap_token
    assert first.model_swap_token != second.model_swap_token
    assert len(first.model_swap_token) >= 32
    assert rasa_environment(first)["WELCOME_MODEL_SWAP_TOKEN"] == first.model_swap_token
    assert office_environment(first)["WELCOME_MODEL_SWAP_TOKEN"] == first.model_swap_token


def test_a_configured_token_is_kept() -> None:
    settings = load_settings({"WELCOME_MODEL_SWAP_TOKEN": "from-the-operator"})
    assert with_model_swap_token(settings).model_swap_token == "from-the-operator"
