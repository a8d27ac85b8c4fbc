"""Answering the staff's FAQ (``data/content/faq.yml``) without retraining.

The FAQ changes while the assistant runs (an editor publishes a question), so
it cannot be part of the trained intent classifier. :class:`FaqMatcher` runs
after it and holds one contest in one space: TF-IDF character n-grams over the
intent training examples (kept at training time) and the FAQ's example
phrasings (read at parse time from :func:`bot.content.get_content`). A message
is an FAQ when its nearest FAQ phrasing is close (``min_similarity``) and
clearly closer than every intent example (``margin``); then the intent is
``faq`` with that similarity as confidence, and the entity ``faq_id`` names the
entry. So "Ich brauche einen Dolmetscher" stays a journey (its intent examples
are nearer) and gibberish, near nothing, still falls back. Thresholds are
calibrated on the held-out sets (``bench/faq.py --calibrate``).

When the FAQ changes, the index is rebuilt (about a tenth of a second for the
county's FAQ, see ``bench/faq.py``); in the running server by the thread that
loads the new publication, before it is served, so no chat waits: a published
FAQ is answered within seconds.

Languages: messages in a non-native language arrive in English already
(:class:`bot.nlu.translation.TranslateToEnglish`). A native-language message
is matched against the phrasings as typed; when that finds no FAQ and the
intent classifier is unsure too, the message is translated to English once and
matched again, so an FAQ without Arabic phrasings still answers an Arabic
question (only on such turns: the translation costs time).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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
from bot.answers import normalize_digits
from bot.faq import FAQ_ENTITY, FAQ_INTENT
from bot.nlu.language_detector import LANGUAGE_KEY

logger = logging.getLogger(__name__)

EXAMPLES_FILE = "intent_examples.json"
# Set by bot.nlu.translation; repeated here to avoid importing its runtime.
_ORIGINAL_TEXT_KEY = "welcome_original_text"
_UNAVAILABLE_KEY = "welcome_language_unavailable"


def prepare(text: str) -> str:
    """As the intent classifier reads a text: digits unified, lower case."""
    return normalize_digits(text or "").lower()


@dataclass(frozen=True)
class FaqMatch:
    """The outcome of one contest: the best FAQ and the intents' best evidence."""

    faq_id: str | None
    faq_similarity: float
    intent_similarity: float


class IntentCounts:
    """Character n-gram counts of the intent training examples: computed once per model.

    Rebuilding the index when the FAQ changes then only counts the FAQ's
    phrasings and recomputes the weights (vectorised), instead of reading
    thousands of training examples again.
    """

    def __init__(self, texts: Sequence[str], ngram_range: tuple[int, int] = (2, 4)) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.ngram_range = ngram_range
        vectorizer = CountVectorizer(
            analyzer="char_wb", ngram_range=ngram_range, lowercase=False, dtype=np.float32
        )
        self.analyze = vectorizer.build_analyzer()
        prepared = [prepare(text) for text in texts]
        if prepared:
            self.counts = vectorizer.fit_transform(prepared).tocsr()
            self.vocabulary: dict[str, int] = dict(vectorizer.vocabulary_)
        else:
            from scipy.sparse import csr_matrix

            self.counts = csr_matrix((0, 0), dtype=np.float32)
            self.vocabulary = {}

    def __len__(self) -> int:
        return self.counts.shape[0]


