"""Understanding languages the NLU was not trained on, by translating them to English.

Two components frame the rest of the pipeline:

* :class:`TranslateToEnglish` (right after the language detector) replaces the
  text of a message written in a non-native language with its English
  translation, when a model for that language is installed;
* :class:`RestoreOriginalText` (last) puts the user's own text back and maps
  the entities found in the translation onto the original text.

So intent classification and entity extraction run on English, while the
tracker, the action server and the coordination office see what the user
wrote. The parse result carries ``translation`` ({source_language, text}) for
``welcome parse`` and for debugging.

Messages in a language for which no model exists (Tigrinya, Pashto, ...) get
the intent ``language_unavailable``: the dialogue then offers a second
language and an interpreter instead of guessing.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import LANGUAGES
from bot.language import MIN_CONFIDENCE_FOR_TRANSLATED_SENTENCE, MIN_LETTERS_FOR_RELIABLE
from bot.nlu.language_detector import LANGUAGE_KEY
from bot.translation.availability import can_understand
from bot.translation.runtime import to_english

logger = logging.getLogger(__name__)

TRANSLATION_KEY = "translation"
ORIGINAL_TEXT_KEY = "welcome_original_text"
UNAVAILABLE_KEY = "welcome_language_unavailable"
UNAVAILABLE_INTENT = "language_unavailable"


# A short text ("Mulțumesc", "Dziękuję") is never reliable, but when the
# detector prefers a translated language over every native one this clearly,
# reading it in English beats reading it as German (bench: 10 of 2,331 short
# native training examples reach it, and only matter if that model is installed).
MIN_CONFIDENCE_TO_TRANSLATE_SHORT = 0.70


def language_to_translate(detection: dict | None, can_understand) -> tuple[str | None, bool]:
    """Which language a message must be translated from, and whether it cannot be.

    Returns ``(source, unavailable)``: ``source`` is set when the message is
    in a non-native language with an installed model, reliably or by a clear
    guess; ``unavailable`` only when it is reliably in a language we know but
    cannot translate. Weak guesses ("ok", a name) are left to the native NLU.
    Either way the reply language is decided elsewhere: a short text never
    switches it.
    """
    detection = detection or {}
    code = detection.get("code")
    if not code or code in LANGUAGES:
        return None, False
    reliable = bool(detection.get("reliable"))
    confidence = float(detection.get("confidence") or 0.0)
    # A sentence in a translated language often has less (lingua spreads its
    # confidence over many Latin languages); the detector names such a
    # language for a sentence only when it leads every native one clearly.
    sentence = int(detection.get("letters") or 0) >= MIN_LETTERS_FOR_RELIABLE
    confident = confidence >= MIN_CONFIDENCE_TO_TRANSLATE_SHORT or (
        sentence and confidence >= MIN_CONFIDENCE_FOR_TRANSLATED_SENTENCE
    )
    if not (reliable or confident):
        return None, False
    if can_understand(code):
        return code, False
    return None, reliable


def map_entities_to_original(
    entities: list[dict[str, Any]], translated: str, original: str
) -> list[dict[str, Any]]:
    """Entities found in the translation, with positions in the original text.

    Protected terms (town names, numbers, e-mail addresses) come through
    translation unchanged, so their surface text is found again in the
    original. Entities whose words were translated keep their normalised
    value but lose the positions, marked ``translated``.
    """
    mapped = []
    lowered = original.casefold()
    search_from: dict[str, int] = {}
    for entity in entities:
        entity = dict(entity)
        start, end = entity.get("start"), entity.get("end")
        surface = translated[start:end] if start is not None and end is not None else ""
        position = lowered.find(surface.casefold(), search_from.get(surface, 0)) if surface else -1
        if position >= 0:
            entity["start"], entity["end"] = position, position + len(surface)
            search_from[surface] = position + len(surface)
        else:
            entity.pop("start", None)
            entity.pop("end", None)
            entity["translated"] = True
        mapped.append(entity)
    return mapped


class _UntrainedComponent(GraphComponent):
    """A pipeline step without configuration or training of its own."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _UntrainedComponent:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # The training examples are in the native languages already.
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TranslateToEnglish(_UntrainedComponent):
    """Replaces a non-native message's text with its English translation."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            original = message.get(TEXT) or ""
            if not original.strip() or original.startswith("/"):
                continue
            source, unavailable = language_to_translate(message.get(LANGUAGE_KEY), can_understand)
            if unavailable:
                message.set(UNAVAILABLE_KEY, True)
                continue
            if not source:
                continue
            # Names (towns, offices) come through unchanged, so the entity
            # extractor still finds them; a failure leaves the message as it is.
            english = to_english(original, source)
            if english is None:
                continue
            message.set(ORIGINAL_TEXT_KEY, original)
            message.set(
                TRANSLATION_KEY,
                {"source_language": source, "text": english},
                add_to_output=True,
            )
            message.set(TEXT, english)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RestoreOriginalText(_UntrainedComponent):
    """Puts the user's own text back after the NLU has read the translation."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if message.get(UNAVAILABLE_KEY):
                # Whatever the classifier made of a text it cannot read is a guess.
                intent = {INTENT_NAME_KEY: UNAVAILABLE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
                message.set(ENTITIES, [], add_to_output=True)
                continue
            original = message.get(ORIGINAL_TEXT_KEY)
            if original is None:
                continue
            translated = message.get(TEXT) or ""
            message.set(
                ENTITIES,
                map_entities_to_original(message.get(ENTITIES) or [], translated, original),
                add_to_output=True,
            )
            message.set(TEXT, original)
        return messages
