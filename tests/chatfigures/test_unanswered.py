"""Unanswered questions for the office: German translations made later, groups, status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.chatfigures.unanswered import UnansweredQuestions
from bot.store import RequestStore
from bot.store.chat_figures import record_question, unanswered_table
from bot.store.db import make_engine
from bot.translation.engine import Translator
from bot.translation.runtime import to_german
from tests.helpers.argos_dictionary import build_dictionary_package
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database

DAY = dt.date(2026, 12, 4)


@pytest.fixture(params=database_backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.engine.Engine]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        with RequestStore(url) as store:
            store.migrate()
        database = make_engine(url)
        yield database
        database.dispose()


def ask(engine: sa.engine.Engine, text: str, language: str, day: dt.date = DAY) -> None:
    with engine.begin() as connection:
        record_question(connection, text, language, day)


def stored(engine: sa.engine.Engine) -> dict[str, tuple]:
    t = unanswered_table
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(t.c.text, t.c.text_de, t.c.translation_tried, t.c.count)
        )
        return {row.text: (row.text_de, row.translation_tried, row.count) for row in rows}


def test_questions_get_their_german_later_and_a_language_without_model_is_said(
    engine: sa.engine.Engine, tmp_path: Path
) -> None:
    packages = tmp_path / "packages"
    build_dictionary_package(
        packages, "en", "de", {"where": "wo", "is": "ist", "the": "das", "townhall": "Rathaus"}
    )
    translator = Translator(packages)
    ask(engine, "where is the townhall", "en")
    ask(engine, "Where is the townhall?", "en")  # the same question: counted, not a new row
    ask(engine, "де ратуша", "uk")  # no Ukrainian model here
    ask(engine, "Wo ist das Rathaus?", "de")
    questions = UnansweredQuestions(engine)

    translated = questions.translate_pending(lambda texts, lang: to_german(texts, lang, translator))

    assert translated == 1
    assert stored(engine) == {
        "where is the townhall": ("wo ist das Rathaus", True, 2),
        "де ратуша": (None, True, 1),
        "Wo ist das Rathaus?": ("Wo ist das Rathaus?", True, 1),
    }
    # Tried once: the next run has nothing to do.
    assert questions.translate_pending(lambda texts, lang: to_german(texts, lang, translator)) == 0
    # Grouped on the German: the English and the German question are one group.
    groups = questions.groups()
    assert sorted(sorted(q.text for q in group.questions) for group in groups) == [
        ["Wo ist das Rathaus?", "where is the townhall"],
        ["де ратуша"],
    ]
    assert [group.count for group in groups] == [3, 1]
    assert groups[0].languages == ["de", "en"]


def test_a_failing_translation_loses_no_question(engine: sa.engine.Engine) -> None:
    ask(engine, "bonjour la mairie", "fr")

    def broken(texts, language):
        raise RuntimeError("model file damaged")

    assert UnansweredQuestions(engine).translate_pending(broken) == 0
    assert stored(engine) == {"bonjour la mairie": (None, True, 1)}


def test_dismissed_and_used_questions_leave_the_open_list(engine: sa.engine.Engine) -> None:
    ask(engine, "Gibt es einen Schachclub?", "de")
    ask(engine, "Wo kann ich schwimmen lernen?", "de")
    questions = UnansweredQuestions(engine)
    chess, swimming = sorted(questions.questions(), key=lambda q: q.text)

    assert questions.dismiss([chess.id]) == 1
    assert questions.use_as_example([swimming.id], "ask_offers") == 1
    assert questions.dismiss([chess.id, swimming.id]) == 0  # only open questions change

    assert questions.questions() == []
    assert [q.text for q in questions.questions("dismissed")] == ["Gibt es einen Schachclub?"]
    [used] = questions.questions("used")
    assert used.intent == "ask_offers"
    # Asked again after being dismissed: counted, and it stays dismissed.
    ask(engine, "gibt es einen schachclub", "de", DAY + dt.timedelta(days=1))
    [again] = questions.questions("dismissed")
    assert (again.count, again.last_seen) == (2, DAY + dt.timedelta(days=1))
