"""Feedback on an answer: the buttons the channels put under it, and the vote.

An action marks an answer with ``answer_id`` (``dispatcher.utter_message(...,
answer_id="offer:<id>")``; the FAQ answers ``faq:<id>``). Rasa passes the
extra keyword on: the remote action's response becomes the ``BotUttered``
event's metadata, and :meth:`BotUttered.message` merges the metadata into the
message dict the output channel's ``send_response`` gets, together with
``model_id`` (the tracker's model, added to every event's metadata).

The channel then offers the vote (:meth:`FeedbackOffers.offer`): a random
token stands for (answer id, model version), kept in this process's memory
only. A vote takes the token (:meth:`FeedbackOffers.take`), so one message is
counted once however often its buttons are pressed; a vote for an unknown
token (pressed twice, or after a restart of the Rasa server) is thanked for
but not counted. Nothing about the person is kept: the vote row has the
answer, its language, the model version, the day and the verdict.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa

from bot.store.chat_figures import feedback_table
from bot.store.figures import REPORT_TIMEZONE

#: How many offered votes are remembered (the oldest are forgotten first).
OFFERS_KEPT = 50_000
#: A token: 16 hex digits.
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{16}$")
#: Telegram's callback data of a vote: ``fb:<token>:1`` (helpful) or ``…:0``.
CALLBACK_PREFIX = "fb:"
_CALLBACK = re.compile(r"^fb:([0-9a-f]{16}):([01])$")
#: What counts as a language code in a vote from the browser.
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
MAX_ANSWER_ID_LENGTH = 160

#: The texts of the buttons and of the thanks (data/texts.yml; the web chat
#: gets them with its other words, Telegram through :func:`bot.texts.text`).
HELPFUL_TEXT = "widget.feedback_helpful"
NOT_HELPFUL_TEXT = "widget.feedback_not_helpful"
THANKS_TEXT = "widget.feedback_thanks"


@dataclass(frozen=True)
class Offer:
    """What a vote on one message is about."""

    answer_id: str
    model_version: str | None


class FeedbackOffers:
    """The votes offered in this process, by token (thread-safe, bounded)."""

    def __init__(self, size: int = OFFERS_KEPT) -> None:
        self._size = size
        self._offers: OrderedDict[str, Offer] = OrderedDict()
        self._lock = threading.Lock()

    def offer(self, answer_id: str, model_version: str | None = None) -> str:
        token = secrets.token_hex(8)
        offer = Offer(str(answer_id)[:MAX_ANSWER_ID_LENGTH], model_version or None)
        with self._lock:
            self._offers[token] = offer
            while len(self._offers) > self._size:
                self._offers.popitem(last=False)
        return token

    def give_back(self, token: str, offer: Offer) -> None:
        """A vote that could not be stored: its buttons count when pressed again."""
        with self._lock:
            self._offers[token] = offer

    def take(self, token: str) -> Offer | None:
        """The offer of ``token``, once; ``None`` when unknown or already voted."""
        with self._lock:
            return self._offers.pop(token, None)


_offers = FeedbackOffers()


def get_offers() -> FeedbackOffers:
    """The offers of this process (the Rasa server's channels share them)."""
    return _offers


def answer_id_of(message: dict) -> str | None:
    """The answer id an action put on a message, if any."""
    answer_id = message.get("answer_id")
    return str(answer_id) if isinstance(answer_id, str) and answer_id.strip() else None


def callback_data(token: str, helpful: bool) -> str:
    """Telegram's callback data of a vote button (well under its 64 bytes)."""
    return f"{CALLBACK_PREFIX}{token}:{int(helpful)}"


def parse_callback(data: str | None) -> tuple[str, bool] | None:
    """(token, helpful) of a vote button's callback data; ``None``: not a vote."""
    match = _CALLBACK.match(data or "")
    return (match.group(1), match.group(2) == "1") if match else None


def today() -> dt.date:
    return dt.datetime.now(REPORT_TIMEZONE).date()


def record_vote(
    engine: sa.engine.Engine,
    offer: Offer,
    language: str | None,
    helpful: bool,
    day: dt.date | None = None,
) -> None:
    """Store one vote (committed before the user is thanked); ``day``: today (German)."""
    language = language if language and LANGUAGE_PATTERN.match(language) else "und"
    with engine.begin() as connection:
        connection.execute(
            feedback_table.insert().values(
                day=day or today(), answer_id=offer.answer_id, language=language,
                model_version=(offer.model_version or None), helpful=bool(helpful),
            )
        )  # fmt: skip


class VoteRecorder:
    """Votes into the assistant's database (one engine per process, made on first use)."""

    def __init__(self, database_url: str | None = None) -> None:
        self._url = database_url
        self._engine: sa.engine.Engine | None = None
        self._lock = threading.Lock()

    def _get_engine(self) -> sa.engine.Engine:
        with self._lock:
            if self._engine is None:
                from bot.settings import get_settings
                from bot.store.db import make_engine

                self._engine = make_engine(self._url or get_settings().database_url)
            return self._engine

    def vote(self, token: str, language: str | None, helpful: bool) -> bool:
        """Count a vote for the offer ``token``; False when it was not counted (unknown token)."""
        offer = get_offers().take(token)
        if offer is None:
            return False
        try:
            record_vote(self._get_engine(), offer, language, helpful)
        except Exception:
            # Not stored: the buttons may be pressed again.
            get_offers().give_back(token, offer)
            raise
        return True

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


_recorder: VoteRecorder | None = None


def get_recorder() -> VoteRecorder:
    global _recorder
    if _recorder is None:
        _recorder = VoteRecorder()
    return _recorder
