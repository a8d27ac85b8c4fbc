"""The one-message scorer gives the intent ranking sklearn's pipeline gives."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_classifier import TfidfIntentClassifier
from bot.settings import PROJECT_ROOT

# As in config/config.yml.
CONFIG = {"min_ngram": 2, "max_ngram": 4, "C": 30.0, "min_similarity": 0.25}

UNSEEN = [
    "",
    "   ",
    "asdfgh qwertz",
    "🙂🙂🙂",
    "12345",
    "Ich brauche Hilfe beim Jobcenter-Antrag für meine Tochter",
    "Мне нужен переводчик к врачу в Böblingen",
    "أين أجد دورة اندماج في سيندلفينغن؟",
    "Kurdî dizanim, wergêr hewce ye",
    "xyzzy" * 40,
]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> TfidfIntentClassifier:
    importer = RasaFileImporter(training_data_paths=[str(PROJECT_ROOT / "data" / "nlu")])
    training_data = importer.get_nlu_data()
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test")
    component = TfidfIntentClassifier.create(CONFIG, storage, Resource("classifier"), context)
    component.train(training_data)
    return component, training_data


def _rankings_by_sklearn(component: TfidfIntentClassifier, texts: list[str]):
    prepared = [component._prepare(text) for text in texts]
    features = component._vectorize(prepared)
    return component._classifier.predict_proba(features), component.nearest_similarity(features)


def test_the_scorer_is_used_for_the_trained_pipeline(classifier) -> None:
    component, _ = classifier
    assert component._scorer is not None


def test_one_message_gets_the_same_scores_as_through_sklearn(classifier) -> None:
    component, training_data = classifier
    examples = [m.get("text") for m in training_data.intent_examples][::7]
    texts = examples + UNSEEN
    expected_probabilities, expected_similarities = _rankings_by_sklearn(component, texts)

    for text, probabilities, similarity in zip(
        texts, expected_probabilities, expected_similarities, strict=True
    ):
        got_probabilities, got_similarities = component.scores([text])
        np.testing.assert_allclose(got_probabilities[0], probabilities, rtol=1e-9, atol=1e-12)
        assert got_similarities[0] == pytest.approx(similarity, abs=1e-9), text


def test_the_parse_result_names_the_same_intent_either_way(classifier) -> None:
    component, _ = classifier
    single = [component.process([Message({"text": text})])[0] for text in UNSEEN]
    batch = component.process([Message({"text": text}) for text in UNSEEN])  # sklearn's path

    for one, many in zip(single, batch, strict=True):
        assert one.get("intent")["name"] == many.get("intent")["name"]
        assert one.get("intent")["confidence"] == pytest.approx(many.get("intent")["confidence"])
        assert [e["name"] for e in one.get("intent_ranking")][:3] == [
            e["name"] for e in many.get("intent_ranking")
        ][:3]
