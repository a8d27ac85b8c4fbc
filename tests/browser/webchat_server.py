"""The real assistant with the web chat channel, for the web chat's HTTP and browser tests.

``welcome run`` reads ``config/credentials.yml``; these tests must not depend on
whether that file registers the web chat yet, so Rasa is started with its own
credentials file (our REST channel plus the web chat).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.commands.service import (
    _wait_until_up,
    model_path,
    rasa_environment,
    start_action_server,
    stop_services,
)
from bot.settings import PROJECT_ROOT
from tests.helpers.services import RunningAssistant, test_settings

CREDENTIALS = "bot.channels.rest.RestInput:\nbot.channels.webchat.WebChatInput:\n"


@contextlib.contextmanager
def running_webchat_assistant(var_dir: Path) -> Iterator[RunningAssistant]:
    """Action server and Rasa server with the web chat, on free ports, in ``var_dir``."""
    settings = test_settings(var_dir)
    if not model_path(settings).exists():
        raise RuntimeError(f"no trained model at {model_path(settings)}; run `make train`")
    from bot.store import RequestStore

    RequestStore(settings.database_url).migrate()
    credentials = var_dir / "credentials.yml"
    credentials.write_text(CREDENTIALS, encoding="utf-8")
    log_path = var_dir / "services.log"
    with open(log_path, "ab") as log:
        processes = [start_action_server(settings, stdout=log, stderr=log)]
        try:
            rasa = subprocess.Popen(
                [sys.executable, "-m", "rasa", "run",
                 "--model", str(model_path(settings)),
                 "--endpoints", "config/endpoints.yml",
                 "--credentials", str(credentials),
                 "--port", str(settings.rasa_port),
                 "--interface", "127.0.0.1",
                 "--cors", "*"],
                cwd=PROJECT_ROOT, env=rasa_environment(settings), stdout=log, stderr=log,
            )  # fmt: skip
            processes.append(rasa)
            if not _wait_until_up(f"http://127.0.0.1:{settings.rasa_port}/", rasa, 180):
                raise RuntimeError(f"the Rasa server did not start; see {log_path}")
        except BaseException:
            stop_services(processes)
            raise
    try:
        yield RunningAssistant(settings, log_path)
    finally:
        stop_services(processes)
