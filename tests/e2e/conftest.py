"""End-to-end fixtures: the real Rasa server, action server and SQLite database,
started once for all e2e tests; every test talks as a new sender."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.commands.service import model_path
from bot.store import RequestStore
from tests.e2e.support import Chat
from tests.helpers.services import RunningAssistant, running_assistant, test_settings


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    var_dir = tmp_path_factory.mktemp("e2e-assistant")
    settings = test_settings(var_dir)
    if not model_path(settings).exists():
        pytest.skip(f"no trained model at {model_path(settings)}; run `make train`")
    with running_assistant(settings, var_dir / "services.log") as running:
        yield running


@pytest.fixture(scope="session")
def store(assistant: RunningAssistant) -> Iterator[RequestStore]:
    request_store = RequestStore(assistant.settings.database_url)
    yield request_store
    request_store.close()


@pytest.fixture
def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def chat(assistant: RunningAssistant, sender: str) -> Chat:
    return Chat(assistant.base_url, sender, assistant.settings.rest_token)
