"""The coordination office's work on a request, apart from any web framework.

:mod:`bot.casework.store` claims, hands back, assigns, notes, replies and
closes; :mod:`bot.casework.newcomer` writes what the newcomer is told (in
their language, through their channel). The office app (:mod:`bot.office`)
and the chat channels (:mod:`bot.casework.relay`) are its two callers.
"""
