"""Rasa's response generator, with answers machine translated at build time.

Rasa loads it through ``config/endpoints.yml``::

    nlg:
      type: bot.nlg.TranslatingNaturalLanguageGenerator

For the conversation's language (slot ``language``):

1. a curated variation in that language wins (Rasa's own choice);
2. else the English variation, translated by ``welcome content translate``
   (:mod:`bot.prepared`), with the "automatically translated" marker;
   slot values are filled in after translation, button payloads stay as they are;
3. else the English variation itself (German, the default variation, only for
   German and for responses that have no English variation).

Nothing is translated here: a lookup in the prepared texts is all that runs.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.constants import RESPONSE_CONDITION
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot import DEFAULT_LANGUAGE
from bot.prepared import PreparedTranslations, get_prepared
from bot.texts import with_marker

LANGUAGE_SLOT = "language"
SOURCE_LANGUAGE = "en"


class TranslatingNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """Curated variation, else prepared machine translation plus marker, else English."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        domain: Domain | None = None,
        *,
        responses: dict[str, list[dict[str, Any]]] | None = None,
        prepared: PreparedTranslations | None = None,
    ) -> None:
        # Rasa builds the generator before the model (and so the domain) is
        # loaded, then assigns ``responses`` from the model's domain.
        if responses is None:
            responses = domain.responses if domain is not None else {}
        super().__init__(responses)
        self.endpoint_config = endpoint_config
        self._prepared = prepared

    @property
    def prepared(self) -> PreparedTranslations:
        return self._prepared if self._prepared is not None else get_prepared()

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: dict[str, Any],
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        filled_slots = filled_slots or {}
        language = filled_slots.get(LANGUAGE_SLOT)
        if (
            not isinstance(language, str)
            or language.casefold() == DEFAULT_LANGUAGE
            or utter_action not in self.responses
            or self._has_curated_variation(utter_action, output_channel, filled_slots)
        ):
            return super().generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
        source = self._source_variation(utter_action, output_channel, filled_slots)
        if source is None:
            return None
        response, translated = self._translated(source, language.casefold())
        filled = self._fill_response(response, filled_slots, **kwargs)
        if translated and filled.get("text"):
            filled["text"] = with_marker(filled["text"], language.casefold())
        return filled

    def _has_curated_variation(
        self, utter_action: str, output_channel: str, filled_slots: dict[str, Any]
    ) -> bool:
        variations = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots
        )
        return any(variation.get(RESPONSE_CONDITION) for variation in variations)

    def _source_variation(
        self, utter_action: str, output_channel: str, filled_slots: dict[str, Any]
    ) -> dict[str, Any] | None:
        """An English variation (Rasa's channel rules), else a German one."""
        as_english = {**filled_slots, LANGUAGE_SLOT: SOURCE_LANGUAGE}
        variations = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, as_english
        )
        return copy.deepcopy(random.choice(variations)) if variations else None

    def _translated(self, variation: dict[str, Any], language: str) -> tuple[dict[str, Any], bool]:
        """The variation with prepared translations of text and button titles."""
        prepared = self.prepared
        translated = False
        text = variation.get("text")
        if isinstance(text, str):
            translation = prepared.lookup(text, language)
            if translation is not None:
                variation["text"] = translation
                translated = True
        for button in variation.get("buttons") or []:
            title = button.get("title")
            if isinstance(title, str):
                translation = prepared.lookup(title, language)
                if translation is not None:
                    button["title"] = translation
                    translated = True
        return variation, translated
