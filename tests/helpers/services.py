"""Start the real action server and Rasa server for tests, on free ports."""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.commands.service import (
    model_path,
    send_rest_message,
    start_action_server,
    start_services,
    stop_services,
)
from bot.settings import PROJECT_ROOT, Settings, load_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rest_token() -> str:
    """A fresh WELCOME_REST_TOKEN for a test assistant."""
    return secrets.token_hex(16)


def test_settings(var_dir: Path, database_url: str | None = None) -> Settings:
    """Settings of an isolated assistant: own ports, own folder, own SQLite file.

    The REST channel is on, with a token of its own (the tests' helpers send it).
    """
    environ = {
        "WELCOME_VAR_DIR": str(var_dir),
        "WELCOME_RASA_PORT": str(free_port()),
        "WELCOME_ACTION_PORT": str(free_port()),
        "WELCOME_OFFICE_PORT": str(free_port()),
        "WELCOME_MODEL_DIR": str(PROJECT_ROOT / "models"),
        "WELCOME_REST_CHANNEL": "on",
        "WELCOME_REST_TOKEN": rest_token(),
        "WELCOME_MODEL_SWAP_TOKEN": rest_token(),
    }
    if database_url:
        environ["WELCOME_DATABASE_URL"] = database_url
    return load_settings(environ)


@dataclass
class RunningAssistant:
    settings: Settings
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    def send(self, sender: str, text: str) -> list[dict]:
        """One user message through the real REST channel; the bot's replies."""
        return send_rest_message(self.base_url, sender, text, token=self.settings.rest_token)

    def texts(self, sender: str, text: str) -> list[str]:
        return [reply.get("text", "") for reply in self.send(sender, text)]


@contextlib.contextmanager
def running_action_server(settings: Settings, log_path: Path) -> Iterator[Settings]:
    with open(log_path, "ab") as log:
        process = start_action_server(settings, stdout=log, stderr=log)
    try:
        yield settings
    finally:
        stop_services([process])


@contextlib.contextmanager
def running_assistant(
    settings: Settings, log_path: Path, credentials: Path | None = None
) -> Iterator[RunningAssistant]:
    """Both servers with the trained model; stopped when the block ends."""
    if not model_path(settings).exists():
        raise RuntimeError(f"no trained model at {model_path(settings)}; run `make train`")
    from bot.store import RequestStore

    RequestStore(settings.database_url).migrate()
    with open(log_path, "ab") as log:
        processes = start_services(settings, credentials, stdout=log, stderr=log)
    try:
        yield RunningAssistant(settings, log_path)
    finally:
        stop_services(processes)
