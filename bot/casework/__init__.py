"""The coordination office's work on a request, apart from any web framework.

:mod:`bot.casework.store` claims, hands back, assigns, notes, replies and
closes; :mod:`bot.casework.newcomer` writes what the newcomer is told (in
their language, through their channel); :mod:`bot.casework.preview` shows
a reply as the newcomer will read it, :mod:`bot.casework.templates` keeps
reusable replies and :mod:`bot.casework.labels` the German names the office
shows. The office app (:mod:`bot.office`)
and the chat channels (:mod:`bot.casework.relay`) are its two callers.
"""
