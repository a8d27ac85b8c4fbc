"""A new user sets TELEGRAM_BOT_TOKEN, runs `welcome run` (what `make run` runs) and chats.

Without TELEGRAM_WEBHOOK_URL the assistant polls Telegram itself; here
"Telegram" is the fake Bot API server on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from bot.commands.service import model_path
from bot.settings import PROJECT_ROOT, get_settings
from tests.helpers import fake_telegram as tg
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.services import free_port

pytestmark = pytest.mark.model


def test_setting_the_token_and_running_the_assistant_is_enough_to_chat(tmp_path):
    if not (PROJECT_ROOT / "models" / model_path(get_settings()).name).exists():
        pytest.fail("no trained model; run `make train`")
    with FakeTelegram() as fake:
        env = {
            **os.environ,
            "WELCOME_VAR_DIR": str(tmp_path),
            "WELCOME_RASA_PORT": str(free_port()),
            "WELCOME_ACTION_PORT": str(free_port()),
            "WELCOME_OFFICE_PORT": str(free_port()),
            "WELCOME_MODEL_DIR": str(PROJECT_ROOT / "models"),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
        }
        env.pop("TELEGRAM_WEBHOOK_URL", None)
        env.pop("WELCOME_DATABASE_URL", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            chat = 7_100_001
            fake.push_update(tg.text_update(chat, "/start"))
            fake.push_update(tg.text_update(chat, "Ich brauche einen Dolmetscher"))
            texts = fake.wait_for(
                lambda: [t for t in fake.texts(chat) if "Dolmetscher" in t] and fake.texts(chat),
                timeout=180,
                what="the replies to /start and the interpreter request",
            )
        finally:
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=60)
        assert "polling" in output, output[-2000:]
        assert texts, output[-2000:]
        # The greeting and the start of the interpreter journey, in German.
        assert any("Dolmetscher" in text for text in texts), texts
