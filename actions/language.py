"""Reply language: decided every turn, changed on request, honest where it cannot be served."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.common import latest_intent
from bot import LANGUAGES
from bot.language import TurnFacts, decide_reply_language, discount_names
from bot.language_names import display_name
from bot.languages import get_languages, language_for_tag, language_info
from bot.translation.availability import can_serve, served_languages
from bot.vocabulary import payload

# Form answers that are names, addresses or free descriptions: their language
# says nothing about the user's.
FREE_TEXT_SLOTS = (
    "appointment_place",
    "description",
    "handoff_note",
    "contact",
    "municipality",
)

# Offered when the user's language cannot be served and no better second
# choice is known for it (plain words: these two are the county's languages).
DEFAULT_SECOND_CHOICES = ("en", "de")


def requested_language(tracker: Tracker) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language":
            code = str(entity.get("value"))
            # "Kurdisch" names no single language: the catalogue knows the
            # variant most Kurds in Germany speak (Kurmanji).
            return code if code in get_languages() else (language_for_tag(code) or code)
    return None


def answers_language_question(tracker: Tracker) -> bool:
    """Whether a language named now answers "which language does the interpreter need?"."""
    return (
        (tracker.active_loop or {}).get("name") == "interpreter_form"
        and tracker.get_slot("requested_slot") == "interpreter_language"
        and requested_language(tracker) is not None
    )


def _unserved_language(explicit: str | None, detection: dict | None) -> str | None:
    """A language of the catalogue the user chose or writes, which we cannot serve."""
    if explicit:
        return explicit if explicit in get_languages() and not can_serve(explicit) else None
    detection = detection or {}
    code = detection.get("code")
    if detection.get("reliable") and code in get_languages() and not can_serve(code):
        return code
    return None


class ValidateSlotMappings(Action):
    """Runs after every user message (Rasa's ``action_validate_slot_mappings``).

    Sets the reply language from the facts of the turn (explicit choice,
    detected language, the channel's hint, ...) by the one rule,
    :func:`bot.language.decide_reply_language`; notes a language the user speaks that cannot be
    served, and resets the count of misunderstandings once the user is
    understood again.
    """

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        current = tracker.get_slot("language")
        locked = bool(tracker.get_slot("language_locked"))
        explicit = (
            requested_language(tracker)
            if intent == "change_language" and not answers_language_question(tracker)
            else None
        )
        metadata = tracker.latest_message.get("metadata") or {}
        # Town and language names the NLU found say nothing about the language.
        detection = discount_names(
            tracker.latest_message.get("language"),
            tracker.latest_message.get("text") or "",
            tracker.latest_message.get("entities") or [],
        )
        # Addresses, names and descriptions are often German whatever the
        # user's language ("Praxis Dr. Muster, Bahnhofstraße 1").
        free_text_answer = bool(
            tracker.active_loop and tracker.get_slot("requested_slot") in FREE_TEXT_SLOTS
        )
        judged = None if free_text_answer else detection
        served = (
            served_languages()
            if _needs_catalogue(current, explicit, judged, metadata)
            else LANGUAGES
        )
        language = decide_reply_language(
            TurnFacts(
                current=current,
                detection=detection,
                hint=metadata.get("language_hint"),
                explicit=explicit,
                locked=locked,
                supported=served,
                free_text_answer=free_text_answer,
            )
        )
        events = []
        if language != current:
            events.append(SlotSet("language", language))
        if explicit in served and not locked:
            events.append(SlotSet("language_locked", True))
        unserved = _unserved_language(explicit, judged)
        if unserved and unserved != tracker.get_slot("user_language"):
            events.append(SlotSet("user_language", unserved))
        if intent != "nlu_fallback" and tracker.get_slot("fallback_count"):
            events.append(SlotSet("fallback_count", 0.0))
        return events


def _needs_catalogue(
    current: str | None, explicit: str | None, detection: dict | None, metadata: dict
) -> bool:
    """Whether the conversation or this turn involves a language beyond the native ones.

    Looking for installed models costs a folder check; most turns are in a
    native language and skip it.
    """
    codes = {current, explicit, (detection or {}).get("code"), metadata.get("language_hint")}
    return any(code and code.split("-")[0].lower() not in LANGUAGES for code in codes)


def ask_second_language(dispatcher: CollectingDispatcher, unserved: str) -> list[dict[str, Any]]:
    """Ask once, in English and German, which language to write in instead."""
    info = language_info(unserved)
    choices = info.second_choices if info and info.second_choices else DEFAULT_SECOND_CHOICES
    buttons = [
        {
            "title": _button_title(code),
            "payload": payload("change_language", language=code),
        }
        for code in choices
        if can_serve(code)
    ]
    dispatcher.utter_message(
        response="utter_ask_second_language",
        buttons=buttons,
        language_en=display_name(unserved, "en"),
        language_de=display_name(unserved, "de"),
    )
    return [SlotSet("user_language", unserved), SlotSet("second_language_asked", True)]


def offer_interpreter(
    dispatcher: CollectingDispatcher, tracker: Tracker, unserved: str, reply_language: str
) -> None:
    dispatcher.utter_message(
        response="utter_language_unavailable_offer",
        language_name=display_name(unserved, reply_language),
    )


def _button_title(code: str) -> str:
    info = language_info(code)
    return info.native_name if info else display_name(code, code)


def language_buttons() -> list[dict[str, str]]:
    """Every language served now, then those we can only offer an interpreter for."""
    served = served_languages()
    others = [code for code in get_languages() if code not in served]
    return [
        {"title": _button_title(code), "payload": payload("change_language", language=code)}
        for code in (*served, *others)
    ]


class ActionChangeLanguage(Action):
    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        requested = requested_language(tracker)
        unserved = tracker.get_slot("user_language")
        if requested and can_serve(requested):
            # The slot was already switched by action_validate_slot_mappings,
            # so this confirmation comes in the new language.
            dispatcher.utter_message(
                response="utter_language_changed",
                language_name=display_name(requested, requested),
            )
            if unserved and unserved != requested and not can_serve(unserved):
                # The answer to "which language instead?": now be honest about
                # the user's own language and offer a person.
                offer_interpreter(dispatcher, tracker, unserved, requested)
            return []
        if requested in get_languages():
            if not tracker.get_slot("second_language_asked"):
                return ask_second_language(dispatcher, requested)
            offer_interpreter(dispatcher, tracker, requested, common.reply_language(tracker))
            return [SlotSet("user_language", requested)]
        if requested:
            dispatcher.utter_message(response="utter_language_not_available")
        else:
            dispatcher.utter_message(response="utter_choose_language", buttons=language_buttons())
        return []


class ActionLanguageUnavailable(Action):
    """A message in a language we recognise but cannot translate (no model)."""

    def name(self) -> str:
        return "action_language_unavailable"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        detection = tracker.latest_message.get("language") or {}
        unserved = tracker.get_slot("user_language") or detection.get("code")
        if not unserved:
            dispatcher.utter_message(response="utter_choose_language", buttons=language_buttons())
            return []
        if not tracker.get_slot("second_language_asked"):
            return ask_second_language(dispatcher, unserved)
        offer_interpreter(dispatcher, tracker, unserved, common.reply_language(tracker))
        return []
