"""Rasa NLU component adding the detected language to every parse result."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import LanguageDetector

LANGUAGE_KEY = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetectorComponent(GraphComponent):
    """Sets ``language`` ({code, confidence, reliable, script}) on each message.

    The value is part of the parse result (``add_to_output``), so it reaches
    the action server in ``tracker.latest_message`` and ``welcome parse``
    prints it.
    """

    _shared_detector: LanguageDetector | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetectorComponent:
        return cls()

    def __init__(self) -> None:
        # One detector per process: its models are large and read-only.
        if LanguageDetectorComponent._shared_detector is None:
            LanguageDetectorComponent._shared_detector = LanguageDetector()
        self.detector = LanguageDetectorComponent._shared_detector

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            detection = self.detector.detect(message.get(TEXT) or "")
            message.set(LANGUAGE_KEY, detection.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples do not need a language; skipping keeps training fast.
        return training_data
