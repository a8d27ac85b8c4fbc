"""Rasa NLU component adding the detected language to every parse result."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import LANGUAGES
from bot.language import LanguageDetector, build_phrase_lexicon
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

LANGUAGE_KEY = "language"
LEXICON_FILE = "phrases.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LanguageDetectorComponent(GraphComponent):
    """Sets ``language`` ({code, confidence, reliable, script, ...}) on each message.

    The value is part of the parse result (``add_to_output``), so it reaches
    the action server in ``tracker.latest_message`` and ``welcome parse``
    prints it. Training learns the short phrases that occur in only one
    language's examples (``data/nlu/<lang>/``), where n-gram detection is
    unsure: "hallo" is German, "hello" English.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"nlu_directory": "data/nlu"}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        phrases: dict[str, str] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.detector = LanguageDetector(phrases=phrases)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetectorComponent:
        return cls(config, model_storage, resource)

    def _examples_by_language(self) -> dict[str, list[str]]:
        from rasa.shared.nlu.training_data.loading import load_data

        directory = Path(self.config["nlu_directory"])
        if not directory.is_absolute():
            directory = PROJECT_ROOT / directory
        texts: dict[str, list[str]] = {}
        for language in LANGUAGES:
            folder = directory / language
            if folder.is_dir():
                data = load_data(str(folder))
                texts[language] = [m.get(TEXT) for m in data.training_examples if m.get(TEXT)]
        return texts

    def train(self, training_data: TrainingData) -> Resource:
        phrases = build_phrase_lexicon(self._examples_by_language())
        self.detector = LanguageDetector(phrases=phrases)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / LEXICON_FILE).write_text(json.dumps(phrases, ensure_ascii=False))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetectorComponent:
        try:
            with model_storage.read_from(resource) as directory:
                phrases = json.loads((directory / LEXICON_FILE).read_text())
        except (ValueError, FileNotFoundError) as error:
            logger.warning("No phrase lexicon in the model (%s); detection still works.", error)
            phrases = {}
        component = cls(config, model_storage, resource, phrases)
        # Load the n-gram models now, not while the first user of each alphabet waits.
        component.detector.warm_up()
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            detection = self.detector.detect(message.get(TEXT) or "")
            message.set(LANGUAGE_KEY, detection.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples do not need a language; skipping keeps training fast.
        return training_data
