"""Swapping the model of the running Rasa server while people chat (bot/channels/model_swap.py)."""

from __future__ import annotations

import dataclasses
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.training.server import SwapError, request_swap, served_model
from tests.e2e.support import _responses
from tests.helpers.services import RunningAssistant
from tests.training.conftest import VARIANT_FILE, VARIANT_GREETING

USERS = 20


def greetings_of_trained_model() -> set[str]:
    return {variation["text"] for variation in _responses()["utter_greet"]}


@dataclasses.dataclass
class Turn:
    started: float
    texts: list[str] | None = None
    problem: str | None = None


def chat_until(assistant: RunningAssistant, sender: str, stop: threading.Event, turns: list[Turn]):
    while not stop.is_set():
        turn = Turn(time.monotonic())
        try:
            turn.texts = assistant.texts(sender, "Hallo")
        except Exception as problem:  # noqa: BLE001 - every failure is a finding
            turn.problem = repr(problem)
        turns.append(turn)


def test_a_swap_while_twenty_users_chat_loses_no_turn(assistant: RunningAssistant) -> None:
    stop = threading.Event()
    turns: dict[str, list[Turn]] = {f"swap-user-{n}": [] for n in range(USERS)}
    users = [
        threading.Thread(target=chat_until, args=(assistant, sender, stop, log), daemon=True)
        for sender, log in turns.items()
    ]
    for user in users:
        user.start()
    while min(len(log) for log in turns.values()) < 2:
        time.sleep(0.2)

    result = request_swap(assistant.settings, VARIANT_FILE)
    swapped = time.monotonic()
    while min(sum(turn.started > swapped for turn in log) for log in turns.values()) < 2:
        time.sleep(0.2)
    stop.set()
    for user in users:
        user.join(timeout=60)

    assert result["state"] == "swapped"
    old, new = greetings_of_trained_model(), VARIANT_GREETING
    for sender, log in turns.items():
        for turn in log:
            assert turn.problem is None, (sender, turn.problem)
            assert turn.texts, f"{sender} got no answer"
            assert turn.texts[0] in old | {new}, (sender, turn.texts)
            if turn.started > swapped:
                assert turn.texts[0] == new, (sender, turn.texts)
    assert served_model(assistant.settings)["model_file"] == VARIANT_FILE


def test_a_model_that_cannot_be_loaded_leaves_the_old_one_serving(
    assistant: RunningAssistant, model_dir: Path
) -> None:
    (model_dir / "broken.tar.gz").write_bytes(b"not a model")
    with pytest.raises(SwapError, match="nicht geladen|could not be loaded"):
        request_swap(assistant.settings, "broken.tar.gz")
    assert assistant.texts("swap-after-broken", "Hallo")[0] in greetings_of_trained_model()
    assert served_model(assistant.settings)["model_file"] == "welcome.tar.gz"


def test_the_swap_door_needs_its_token(assistant: RunningAssistant) -> None:
    for token in (None, "wrong"):
        request = urllib.request.Request(
            f"{assistant.base_url}/webhooks/model/swap",
            data=b'{"model": "variant.tar.gz"}',
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401
    assert assistant.texts("swap-no-token", "Hallo")[0] in greetings_of_trained_model()
