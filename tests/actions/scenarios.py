"""Building blocks for action tests: real trackers as Rasa sends them to the action server.

A conversation is a list of events (``user``, ``bot``, ``action``, ``slot``) as Rasa
serialises them; :func:`tracker` turns it into the ``rasa_sdk.Tracker`` an action
receives: slots from the domain (all ``None``) plus the values set so far, and the
latest user message with its parse data, including the language detected by the real
``bot.language.LanguageDetector`` (as the NLU component adds it).
"""

from __future__ import annotations

import datetime as dt
import itertools
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.language import LanguageDetector
from bot.settings import PROJECT_ROOT

DOMAIN_DIR = PROJECT_ROOT / "config" / "domain"
SENDER = "telegram-58213"
OTHER_SENDER = "telegram-99001"
CHANNEL = "telegram"

_timestamps = itertools.count(1_760_000_000)


@lru_cache(maxsize=1)
def load_domain() -> dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(DOMAIN_DIR)).as_dict()


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    return LanguageDetector()


# --------------------------------------------------------------------------- events


def user(
    text: str,
    intent: str,
    entities: dict[str, Any] | None = None,
    *,
    metadata: dict[str, Any] | None = None,
    channel: str = CHANNEL,
    detect: bool = True,
    confidence: float = 0.93,
) -> dict[str, Any]:
    """A user message with the parse data our NLU pipeline produces."""
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [
            {
                "entity": name,
                "value": value,
                "start": 0,
                "end": len(text),
                "extractor": "RegexEntityExtractor",
            }
            for name, value in (entities or {}).items()
        ],
        "message_id": f"m{next(_timestamps)}",
        "metadata": metadata or {},
    }
    if detect:
        parse_data["language"] = detector().detect(text).as_dict()
    return {
        "event": "user",
        "timestamp": next(_timestamps),
        "text": text,
        "parse_data": parse_data,
        "input_channel": channel,
        "metadata": metadata or {},
    }


def button(payload: str, intent: str, entities: dict[str, Any] | None = None) -> dict[str, Any]:
    """A button click: Rasa receives the payload as the message text.

    Rasa's RegexMessageHandler replaces the parse result of a ``/intent{...}`` payload
    by intent and entities only, so such a message carries no detected language.
    """
    return user(payload, intent, entities, detect=False)


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "timestamp": next(_timestamps), "text": text, "data": {}}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "timestamp": next(_timestamps), "name": name}


def listen() -> dict[str, Any]:
    return action("action_listen")


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": next(_timestamps), "name": name, "value": value}


# --------------------------------------------------------------------------- trackers


def tracker(
    events: list[dict[str, Any]],
    *,
    slots: dict[str, Any] | None = None,
    form: str | None = None,
    requested_slot: str | None = None,
    candidates: dict[str, Any] | None = None,
    sender_id: str = SENDER,
) -> Tracker:
    """The tracker for ``events``.

    ``slots`` are the values set before the latest message. ``candidates`` are the
    values the form just extracted from the latest message: Rasa appends them as
    slot events after the user message and sends the form's ``validate_<form>``
    action a tracker that already holds them.
    """
    events = list(events)
    values = {name: None for name in load_domain()["slots"]}
    values["requested_slot"] = requested_slot
    values.update(slots or {})
    for name, value in (candidates or {}).items():
        events.append(slot(name, value))
        values[name] = value
    latest = next((e for e in reversed(events) if e["event"] == "user"), None)
    latest_message = dict(latest["parse_data"]) if latest else {}
    active_loop = {"name": form, "validate": True, "rejected": False} if form else {}
    return Tracker(
        sender_id=sender_id,
        slots=values,
        latest_message=latest_message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop=active_loop,
        latest_action_name=next(
            (e["name"] for e in reversed(events) if e["event"] == "action"), None
        ),
    )


def form_turn(
    form: str,
    requested_slot: str,
    message: dict[str, Any],
    candidate: Any,
    *,
    slots: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    sender_id: str = SENDER,
) -> Tracker:
    """The user answered ``requested_slot`` of ``form`` with ``message``; the form
    extracted ``candidate`` from it and now asks its validation action."""
    events = [*(history or []), action(form), listen(), message]
    return tracker(
        events,
        slots={"requested_slot": requested_slot, **(slots or {})},
        form=form,
        requested_slot=requested_slot,
        candidates={requested_slot: candidate},
        sender_id=sender_id,
    )


def way_out_turn(
    form: str,
    message: dict[str, Any],
    *,
    slots: dict[str, Any],
    sender_id: str = SENDER,
) -> Tracker:
    """``form`` asked its way out (after too many unclear answers to the question
    ``slots["unclear_question"]``) and the user answered it with ``message``.

    The way out's answer is taken by the form's validation action itself
    (``extract_way_out``), so Rasa sends no candidate for it.
    """
    events = [action(form), listen(), message]
    return tracker(
        events,
        slots={"requested_slot": "way_out", **slots},
        form=form,
        requested_slot="way_out",
        sender_id=sender_id,
    )


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slot values ``events`` set (the last one of each slot)."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


# --------------------------------------------------------------------------- reading replies


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """What the user got, in order: response names, or ``text`` for composed texts."""
    return [message.get("response") or "text" for message in dispatcher.messages]


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["text"] for message in dispatcher.messages if message.get("text")]


def in_days(days: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days)


def german(date: dt.date) -> str:
    """A date as people in Germany write it: 15.12.2026."""
    return date.strftime("%d.%m.%Y")


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


# --------------------------------------------------------------------------- histories

FALLBACK_HISTORY = [
    listen(),
    user("Ich brauche Hilfe mit dem Brief von der Ausländerbehörde", "help"),
    action("utter_help"),
    bot("Dabei kann ich helfen:"),
    listen(),
    user("xkcd blorp wumm", "nlu_fallback"),
    action("action_handle_fallback"),
    slot("fallback_count", 1.0),
    bot("Das habe ich leider nicht verstanden."),
    bot("Dabei kann ich helfen:"),
    listen(),
    user("<b>wo</b> ist das formular???", "nlu_fallback"),
    action("action_handle_fallback"),
    slot("fallback_count", 2.0),
    bot("Soll ich Sie mit einem Menschen verbinden?"),
    listen(),
    user("ja", "affirm"),
    slot("fallback_count", 0.0),
]


# --------------------------------------------------------------------------- slot sets


def interpreter_slots(**changes: Any) -> dict[str, Any]:
    """A complete interpreter request (Arabic for a doctor's appointment in a month)."""
    values = {
        "language": "ar",
        "interpreter_language": "ar",
        "interpreter_dialect": "syrisch",
        "appointment_date": in_days(30).isoformat(),
        "appointment_time": "10:30",
        "appointment_kind": "health",
        "appointment_place": "Kinderarztpraxis Dr. Weber, Böblingen",
        "municipality": "Böblingen",
        "interpreter_mode": "on_site",
        "consent": True,
        "contact": "+4915123456789",
        "contact_as_written": "Telefon 0151 23456789",
        "description": "Untersuchung meiner Tochter",
        "interpreter_confirmed": True,
    }
    values.update(changes)
    return values


def more_offers(shown: float | None, language: str = "fa") -> Tracker:
    return tracker(
        [listen(), user("بیشتر", "more")],
        slots={
            "language": language,
            "last_offer_topic": "language_course",
            "municipality": "all",
            "offers_shown": shown,
        },
    )
