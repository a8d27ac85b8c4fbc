"""The Telegram channel, built on python-telegram-bot (Rasa's own one is broken in 3.6.21).

Registered in ``config/credentials.yml`` as
``bot.channels.telegram.channel.TelegramInput:`` (the old name
``bot.channels.telegram.TelegramInput`` still works). Settings come from the
environment (``TELEGRAM_*``, :mod:`bot.settings`); the credentials entry may
override the numbers of :class:`TelegramTuning` and holds no secrets.

- :mod:`.updates`: what an update means, as a pure step (JSON in; texts for
  Rasa, a notice, or nothing out), commands and ``/start`` deep links included
- :mod:`.channel`: the Rasa input channel: routes, duplicates, flood limit,
  the notices' language, handing texts to Rasa
- :mod:`.lifecycle`: the bot, the outbox's delivery worker, the webhook
- :mod:`.output`: the bot's messages into the outbox (:mod:`bot.outbox`),
  committed before Rasa's turn ends and sent by a worker that retries until
  Telegram accepts them
- :mod:`.tuning`: flood, retry and pacing numbers, each default written once

Only :mod:`.channel`, :mod:`.lifecycle` and :mod:`.output` import Rasa; they
load when their names are first used, so that the pure parts (and the load
benchmark, which reads the tuning) do not pay for Rasa.
"""

from __future__ import annotations

from typing import Any

from bot.channels.telegram.tuning import TelegramTuning
from bot.channels.telegram.updates import Received, parse_start_parameter, read_update
from bot.outbox.telegram import CHANNEL

_RASA_BOUND = {
    "TelegramInput": "bot.channels.telegram.channel",
    "TelegramOutput": "bot.channels.telegram.output",
}


def __getattr__(name: str) -> Any:
    if name in _RASA_BOUND:
        import importlib

        return getattr(importlib.import_module(_RASA_BOUND[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CHANNEL",
    "Received",
    "TelegramInput",
    "TelegramOutput",
    "TelegramTuning",
    "parse_start_parameter",
    "read_update",
]
