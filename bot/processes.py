"""Where the assistant's model lives and how its Rasa processes are started.

Shared by the commands (``welcome train``/``run``) and the background training
of the office (bot.training), which must not import the commands.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

MODEL_NAME = "welcome"
TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")


def model_path(settings: Settings) -> Path:
    return settings.model_dir / f"{MODEL_NAME}.tar.gz"


def rasa_environment(settings: Settings) -> dict[str, str]:
    """Environment for Rasa processes: quiet, offline, pointed at our services."""
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["WELCOME_ACTION_ENDPOINT_URL"] = settings.action_endpoint_url
    # The action server runs any action for any conversation it is sent: only
    # the Rasa server next to it may reach it (rasa-sdk reads SANIC_HOST).
    env["SANIC_HOST"] = "127.0.0.1"
    env["LOG_LEVEL"] = settings.log_level  # Rasa's own variable
    # Child processes read their settings from the environment: hand ours on,
    # so the Rasa server and the action server share one database and folder.
    env["WELCOME_DATABASE_URL"] = settings.database_url
    env["WELCOME_VAR_DIR"] = str(settings.var_dir)
    env["WELCOME_CONTENT_DIR"] = str(settings.content_dir)
    env["WELCOME_ACTION_PORT"] = str(settings.action_port)
    env["WELCOME_RASA_PORT"] = str(settings.rasa_port)
    env["WELCOME_TRANSLATION_DIR"] = str(settings.packages_dir.parent)
    env["WELCOME_REST_CHANNEL"] = "on" if settings.rest_channel else "off"
    if settings.rest_token:
        env["WELCOME_REST_TOKEN"] = settings.rest_token
    else:
        env.pop("WELCOME_REST_TOKEN", None)
    env["WELCOME_MODEL_DIR"] = str(settings.model_dir)
    if settings.model_swap_token:
        env["WELCOME_MODEL_SWAP_TOKEN"] = settings.model_swap_token
    else:
        env.pop("WELCOME_MODEL_SWAP_TOKEN", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env
