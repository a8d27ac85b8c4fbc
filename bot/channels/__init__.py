"""Rasa input channels of the assistant (loaded by module path from ``config/credentials.yml``).

- :mod:`bot.channels.telegram`: Telegram (webhook; ``welcome telegram poll`` without public HTTPS)
- :mod:`bot.channels.webchat`: the web chat page and widget

These modules import Rasa; nothing outside the Rasa server imports them.
"""
