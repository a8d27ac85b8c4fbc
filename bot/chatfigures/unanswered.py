"""The unanswered questions for the office: grouped, translated to German, dismissed or used.

The tracker store collects them, masked (:mod:`bot.store.chat_figures`). The
German translation of a question in another language is made here, later
and outside the chat (:func:`translate_pending`, a job of the office
process): the chat never waits for a translation model, and a question is
stored before anything else happens to it.

"Add as example to an intent": the office adds the (masked) question as a
training example of the intent (:class:`bot.training.examples.TrainingExamples`,
trained at the next training started on ``/inhalte``) and records the intent
on the question (status ``used``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import yaml

from bot.settings import PROJECT_ROOT
from bot.store.chat_figures import DISMISSED, NEW, USED, unanswered_table
from bot.unanswered.grouping import group_questions

logger = logging.getLogger(__name__)

#: How many questions the page groups at most (the most asked first).
MAX_QUESTIONS = 2000
#: Examples shown per group.
EXAMPLES_SHOWN = 5
#: Questions translated per run of the office's job.
TRANSLATE_BATCH = 50
DOMAIN_DIR = PROJECT_ROOT / "config" / "domain"
#: Intents that are never a target for a newcomer's question.
_NOT_TARGETS = {"nlu_fallback", "language_unavailable", "out_of_scope", "faq"}

Translate = Callable[[Sequence[str], str], "list[str] | None"]


@dataclass(frozen=True)
class Question:
    id: int
    text: str
    language: str
    text_de: str | None
    translation_tried: bool
    count: int
    first_seen: dt.date
    last_seen: dt.date
    status: str
    intent: str | None


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions: how often they were asked in all, in which languages."""

    questions: tuple[Question, ...]

    @property
    def ids(self) -> list[int]:
        return [question.id for question in self.questions]

    @property
    def count(self) -> int:
        return sum(question.count for question in self.questions)

    @property
    def languages(self) -> list[str]:
        return sorted({question.language for question in self.questions})

    @property
    def last_seen(self) -> dt.date:
        return max(question.last_seen for question in self.questions)

    @property
    def examples(self) -> tuple[Question, ...]:
        return self.questions[:EXAMPLES_SHOWN]

    @property
    def suggestion(self) -> str:
        """The question to start an FAQ entry with: the most asked one, in German if known."""
        top = self.questions[0]
        return top.text_de or top.text


def _grouping_text(question: Question) -> str:
    # German where known: the same question in Arabic and in German is one group.
    return question.text_de or question.text


class UnansweredQuestions:
    """The ``unanswered_questions`` table, for the office."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def questions(self, status: str = NEW, limit: int = MAX_QUESTIONS) -> list[Question]:
        t = unanswered_table
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    t.c.id, t.c.text, t.c.language, t.c.text_de, t.c.translation_tried,
                    t.c.count, t.c.first_seen, t.c.last_seen, t.c.status, t.c.intent,
                )
                .where(t.c.status == status)
                .order_by(t.c.count.desc(), t.c.last_seen.desc(), t.c.id)
                .limit(limit)
            ).all()  # fmt: skip
        return [Question(*row) for row in rows]

    def by_ids(self, ids: Sequence[int]) -> list[Question]:
        """The questions with these ids (any status), in id order."""
        if not ids:
            return []
        t = unanswered_table
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    t.c.id, t.c.text, t.c.language, t.c.text_de, t.c.translation_tried,
                    t.c.count, t.c.first_seen, t.c.last_seen, t.c.status, t.c.intent,
                )
                .where(t.c.id.in_(list(ids)))
                .order_by(t.c.id)
            ).all()  # fmt: skip
        return [Question(*row) for row in rows]

    def groups(self, status: str = NEW) -> list[QuestionGroup]:
        """Similar questions together, the most asked group first."""
        questions = self.questions(status)
        indices = group_questions([_grouping_text(question) for question in questions])
        groups = [
            QuestionGroup(
                tuple(sorted((questions[i] for i in group), key=lambda q: (-q.count, q.id)))
            )
            for group in indices
        ]
        return sorted(groups, key=lambda group: (-group.count, -group.last_seen.toordinal()))

    def _set(self, ids: Sequence[int], **values: object) -> int:
        if not ids:
            return 0
        t = unanswered_table
        with self.engine.begin() as connection:
            return (
                connection.execute(
                    t.update().where(t.c.id.in_(list(ids)), t.c.status == NEW).values(**values)
                ).rowcount
                or 0
            )

    def dismiss(self, ids: Sequence[int]) -> int:
        """The questions are no task for the assistant ("Verwerfen")."""
        return self._set(ids, status=DISMISSED)

    def use_as_example(self, ids: Sequence[int], intent: str) -> int:
        """The questions became training examples of ``intent`` (see the module's note)."""
        return self._set(ids, status=USED, intent=intent)

    def translate_pending(
        self, translate: Translate | None = None, limit: int = TRANSLATE_BATCH
    ) -> int:
        """German translations of questions not yet tried; returns how many were translated.

        A language without a model is tried once (``translation_tried``) and
        shown untranslated; the page says so.
        """
        if translate is None:
            from bot.translation.runtime import to_german as translate
        t = unanswered_table
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(t.c.id, t.c.text, t.c.language)
                .where(t.c.translation_tried == sa.false())
                .order_by(t.c.id)
                .limit(limit)
            ).all()
        by_language: dict[str, list] = {}
        for row in rows:
            by_language.setdefault(row.language, []).append(row)
        translated = 0
        for language, items in by_language.items():
            try:
                german = translate([row.text for row in items], language) if language else None
            except Exception:  # noqa: BLE001 - the questions stay untranslated, nothing is lost
                logger.exception("Translating unanswered questions (%s) failed", language)
                german = None
            with self.engine.begin() as connection:
                for index, row in enumerate(items):
                    text_de = german[index] if german and index < len(german) else None
                    translated += text_de is not None
                    connection.execute(
                        t.update()
                        .where(t.c.id == row.id)
                        .values(text_de=text_de, translation_tried=True)
                    )
        return translated


def known_intents(domain_dir: Path = DOMAIN_DIR) -> list[str]:
    """The intents of the assistant's domain a question may become an example of."""
    intents: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("intents") or []:
            name = next(iter(item)) if isinstance(item, dict) else item
            if isinstance(name, str) and name not in _NOT_TARGETS:
                intents.add(name)
    return sorted(intents)


def translate_unanswered(database_url: str) -> int:
    """The office job: translate the questions waiting for German."""
    from bot.store.db import make_engine

    engine = make_engine(database_url)
    try:
        return UnansweredQuestions(engine).translate_pending()
    finally:
        engine.dispose()
