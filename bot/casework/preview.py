"""What a newcomer will read of a reply the office writes in German.

The coordinator sees it before sending: the newcomer's text (machine
translated, or the German original with a note in the newcomer's language
when no model is installed) and, as a sanity check, that text translated
back into German. Translation never blocks a reply: without a model the
German original goes out.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.casework import newcomer
from bot.texts import MARKER_SIGN
from bot.translation.engine import Translator
from bot.translation.runtime import OfficeReply, from_german, to_german

STAFF_LANGUAGE = "de"


@dataclass(frozen=True)
class ReplyPreview:
    german: str
    #: What :meth:`bot.casework.store.Casework.reply` stores and sends.
    reply: OfficeReply
    #: The whole message as the newcomer reads it (heading, text, note).
    message: str
    #: ``reply.text`` translated back into German; ``None`` when no model can.
    back_to_german: str | None
    #: The newcomer's language (the request's).
    language: str

    @property
    def untranslated(self) -> bool:
        """The newcomer does not read German, yet gets the German original."""
        return self.language != STAFF_LANGUAGE and not self.reply.machine_translated


def translate_reply(
    german: str, language: str, translator: Translator | None = None
) -> OfficeReply:
    """The reply in ``language`` (never raises; the German original without a model)."""
    return from_german(german, language, translator)


def preview_reply(
    reference: str, german: str, language: str, translator: Translator | None = None
) -> ReplyPreview:
    """The preview of ``german`` for the request ``reference`` in ``language``."""
    reply = translate_reply(german, language, translator)
    back = None
    if reply.machine_translated:
        translated = to_german([_without_marker(reply.text)], reply.language, translator)
        back = translated[0] if translated else None
    message = newcomer.reply_message(
        reference, reply.text, language, translated=reply.language != STAFF_LANGUAGE
    )
    return ReplyPreview(german, reply, message, back, language)


def _without_marker(text: str) -> str:
    """``text`` without the "machine translated" line (the check is about the reply)."""
    body, _, last = text.rpartition("\n")
    return body if body and last.startswith(MARKER_SIGN) else text
