"""Validation shared by every form: town, consent, contact, attempt counting."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import common
from bot.answers import clean_text, parse_contact
from bot.texts import means_chat

ALL_MUNICIPALITIES = "all"
CHAT_CONTACT = "chat"
# After this many answers the bot cannot use, it stops asking the same thing.
MAX_ATTEMPTS = 3

_YES = {
    "ja",
    "yes",
    "yep",
    "ok",
    "okay",
    "نعم",
    "اي",
    "أيوه",
    "так",
    "да",
    "evet",
    "بله",
    "آره",
    "بلی",
}
_NO = {"nein", "no", "nope", "لا", "ні", "нет", "hayır", "hayir", "نه", "خیر"}


class CommonFormValidation(FormValidationAction):
    """Base class of all form validations; not registered itself (no name)."""

    @abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register this base class."""

    @staticmethod
    def attempts(tracker: Tracker) -> int:
        return int(tracker.get_slot("attempts") or 0)

    def retry(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        response: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Reject an answer politely; the form then asks its question again."""
        if response:
            dispatcher.utter_message(response=response, **kwargs)
        return {slot: None, "attempts": float(self.attempts(tracker) + 1)}

    @staticmethod
    def accepted(slot: str, value: Any) -> dict[str, Any]:
        return {slot: value, "attempts": None}

    def validate_municipality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value == ALL_MUNICIPALITIES:
            return self.accepted("municipality", ALL_MUNICIPALITIES)
        name = common.content().match_municipality(str(value or ""))
        if name:
            return self.accepted("municipality", name)
        if self.attempts(tracker) + 1 >= MAX_ATTEMPTS:
            # Better county-wide answers than a user stuck on a town name.
            return self.accepted("municipality", ALL_MUNICIPALITIES)
        return self.retry("municipality", dispatcher, tracker, "utter_municipality_unknown")

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return self.accepted("consent", value)
        word = (clean_text(str(value)) or "").casefold().strip(" .!")
        if word in _YES:
            return self.accepted("consent", True)
        if word in _NO:
            return self.accepted("consent", False)
        if self.attempts(tracker) + 1 >= MAX_ATTEMPTS:
            # Consent is never assumed: no answer means no.
            return self.accepted("consent", False)
        return self.retry("consent", dispatcher, tracker, "utter_consent_unclear")

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value == CHAT_CONTACT or means_chat(str(value or "")):
            return self.accepted("contact", CHAT_CONTACT)
        contact = parse_contact(str(value or ""))
        if contact:
            return self.accepted("contact", contact)
        return self.retry("contact", dispatcher, tracker, "utter_contact_invalid")

    def free_text(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        max_chars: int,
    ) -> dict[str, Any]:
        if value == "-":
            return self.accepted(slot, "-")
        text = clean_text(str(value or ""), max_chars=max_chars)
        if text:
            return self.accepted(slot, text)
        if value and len(str(value)) > max_chars:
            return self.retry(slot, dispatcher, tracker, "utter_text_too_long", max_chars=max_chars)
        return self.retry(slot, dispatcher, tracker)
