"""Rasa input channels of the assistant (loaded by module path from ``config/credentials.yml``).

- :mod:`bot.channels.telegram`: Telegram (webhook; ``welcome telegram poll`` without public HTTPS)
- :mod:`bot.channels.webchat`: the web chat page and widget
- :mod:`bot.channels.rest`: the REST channel, off unless switched on (``welcome chat``, tests)

Each channel speaks only in conversations of its own namespace (:mod:`bot.senders`).
The channels import Rasa; nothing outside the Rasa server imports them, except
the pure parts (:mod:`bot.channels.telegram.updates`, ``.tuning``, :mod:`.flood`).
"""
