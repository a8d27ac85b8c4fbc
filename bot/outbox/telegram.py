"""Telegram's side of the outbox: message payloads, splitting, keyboards and the sender.

No Rasa here: the Rasa channel (:mod:`bot.channels.telegram`), the
``welcome telegram`` commands and the tests share these pieces.

Messages go out as plain text (no ``parse_mode``): nothing a user or an
answer contains can be taken for markup, so nothing needs escaping, and
right-to-left text is passed through exactly as written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.outbox.aiohttp_request import AiohttpRequest
from bot.outbox.delivery import PermanentFailure, RecipientGone, RetryLater
from bot.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL = "telegram"

#: Telegram's limit for a message's text, in UTF-16 code units.
MAX_MESSAGE_LENGTH = 4096
#: Telegram's limit for a button's callback_data, in bytes.
MAX_CALLBACK_BYTES = 64
#: Prefix of callback_data that stands for a payload stored in the database.
CALLBACK_KEY_PREFIX = "k:"

# httpx logs every request URL at INFO, and Telegram's URLs contain the bot token.
logging.getLogger("httpx").setLevel(logging.WARNING)


# Telegram accepts these characters in a webhook's secret token.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def webhook_secret(settings: Settings) -> str | None:
    """The secret every request to the webhook route must carry; ``None``: refuse all.

    ``TELEGRAM_SECRET_TOKEN`` if set. Without a public webhook URL (polling
    with ``welcome telegram poll``) a secret derived from the bot token is
    enough: only the poller, which knows the token, posts to the route. A
    public webhook without an explicit secret gets none (see
    :func:`configuration_problem`).
    """
    if settings.telegram_secret_token:
        return (
            settings.telegram_secret_token
            if _SECRET.match(settings.telegram_secret_token)
            else None
        )
    if settings.telegram_bot_token and not settings.telegram_webhook_url:
        digest = hashlib.sha256(f"welcome-telegram-poll\x1f{settings.telegram_bot_token}".encode())
        return digest.hexdigest()
    return None


def configuration_problem(settings: Settings) -> str | None:
    """What is wrong with the Telegram settings, in one sentence; ``None``: nothing."""
    if not settings.telegram_bot_token:
        return None
    secret = settings.telegram_secret_token
    if secret and not _SECRET.match(secret):
        return "TELEGRAM_SECRET_TOKEN may only contain letters, digits, _ and - (1-256 characters)"
    if settings.telegram_webhook_url:
        if not settings.telegram_webhook_url.startswith("https://"):
            return "TELEGRAM_WEBHOOK_URL must be an https:// address (Telegram requires it)"
        if not secret:
            return (
                "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_SECRET_TOKEN is not: without it anyone "
                "could post fake updates to the webhook (set a random value, e.g. "
                "`openssl rand -hex 32`)"
            )
    return None


def make_bot(token: str, base_url: str, *, pool_size: int = 16) -> Bot:
    """A Bot for ``token`` at ``base_url`` (Telegram's, or a fake server in tests).

    No request is made here (``Bot.initialize`` would call getMe; sending does not need it).
    """
    return Bot(
        token,
        base_url=base_url,
        # Sending is the hot path: aiohttp costs a third of httpx's CPU per request.
        request=AiohttpRequest(connection_pool_size=pool_size, read_timeout=15.0),
        # Long polling waits up to 25 s for updates: read a little longer than that.
        get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=35.0),
    )


async def close_bot(bot: Bot) -> None:
    """Close the bot's connections (``Bot.shutdown`` skips a bot never initialised)."""
    await bot.shutdown()
    await bot.request.shutdown()


def redact(text: str, token: str | None) -> str:
    """``text`` without the bot token (error texts may contain request URLs)."""
    return text.replace(token, "<token>") if token else text


# -- texts ------------------------------------------------------------------------------


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: characters beyond the BMP (most emoji) count twice."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _fitting_prefix(text: str, limit: int) -> int:
    """The largest ``n`` with ``utf16_length(text[:n]) <= limit``."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


# Sentence ends in the scripts we answer in (Latin, Cyrillic, Arabic, Persian,
# Urdu), closing quotes or brackets after them, then the space we cut at.
_SENTENCE_END = re.compile(r"[.!?…؟۔。][\"'»”’)\]]*(\s+)")
_LINE_BREAK = re.compile(r"(\n+)")
_SPACE = re.compile(r"(\s+)")


def _last_boundary(window: str) -> tuple[int, int] | None:
    for pattern in (_SENTENCE_END, _LINE_BREAK, _SPACE):
        best = None
        for match in pattern.finditer(window):
            if match.start(1) > 0:
                best = (match.start(1), match.end(1))
        if best is not None:
            return best
    return None


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """``text`` in parts of at most ``limit`` units, cut at sentence ends if possible.

    Falls back to line breaks, then spaces, then a hard cut (a 5000-letter
    word). The whitespace at a cut is dropped; nothing else changes.
    """
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        end = _fitting_prefix(rest, limit)
        boundary = _last_boundary(rest[: end + 1])  # a space right after the window counts
        cut, resume = boundary if boundary and boundary[0] <= end else (end, end)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[resume:].lstrip()
    if not parts:
        return [rest]
    if rest.strip():
        parts.append(rest.rstrip())
    return parts


# -- keyboards --------------------------------------------------------------------------


def _rows(buttons: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    # Short labels (languages, yes/no) side by side, long ones one per row so
    # they are not cut off on a phone.
    titles = [button["text"] for button in buttons]
    per_row = 1
    if len(buttons) > 3 and max(len(title) for title in titles) <= 14:
        per_row = 3 if len(buttons) > 6 else 2
    elif len(buttons) == 2 and max(len(title) for title in titles) <= 20:
        per_row = 2
    return [buttons[index : index + per_row] for index in range(0, len(buttons), per_row)]


def inline_keyboard(
    buttons: Sequence[dict[str, Any]], callback_key: Callable[[str], str]
) -> dict[str, Any] | None:
    """Rasa buttons (``title``, ``payload`` or ``url``) as Telegram's ``reply_markup``.

    A payload longer than 64 bytes (or one that looks like a key) is replaced
    by ``callback_key(payload)``, a short key stored in the database.
    """
    keyboard = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()
        if not title:
            continue
        if button.get("url") or button.get("type") == "web_url":
            if button.get("url"):
                keyboard.append({"text": title, "url": str(button["url"])})
            continue
        payload = str(button.get("payload") or title)
        data = payload
        if len(payload.encode("utf-8")) > MAX_CALLBACK_BYTES or payload.startswith(
            CALLBACK_KEY_PREFIX
        ):
            data = callback_key(payload)
        keyboard.append({"text": title, "callback_data": data})
    if not keyboard:
        return None
    return {"inline_keyboard": _rows(keyboard)}


def message_payloads(
    text: str | None,
    buttons: Sequence[dict[str, Any]] | None = None,
    callback_key: Callable[[str], str] | None = None,
) -> list[dict[str, Any]]:
    """Outbox payloads for one bot message: the text split to fit, the keyboard on the last part."""
    markup = (
        inline_keyboard(buttons, callback_key or (lambda payload: payload)) if buttons else None
    )
    text = text or ""
    if not text.strip():
        if markup is None:
            return []
        text = "…"  # Telegram refuses an empty text, and buttons need one
    payloads: list[dict[str, Any]] = [{"text": part} for part in split_text(text)]
    if markup is not None:
        payloads[-1]["reply_markup"] = markup
    return payloads


# -- sending ----------------------------------------------------------------------------


def chat_id(recipient: str) -> int | str:
    try:
        return int(recipient)
    except ValueError:
        return recipient


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asked to wait (PTB 22 warns when reading ``retry_after`` as int)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


class TelegramSender:
    """Sends one outbox payload with ``sendMessage``; says what a failure means for the outbox."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def __call__(self, recipient: str, payload: dict[str, Any]) -> None:
        markup = payload.get("reply_markup")
        try:
            await self.bot.send_message(
                chat_id=chat_id(recipient),
                text=payload["text"],
                reply_markup=InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None,
            )
        except RetryAfter as error:
            raise RetryLater(
                "429 too many requests", retry_after_seconds(error), pause_all=True
            ) from None
        except Forbidden as error:
            raise RecipientGone(f"403 {self._text(error)}") from None
        except (BadRequest, ChatMigrated) as error:
            raise PermanentFailure(f"400 {self._text(error)}") from None
        except InvalidToken as error:
            # The operator's mistake, not the message's: keep it until the token is fixed.
            logger.error("Telegram refuses the bot token; check TELEGRAM_BOT_TOKEN")
            raise RetryLater(f"token refused: {self._text(error)}") from None
        except TelegramError as error:  # network errors, timeouts, 5xx, 409
            raise RetryLater(f"{type(error).__name__}: {self._text(error)}") from None
        except KeyError:
            raise PermanentFailure("payload without text") from None

    def _text(self, error: BaseException) -> str:
        return redact(" ".join(str(error).split()), self.bot.token)
