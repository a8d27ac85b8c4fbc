"""Counting a conversation's new user turns into the anonymous figures (:mod:`.chat_figures`).

Apart from the tables so that the office, which reads the tables, never imports Rasa.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.events import (
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.store.chat_figures import (
    FALLBACK_INTENT,
    FAQ_ENTITY,
    FAQ_INTENT,
    HANDOFF_RESPONSE,
    LANGUAGE_SLOT,
    chat_figures_table,
    day_of,
    insert_for,
    record_question,
)


@dataclass(frozen=True)
class Turn:
    """What one user message adds to the figures (nothing about who wrote it)."""

    day: dt.date
    language: str
    topic: str
    fallback: bool
    low_confidence: bool
    conversation_started: bool
    question: str | None  # the text, when it is an unanswered question
    question_language: str


def _faq_topic(event: UserUttered) -> str:
    for entity in event.entities or []:
        if entity.get("entity") == FAQ_ENTITY and entity.get("value"):
            return f"{FAQ_INTENT}:{entity['value']}"
    return FAQ_INTENT


def _detected(event: UserUttered) -> str:
    detection = (event.parse_data or {}).get("language") or {}
    code = detection.get("code") if isinstance(detection, dict) else None
    return str(code or "")


def turns_of(
    events: Sequence[Event], start: int, low_confidence: float
) -> tuple[list[Turn], list[tuple[dt.date, int]]]:
    """The user turns among ``events[start:]``, and the handoffs (day, index of its turn).

    The language of a turn is the conversation's reply language once the
    assistant answered it (the ``language`` slot after the turn), else the
    detected one: "ok" or a button press say nothing about a language.

    An answer to a form's question (a phone number, a note for the office)
    is no question to the assistant: it counts as a turn, never as a
    fallback or an unanswered question, and its text is not kept.
    """
    slot: str | None = None
    form: str | None = None
    session_has_user_turn = False
    pending: dict[str, Any] | None = None
    turns: list[Turn] = []
    handoffs: list[tuple[dt.date, int]] = []

    def finish() -> None:
        if pending is not None:
            language = slot or pending["detected"] or ""
            turns.append(Turn(language=language, **pending["values"]))

    for index, event in enumerate(events):
        if isinstance(event, SlotSet) and event.key == LANGUAGE_SLOT:
            slot = event.value if isinstance(event.value, str) else None
        elif isinstance(event, ActiveLoop):
            form = event.name
        elif isinstance(event, SessionStarted):
            session_has_user_turn = False
            form = None
        elif isinstance(event, UserUttered):
            finish()
            pending = None
            started = not session_has_user_turn
            session_has_user_turn = True
            if index < start:
                continue
            intent = event.intent_name or ""
            confidence = (event.intent or {}).get("confidence")
            text = event.text or ""
            command = text.startswith("/")
            in_form = form is not None
            fallback = intent == FALLBACK_INTENT and not in_form
            low = (
                not fallback
                and not in_form
                and not command
                and isinstance(confidence, int | float)
                and confidence < low_confidence
            )
            topic = _faq_topic(event) if intent == FAQ_INTENT else intent
            pending = {
                "detected": _detected(event),
                "values": {
                    "day": day_of(event.timestamp),
                    "topic": topic[:160],
                    "fallback": fallback,
                    "low_confidence": low,
                    "conversation_started": started,
                    "question": text.strip() if (fallback or low) and not command else None,
                    "question_language": _detected(event) or slot or "",
                },
            }
        elif (
            isinstance(event, BotUttered)
            and index >= start
            and (event.metadata or {}).get("utter_action") == HANDOFF_RESPONSE
        ):
            # Counted with the user turn it answers (still pending here).
            handoffs.append((day_of(event.timestamp), len(turns) + (pending is not None)))
    finish()
    return turns, handoffs


def record_turns(
    connection: Any, events: Sequence[Event], start: int, low_confidence: float
) -> int:
    """Count the user turns in ``events[start:]`` (a connection or session in a transaction).

    Returns how many turns were counted. Unanswered questions are masked here,
    before anything is written.
    """
    turns, handoffs = turns_of(events, start, low_confidence)
    if not turns and not handoffs:
        return 0
    insert = insert_for(connection)
    figures: dict[tuple[dt.date, str, str], dict[str, int]] = {}

    def add(day: dt.date, language: str, topic: str, **values: int) -> None:
        counts = figures.setdefault(
            (day, language[:16], topic),
            {"turns": 0, "fallbacks": 0, "low_confidence": 0, "conversations": 0, "handoffs": 0},
        )
        for key, value in values.items():
            counts[key] += value

    for turn in turns:
        add(
            turn.day, turn.language, turn.topic, turns=1, fallbacks=int(turn.fallback),
            low_confidence=int(turn.low_confidence),
            conversations=int(turn.conversation_started),
        )  # fmt: skip
    for day, after in handoffs:
        # The handoff counts with the turn that led to it (in this save).
        turn = turns[after - 1] if after else None
        add(day, turn.language if turn else "", turn.topic if turn else "", handoffs=1)

    table = chat_figures_table
    for (day, language, topic), counts in sorted(figures.items()):
        statement = insert(table).values(day=day, language=language, topic=topic, **counts)
        statement = statement.on_conflict_do_update(
            index_elements=["day", "language", "topic"],
            set_={key: table.c[key] + statement.excluded[key] for key in counts},
        )
        connection.execute(statement)

    questions = [turn for turn in turns if turn.question]
    for turn in questions:
        record_question(connection, turn.question, turn.question_language, turn.day, insert)
    return len(turns)