def _column_major(matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(indptr, indices, data, rows) of the transposed matrix: n-gram -> examples."""
    transposed = matrix.T.tocsr()
    return transposed.indptr, transposed.indices, transposed.data, matrix.shape[0]


def _similarities(part, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Dot products of the message's weights with every example of ``part`` (pure numpy).

    scipy's fancy indexing costs ~0.5 ms a call; gathering the message's few
    n-gram columns by hand costs a tenth of that.
    """
    indptr, indices, data, rows = part
    starts, ends = indptr[columns], indptr[columns + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total or not rows:
        return np.zeros(max(rows, 1), dtype=np.float32)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    positions = offsets + np.arange(total)
    values = data[positions] * np.repeat(weights, lengths)
    return np.bincount(indices[positions], weights=values, minlength=rows)


class FaqIndex:
    """Intent examples and FAQ phrasings in one TF-IDF character n-gram space.

    TF-IDF as sklearn's TfidfVectorizer(sublinear_tf, smooth_idf, l2) computes
    it, over the intent examples and the FAQ phrasings together.
    """

    def __init__(
        self,
        intents: IntentCounts | Sequence[str],
        faq_examples: Sequence[tuple[str, str]],
    ) -> None:
        from scipy.sparse import csr_matrix, vstack

        if not isinstance(intents, IntentCounts):
            intents = IntentCounts(intents)
        self.faq_ids = [faq_id for faq_id, _ in faq_examples]
        self._analyze = intents.analyze
        self._ready = bool(self.faq_ids)
        if not self._ready:
            return
        vocabulary = dict(intents.vocabulary)
        indptr, indices, values = [0], [], []
        for _, text in faq_examples:
            counts: dict[int, int] = {}
            for gram in self._analyze(prepare(text)):
                column = vocabulary.setdefault(gram, len(vocabulary))
                counts[column] = counts.get(column, 0) + 1
            indices += counts.keys()
            values += counts.values()
            indptr.append(len(indices))
        width = len(vocabulary)
        intent_counts = intents.counts
        intent_counts = csr_matrix(
            (intent_counts.data, intent_counts.indices, intent_counts.indptr),
            shape=(intent_counts.shape[0], width),
        )
        faq_counts = csr_matrix(
            (np.asarray(values, np.float32), np.asarray(indices, np.int32), indptr),
            shape=(len(faq_examples), width),
        )
        matrix = vstack([intent_counts, faq_counts]).tocsr()
        documents = matrix.shape[0]
        frequency = np.bincount(matrix.indices, minlength=width)
        self._idf = (np.log((1 + documents) / (1 + frequency)) + 1).astype(np.float32)
        matrix.data = (np.log(matrix.data) + 1) * self._idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        matrix = csr_matrix(matrix.multiply(1 / norms[:, np.newaxis]), dtype=np.float32)
        self._vocabulary = vocabulary
        rows = len(intents)
        self._intents = _column_major(matrix[:rows])
        self._faq = _column_major(matrix[rows:])

    def __len__(self) -> int:
        return len(self.faq_ids)

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in self._analyze(prepare(text)):
            column = self._vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32)
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        weights = (np.log(tf) + 1.0) * self._idf[columns]
        return columns, weights / np.sqrt(np.dot(weights, weights))

    def match(self, text: str) -> FaqMatch:
        """Cosine similarity of ``text`` to its nearest FAQ phrasing and intent example."""
        if not self._ready:
            return FaqMatch(None, 0.0, 0.0)
        columns, weights = self._features(text)
        if not columns.size:
            return FaqMatch(None, 0.0, 0.0)
        faq = _similarities(self._faq, columns, weights)
        best = int(np.argmax(faq))
        intent = _similarities(self._intents, columns, weights)
        return FaqMatch(self.faq_ids[best], float(faq[best]), float(intent.max()))


def faq_examples(entries: Sequence[Any]) -> list[tuple[str, str]]:
    """(entry id, phrasing) for every phrasing of every FAQ entry, its question included."""
    pairs = []
    for entry in entries:
        phrasings = [text for texts in entry.examples.values() for text in texts]
        phrasings += [text for text in entry.question.texts.values() if text]
        pairs += [(entry.id, text) for text in dict.fromkeys(phrasings)]
    return pairs


def _faq_key(content: Any) -> str:
    """What identifies the FAQ served now: the content version, else a hash of the FAQ."""
    import bot.content

    version = getattr(bot.content, "content_version", None)
    if callable(version):
        try:
            return f"version:{version()}"
        except Exception:  # noqa: BLE001 - fall back to hashing what we have
            logger.debug("content_version() failed; hashing the FAQ", exc_info=True)
    digest = hashlib.sha1(usedforsecurity=False)
    for entry in getattr(content, "faq", ()):
        digest.update(repr((entry.id, sorted(entry.examples.items()), entry.question)).encode())
    return f"hash:{digest.hexdigest()}"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqMatcher(GraphComponent):
    """Turns a message into intent ``faq`` (entity ``faq_id``) when an FAQ fits it best."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Calibrated with bench/faq.py --calibrate (held-out FAQ paraphrases,
            # the journeys' held-out sets and the gibberish set).
            "min_similarity": 0.40,
            "margin": 0.15,
            # Below this intent confidence a native non-German, non-English
            # message is translated to English for a second FAQ contest.
            "weak_intent_confidence": 0.6,
            "min_ngram": 2,
            "max_ngram": 4,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        intent_texts: Sequence[str] = (),
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.intent_texts = list(intent_texts)
        # Counted with the model load (a worker thread when models are swapped),
        # not on the first chat turn.
        self._intent_counts: IntentCounts | None = (
            IntentCounts(self.intent_texts, self._ngrams) if self.intent_texts else None
        )
        self._index: FaqIndex | None = None
        self._index_key: str | None = None
        self._seen_content: Any = None
        self._prebuilt: tuple[str, Any, FaqIndex] | None = None
        self._watch_publications()

    def _watch_publications(self) -> None:
        import bot.content

        register = getattr(bot.content.get_content, "on_new_content", None)
        if callable(register) and self.intent_texts:
            register(self._prebuild)

    @property
    def _ngrams(self) -> tuple[int, int]:
        return (self.config["min_ngram"], self.config["max_ngram"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqMatcher:
        return cls(config, model_storage, resource)

    # -- training: keep the intent examples the FAQ competes with

    def train(self, training_data: TrainingData) -> Resource:
        self.intent_texts = [
            m.get(TEXT) for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)
        ]
        with self._model_storage.write_to(self._resource) as directory:
            (directory / EXAMPLES_FILE).write_text(
                json.dumps(self.intent_texts, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqMatcher:
        try:
            with model_storage.read_from(resource) as directory:
                texts = json.loads((directory / EXAMPLES_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            logger.warning("FAQ matcher has no intent examples (%s); it must be trained.", error)
            texts = []
        return cls(config, model_storage, resource, texts)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # -- parsing

    def index(self) -> FaqIndex | None:
        """The index of the FAQ served now, rebuilt when it changed; None without an FAQ.

        In a running server the index of a new publication is built before the
        publication is served, in the thread that loads it (:meth:`_prebuild`):
        no chat waits for the rebuild. Otherwise it is built here.
        """
        from bot.content import get_content

        try:
            content = get_content()
        except Exception:  # noqa: BLE001 - broken content: the journeys still work
            logger.warning("FAQ not available: the content does not load", exc_info=True)
            return None
        if content is not self._seen_content or self._index is None:
            key = _faq_key(content)
            if key != self._index_key:
                prebuilt = self._prebuilt
                if prebuilt is not None and prebuilt[0] == key and prebuilt[1] is content:
                    self._index = prebuilt[2]
                    logger.info("FAQ index of %s in use", key)
                else:
                    self._index = self._build(getattr(content, "faq", ()))
                self._index_key = key
                self._prebuilt = None
            self._seen_content = content
        return self._index

    def _build(self, entries: Sequence[Any]) -> FaqIndex:
        if self._intent_counts is None:
            self._intent_counts = IntentCounts(self.intent_texts, self._ngrams)
        index = FaqIndex(self._intent_counts, faq_examples(entries))
        logger.info("FAQ index built: %d entries", len(entries))
        return index

    def _prebuild(self, content: Any, version: str) -> None:
        """Index a newly loaded content before it is served (called by ``get_content``)."""
        self._prebuilt = (f"version:{version}", content, self._build(getattr(content, "faq", ())))

    def wins(self, match: FaqMatch) -> bool:
        return (
            match.faq_id is not None
            and match.faq_similarity >= self.config["min_similarity"]
            and match.faq_similarity >= match.intent_similarity + self.config["margin"]
        )

    def _needs_translation(self, message: Message) -> str | None:
        """The native language to translate from for a second contest, if this turn needs one."""
        if message.get(_ORIGINAL_TEXT_KEY) is not None:
            return None  # already read in English
        code = (message.get(LANGUAGE_KEY) or {}).get("code")
        if code not in LANGUAGES or code in ("de", "en"):
            return None
        intent = message.get(INTENT) or {}
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return code if confidence < self.config["weak_intent_confidence"] else None

    def match(self, message: Message) -> FaqMatch | None:
        """The winning FAQ match of ``message``, or None when the intents keep it."""
        text = message.get(TEXT) or ""
        if not text.strip() or text.startswith("/") or message.get(_UNAVAILABLE_KEY):
            return None
        index = self.index()
        if not index:
            return None
        match = index.match(text)
        if self.wins(match):
            return match
        source = self._needs_translation(message)
        if source is None:
            return None
        from bot.translation.runtime import to_english

        english = to_english(text, source)
        if not english:
            return None
        match = index.match(english)
        return match if self.wins(match) else None

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            match = self.match(message)
            if match is None:
                continue
            confidence = round(match.faq_similarity, 4)
            intent = {INTENT_NAME_KEY: FAQ_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}
            # The intents' probabilities lost the contest; capped below the FAQ's
            # confidence so the FallbackClassifier's ambiguity check (first
            # minus second) sees the FAQ ahead.
            cap = confidence * 0.999
            ranking = [intent] + [
                {**entry, PREDICTED_CONFIDENCE_KEY: min(entry[PREDICTED_CONFIDENCE_KEY], cap)}
                for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get(INTENT_NAME_KEY) != FAQ_INTENT
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            # The whole message names the FAQ (Rasa's evaluation sorts entities by start).
            entity = {
                "start": 0,
                "end": len(message.get(TEXT) or ""),
                "entity": FAQ_ENTITY,
                "value": match.faq_id,
                "confidence": confidence,
                "extractor": type(self).__name__,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
