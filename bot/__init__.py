"""Willkommenslotse: the services behind the welcome assistant of Landkreis Böblingen.

Modules here hold everything that is not Rasa training data: settings, content,
the request store, language handling and the command line. Pure services never
import ``rasa_sdk``; the thin Rasa plug-ins live in ``bot.nlu`` (NLU components)
and ``bot.store.tracker_store`` (tracker store), because Rasa loads them by
import path.
"""

LANGUAGES = ("de", "en", "ar", "uk", "tr", "fa", "ru")
"""Languages the NLU is trained on natively, German first (the default)."""

DEFAULT_LANGUAGE = "de"
