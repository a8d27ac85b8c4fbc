"""Validation shared by every form: town, consent, contact, unclear answers and the way out.

Every question of every form allows the same number of unclear answers,
:data:`MAX_ATTEMPTS`. Questions with a safe answer take it then (the whole
county for the town, "no" for consent, the text as written for a choice). All
others are not asked again: the form asks the way out instead
(``utter_ask_way_out``, or ``utter_ask_<form>_way_out``): write it once more,
go on without it (the office clarifies it in the chat), talk to a person, or
stop. The way out is a question of the form like any other, so the dialogue
rules stay those of a form: :meth:`CommonFormValidation.required_slots` puts it
before the question answered unclearly (slot ``unclear_question``) while the
count of unclear answers (slot ``attempts``) is at the limit, and it leaves as
soon as that question is answered or skipped.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker, utils
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import common
from bot.answers import clean_text, find_contact
from bot.forms import form_required_slots
from bot.texts import means_chat, words
from bot.vocabulary import (
    ALL_MUNICIPALITIES,
    CHAT_CONTACT,
    META_INTENTS,
    TO_CLARIFY,
    WAY_OUT_SKIP,
    WAY_OUT_SLOT,
)

# After this many answers the bot cannot use, it stops asking the same thing.
MAX_ATTEMPTS = 3
# A free-text answer is taken as a command instead ("stop", "warum?") only when
# it is short and the NLU is sure: "Fragen zur Wohnungssuche" is a description.
COMMAND_MAX_WORDS = 4
COMMAND_MIN_CONFIDENCE = 0.8


class CommonFormValidation(FormValidationAction):
    """Base class of all form validations; not registered itself (no name)."""

    # What a question skipped at the way out holds; any other question holds
    # TO_CLARIFY. Without a contact the office answers in the chat; a note and
    # a dialect are optional anyway.
    SKIPPED = {"contact": CHAT_CONTACT, "handoff_note": "-", "interpreter_dialect": "-"}

    # Whether "talk to a person" at the way out leaves this form for a handoff
    # (data/rules/forms.yml). Not from the handoff itself: that goes to a person.
    PERSON_ON_REQUEST = True

    @abstractmethod
    def name(self) -> str:
        """Abstract, so rasa_sdk's executor does not register this base class."""

    def domain_slots(self, domain: dict[str, Any]) -> list[str]:
        # Rasa sends no domain (endpoints.yml: enable_selective_domain); the
        # forms' questions come from the served model instead (bot/forms.py).
        return form_required_slots(self.form_name(), domain)

    # ------------------------------------------------------------------ questions

    def questions(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """The questions this form asks now; forms narrow them (nothing after a "no")."""
        return domain_slots

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict,
    ) -> list[str]:
        questions = self.questions(domain_slots, tracker)
        unclear = self.unclear_question(tracker)
        if unclear is None or unclear not in questions:
            return questions
        # The way out comes before the question the user could not answer.
        at = questions.index(unclear)
        return [*questions[:at], WAY_OUT_SLOT, *questions[at:]]

    # ------------------------------------------------------------------ attempts

    @staticmethod
    def attempts(tracker: Tracker) -> int:
        return int(tracker.get_slot("attempts") or 0)

    def unclear_question(self, tracker: Tracker) -> str | None:
        """The question that got :data:`MAX_ATTEMPTS` unclear answers and is still open."""
        unclear = tracker.get_slot("unclear_question")
        if self.attempts(tracker) < MAX_ATTEMPTS or not unclear:
            return None
        return unclear if tracker.get_slot(unclear) is None else None

    def last_try(self, tracker: Tracker) -> bool:
        """Whether this unclear answer is the last one the question allows."""
        return self.attempts(tracker) + 1 >= MAX_ATTEMPTS

    def retry(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        response: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Reject an answer politely; the form then asks its question again.

        At the limit nothing is said here: the form asks the way out next,
        which says itself that the answer was not understood.
        """
        attempts = self.attempts(tracker) + 1
        if attempts >= MAX_ATTEMPTS:
            return {slot: None, "attempts": float(attempts), "unclear_question": slot}
        if response:
            dispatcher.utter_message(response=response, **kwargs)
        return {slot: None, "attempts": float(attempts)}

    @staticmethod
    def accepted(slot: str, value: Any) -> dict[str, Any]:
        return {slot: value, "attempts": None}

    # ------------------------------------------------------------------ the way out

    async def extract_way_out(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != WAY_OUT_SLOT:
            return {}
        for entity in tracker.latest_message.get("entities") or []:
            if entity.get("entity") == WAY_OUT_SLOT:
                return {WAY_OUT_SLOT: entity.get("value")}
        text = common.latest_text(tracker).strip()
        if text.casefold().strip(" .!") in words("way_out.skip"):
            return {WAY_OUT_SLOT: WAY_OUT_SKIP}
        intent = tracker.latest_message.get("intent") or {}
        asks_for_person = (
            intent.get("name") == "request_human"
            and float(intent.get("confidence") or 0.0) >= COMMAND_MIN_CONFIDENCE
        )
        if asks_for_person and self.PERSON_ON_REQUEST:
            return {}  # the rules hand over to a person
        return self.free_text_answer(WAY_OUT_SLOT, tracker)

    async def validate_way_out(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        """Skip the question, or take what the user wrote as one more answer to it."""
        unclear = self.unclear_question(tracker)
        resolved = {WAY_OUT_SLOT: None, "unclear_question": None, "attempts": None}
        if unclear is None:  # answered meanwhile (a town named in passing, ...)
            return resolved
        if value == WAY_OUT_SKIP:
            skipped = self.SKIPPED.get(unclear, TO_CLARIFY)
            extra = {"contact_as_written": None} if unclear == "contact" else {}
            return {unclear: skipped, **extra, **resolved}
        validate = getattr(self, f"validate_{unclear}", None)
        if validate is None:
            return {unclear: value, **resolved}
        # The question's own complaint ("that is no phone number") is not sent:
        # an answer still unclear gets the way out again, never the question.
        result = await utils.call_potential_coroutine(
            validate(value, CollectingDispatcher(), tracker, domain)
        )
        if result.get(unclear) is not None:
            return {**result, **resolved}
        return {WAY_OUT_SLOT: None, "attempts": float(self.attempts(tracker) + 1)}

    # ------------------------------------------------------------------ shared questions

    def validate_municipality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value == ALL_MUNICIPALITIES:
            return self.accepted("municipality", ALL_MUNICIPALITIES)
        name = common.content().match_municipality(str(value or ""))
        if name:
            return self.accepted("municipality", name)
        if self.last_try(tracker):
            # Better county-wide answers than a user stuck on a town name.
            return self.accepted("municipality", ALL_MUNICIPALITIES)
        return self.retry("municipality", dispatcher, tracker, "utter_municipality_unknown")

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return self.accepted("consent", value)
        word = (clean_text(str(value)) or "").casefold().strip(" .!")
        if word in words("yes"):
            return self.accepted("consent", True)
        if word in words("no"):
            return self.accepted("consent", False)
        if self.last_try(tracker):
            # Consent is never assumed: no answer means no.
            return self.accepted("consent", False)
        return self.retry("consent", dispatcher, tracker, "utter_consent_unclear")

    async def extract_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        # A contact is often a sentence ("meine Nummer ist …", "bitte hier im
        # Chat") that the NLU may read as a command such as "delete my data":
        # like free text, only a short and confident command is not an answer.
        return self.free_text_answer("contact", tracker)

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        """A phone number or e-mail address, also inside a sentence; or "in the chat".

        The number is stored in E.164 for the office to dial, and next to it
        what the user wrote ("Telefon 0151 23456789, ab 17 Uhr"), which may
        say more; the text is not kept when it is the address itself.
        """
        if value == CHAT_CONTACT:
            return self._contact(CHAT_CONTACT, None)
        contact = find_contact(str(value or ""))
        if contact:
            as_written = contact.as_written if contact.as_written != contact.value else None
            return self._contact(contact.value, as_written)
        if means_chat(str(value or "")):
            return self._contact(CHAT_CONTACT, None)
        return self.retry("contact", dispatcher, tracker, "utter_contact_invalid")

    @staticmethod
    def _contact(value: str, as_written: str | None) -> dict[str, Any]:
        # Always both: a contact given anew replaces what was written before.
        return {"contact": value, "contact_as_written": as_written, "attempts": None}

    # ------------------------------------------------------------------ free text

    @staticmethod
    def free_text_answer(slot: str, tracker: Tracker, skippable: bool = False) -> dict[str, Any]:
        """Take the latest message as the answer to a free-text question.

        Free text is classified like any message, and descriptions such as
        "Gespräch über meine Aufenthaltserlaubnis" can look like a command
        ("delete my data"). So only a short, confidently classified command
        (or a button other than "skip") is left to the dialogue rules; anything
        else is the answer. Returning nothing makes the form hand over to rules.
        """
        if tracker.get_slot("requested_slot") != slot:
            return {}
        text = common.latest_text(tracker).strip()
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if text.startswith("/"):
            return {slot: "-"} if skippable and name == "deny" else {}
        words = len(text.split())
        if skippable and name == "deny" and words <= COMMAND_MAX_WORDS:
            return {slot: "-"}
        is_command = name in META_INTENTS and confidence >= COMMAND_MIN_CONFIDENCE
        if is_command and words <= COMMAND_MAX_WORDS:
            return {}
        return {slot: text}

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
