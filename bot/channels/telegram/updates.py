"""What one Telegram update means for the assistant: a pure step, no server, no network.

:func:`read_update` turns the JSON Telegram sends into a :class:`Received`:
the texts that go to Rasa (commands and deep links already turned into
payloads), or a notice to send instead ("I can only read text"), or nothing.
The channel (:mod:`bot.channels.telegram.channel`) then applies what needs
state: duplicates, flood limits, the conversation's language, the outbox.

The assistant talks to one person at a time: only private chats with people
are read; groups, channels, other bots, inline queries, polls, reactions …
are ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from telegram import CallbackQuery, ChatMemberUpdated, Message, Update

from bot.outbox.telegram import CALLBACK_KEY_PREFIX
from bot.vocabulary import payload

logger = logging.getLogger(__name__)

#: Telegram commands -> the payloads the assistant understands.
COMMANDS = {
    "help": "/help",
    "language": "/change_language",
    "human": "/request_human",
    "delete": "/delete_data",
}

#: The payload of a button whose stored payload is gone (expired or deleted).
LOST_BUTTON = "/help"

# Deep-link parameters (t.me/<bot>?start=ar_sindelfingen) may only use these characters.
_START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Received:
    """What an update asks of the assistant; at most one of ``texts`` and ``notice``."""

    update_id: int
    #: The private chat it concerns; ``None``: nobody to answer.
    chat: str | None = None
    #: For Rasa, in this order.
    texts: tuple[str, ...] = ()
    #: A notice to send instead (``notice.<key>`` in data/texts.yml).
    notice: str | None = None
    #: The language of the user's Telegram app (``language_code``).
    language_hint: str | None = None
    #: A button press to confirm at once, so that it stops spinning.
    callback_query_id: str | None = None
    #: The user blocked the bot: nothing waiting for them can be delivered.
    blocked: bool = False
    #: Why nothing else happens (for the debug log).
    ignored: str | None = None

    @property
    def metadata(self) -> dict[str, str] | None:
        """The metadata of the user's messages for Rasa."""
        return {"language_hint": self.language_hint} if self.language_hint else None


def read_update(
    data: Mapping[str, Any],
    stored_payload: Callable[[str], str | None] = lambda key: None,
) -> Received | None:
    """What ``data`` (an update as Telegram posts it) means; ``None``: unreadable.

    ``stored_payload`` looks up a button's payload that was too long for
    Telegram and was stored in the outbox (``callback_data`` ``k:…``).
    """
    try:
        update = Update.de_json(dict(data), None)
    except Exception:  # noqa: BLE001 - python-telegram-bot raises anything on odd JSON
        return None
    if update is None:
        return None
    if update.callback_query is not None:
        return _callback(update.update_id, update.callback_query, stored_payload)
    if update.message is not None:
        return _message(update.update_id, update.message)
    if update.edited_message is not None:
        edited = _message(update.update_id, update.edited_message)
        return replace(edited, texts=(), notice="edited") if edited.chat else edited
    if update.my_chat_member is not None:
        return _membership(update.update_id, update.my_chat_member)
    kind = next((key for key in data if key != "update_id"), "unknown")
    return Received(update.update_id, ignored=f"update of kind {kind}")


def _message(update_id: int, message: Message) -> Received:
    user = message.from_user
    if message.chat.type != "private" or user is None or user.is_bot:
        return Received(update_id, ignored=f"message in a {message.chat.type} chat or from a bot")
    chat = str(message.chat.id)
    hint = user.language_code or None
    if message.text is not None:
        return Received(update_id, chat, texts=tuple(texts_for(message.text)), language_hint=hint)
    if message.effective_attachment is not None:
        # Photos, voice, files, stickers, locations, contacts, ...
        return Received(update_id, chat, notice="not_text", language_hint=hint)
    return Received(update_id, ignored="service message")


def _callback(
    update_id: int, query: CallbackQuery, stored_payload: Callable[[str], str | None]
) -> Received:
    message = query.message
    chat = message.chat if message is not None else None
    if chat is not None and chat.type != "private":
        return Received(update_id, callback_query_id=query.id, ignored="button in a group")
    if query.data is None:
        return Received(update_id, callback_query_id=query.id, ignored="button without data")
    text = query.data
    if text.startswith(CALLBACK_KEY_PREFIX):
        text = stored_payload(text) or LOST_BUTTON
    return Received(
        update_id,
        str(chat.id if chat is not None else query.from_user.id),
        texts=(text,),
        language_hint=query.from_user.language_code or None,
        callback_query_id=query.id,
    )


def _membership(update_id: int, member: ChatMemberUpdated) -> Received:
    if member.chat.type == "private" and member.new_chat_member.status == "kicked":
        return Received(update_id, str(member.chat.id), blocked=True)
    return Received(update_id, ignored="membership change")


def texts_for(text: str) -> list[str]:
    """What a typed message means for Rasa: commands become payloads."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return [text]
    word, _, rest = stripped.partition(" ")
    command = word[1:].split("@", 1)[0].lower()
    if command == "start":
        return start_texts(rest.strip())
    if command in COMMANDS:
        return [COMMANDS[command]]
    # Not one of our commands: read the words, never as an intent with entities.
    return [stripped.lstrip("/").strip() or COMMANDS["help"]]


def start_texts(parameter: str) -> list[str]:
    """``/start`` with a deep-link parameter ``<lang>``, ``<lang>_<town>`` or ``<town>``."""
    language, town = parse_start_parameter(parameter)
    texts = []
    if language:
        texts.append(payload("change_language", language=language))
    texts.append(payload("greet", municipality=town) if town else payload("greet"))
    return texts


def parse_start_parameter(parameter: str) -> tuple[str | None, str | None]:
    """``ar_sindelfingen`` -> ``("ar", "Sindelfingen")``; unknown parts are left out.

    The language must be in the catalogue (``data/languages.yml``); the town
    is matched like a typed town name (``weil-der-stadt`` -> ``Weil der Stadt``).
    """
    if not parameter or not _START_PARAMETER.match(parameter):
        return None, None
    from bot.languages import get_languages

    first, _, rest = parameter.partition("_")
    language = first.lower() if first.lower() in get_languages() else None
    town_text = rest if language else parameter
    town = None
    if town_text:
        from bot.content import get_content

        try:
            town = get_content().match_municipality(re.sub(r"[_-]+", " ", town_text))
        except Exception:  # noqa: BLE001 - content that does not load must not break /start
            logger.warning("Telegram: towns could not be loaded for a /start link")
    return language, town
