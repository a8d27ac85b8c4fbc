"""Anonymous figures of the chat, written by the tracker store in the turn's own transaction.

Three tables (migration ``0006_chat_figures``), none with a sender, a time
finer than a day, or anything else that leads back to a person:

* ``chat_figures``: per day (German calendar), conversation language and
  topic (the intent, or ``faq:<id>`` for an FAQ answer) how many turns there
  were, how many fell back or were understood with low confidence, how many
  conversations started and how many ended in a handoff to the office. Every
  number of the statistics page comes from here.
* ``unanswered_questions``: what the assistant could not answer, masked
  (:func:`bot.masking.mask_personal_data`) before it is stored, one row per
  masked text (``text_hash``) with how often and on which days it was asked.
  The German translation is filled in later, outside the chat's event loop
  (:mod:`bot.chatfigures.unanswered`).
* ``answer_feedback``: the "helpful / not helpful" votes (:mod:`bot.chatfigures`).

:func:`bot.store.chat_turns.record_turns` runs inside the save of
:class:`~bot.store.tracker_store.WelcomeTrackerStore`, so a turn is stored
and counted together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.masking import mask_personal_data
from bot.store.figures import REPORT_TIMEZONE
from bot.store.models import NAMING_CONVENTION

#: Intent Rasa's FallbackClassifier predicts for what it did not understand.
FALLBACK_INTENT = "nlu_fallback"
#: The FAQ intent; the entry's id is the entity :data:`FAQ_ENTITY`.
FAQ_INTENT = "faq"
FAQ_ENTITY = "faq_id"
#: The response that confirms a request was handed to the office.
HANDOFF_RESPONSE = "utter_handoff_confirmed"
#: The conversation's reply language (a slot).
LANGUAGE_SLOT = "language"
#: Statuses of an unanswered question in the office.
NEW, DISMISSED, USED = "new", "dismissed", "used"
UNANSWERED_STATUSES = (NEW, DISMISSED, USED)
#: Longest question kept (the web chat allows 2000 characters; a question is shorter).
MAX_QUESTION_LENGTH = 1000

_metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

chat_figures_table = sa.Table(
    "chat_figures",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("topic", sa.String(160), nullable=False),
    sa.Column("turns", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fallbacks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("low_confidence", sa.Integer, nullable=False, server_default="0"),
    sa.Column("conversations", sa.Integer, nullable=False, server_default="0"),
    sa.Column("handoffs", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("day", "language", "topic", name="uq_chat_figures_day_language_topic"),
)

unanswered_table = sa.Table(
    "unanswered_questions",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("text_de", sa.Text, nullable=True),
    sa.Column("translation_tried", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("count", sa.Integer, nullable=False, server_default="1"),
    sa.Column("first_seen", sa.Date, nullable=False),
    sa.Column("last_seen", sa.Date, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, server_default=NEW),
    sa.Column("intent", sa.String(120), nullable=True),
)

feedback_table = sa.Table(
    "answer_feedback",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("answer_id", sa.String(160), nullable=False, index=True),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("model_version", sa.String(160), nullable=True),
    sa.Column("helpful", sa.Boolean, nullable=False),
)


def day_of(timestamp: float | None) -> dt.date:
    """The German calendar day of a Unix timestamp (now when missing)."""
    moment = (
        dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)
        if timestamp
        else dt.datetime.now(dt.timezone.utc)
    )
    return moment.astimezone(REPORT_TIMEZONE).date()


def normalize_question(text: str) -> str:
    """The form two questions share when they are "the same": case, spaces, end marks."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .!?؟…")


def question_hash(masked_text: str) -> str:
    """The key of an unanswered question: a hash of its normalized masked text."""
    return hashlib.sha256(normalize_question(masked_text).encode("utf-8")).hexdigest()


def insert_for(connection: Any) -> Any:
    dialect = getattr(connection, "dialect", None) or connection.get_bind().dialect
    return postgresql.insert if dialect.name == "postgresql" else sqlite.insert


def record_question(
    connection: Any, text: str, language: str, day: dt.date, insert: Any = None
) -> None:
    """Count an unanswered question (masked here first; never stored unmasked)."""
    masked = mask_personal_data(text, language or None)[:MAX_QUESTION_LENGTH]
    if not normalize_question(masked):
        return
    insert = insert or insert_for(connection)
    table = unanswered_table
    language = (language or "")[:16]
    german = language == "de"
    statement = insert(table).values(
        text_hash=question_hash(masked), text=masked, language=language,
        text_de=masked if german else None, translation_tried=german, count=1,
        first_seen=day, last_seen=day, status=NEW,
    )  # fmt: skip
    statement = statement.on_conflict_do_update(
        index_elements=["text_hash"],
        set_={
            "count": table.c.count + 1,
            "last_seen": sa.case(
                (table.c.last_seen < statement.excluded.last_seen, statement.excluded.last_seen),
                else_=table.c.last_seen,
            ),
        },
    )
    connection.execute(statement)
