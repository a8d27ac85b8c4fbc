"""A publication reaches the running assistant without a restart.

The real Rasa server and action server run on their own database; content is
published there like the office does, and a newcomer chatting through the
REST channel gets the new text within seconds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from bot.commands.service import model_path
from bot.content.store import ContentStore
from tests.e2e.support import Chat, payloads, texts, transcript
from tests.helpers import services
from tests.helpers.services import RunningAssistant, running_assistant

NEW_TITLE = "Integrationskurs mit Kinderbetreuung"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """An assistant of its own: the publication must not change the other e2e tests' content."""
    var_dir = tmp_path_factory.mktemp("publishing-assistant")
    settings = services.test_settings(var_dir)
    if not model_path(settings).exists():
        pytest.skip(f"no trained model at {model_path(settings)}; run `make train`")
    with running_assistant(settings, var_dir / "services.log") as running:
        yield running


def county_wide_courses(assistant: RunningAssistant) -> list[str]:
    """What a new newcomer is shown when looking for a German course anywhere in the county."""
    chat = Chat(assistant.base_url, f"e2e-{uuid.uuid4().hex[:12]}", assistant.settings.rest_token)
    messages = chat.say("Ich suche einen Deutschkurs")
    anywhere = [payload for payload in payloads(messages) if '"all"' in payload]
    assert anywhere, transcript(messages)
    return texts(chat.say(anywhere[0]))


def test_an_edited_offer_is_live_without_restart(assistant: RunningAssistant) -> None:
    before = county_wide_courses(assistant)
    assert any("Integrationskurs" in text for text in before), before
    assert not any(NEW_TITLE in text for text in before)

    with ContentStore(assistant.settings.database_url) as store:
        offers = store.draft_texts()["offers.yml"]
        assert "      de: Integrationskurs\n" in offers
        store.save_draft(
            "offers.yml",
            offers.replace("      de: Integrationskurs\n", f"      de: {NEW_TITLE}\n", 1),
            "redaktion",
        )
        store.publish("redaktion")

    deadline = time.monotonic() + 30
    shown = county_wide_courses(assistant)
    while not any(NEW_TITLE in text for text in shown) and time.monotonic() < deadline:
        time.sleep(0.5)
        shown = county_wide_courses(assistant)
    assert any(NEW_TITLE in text for text in shown), shown
