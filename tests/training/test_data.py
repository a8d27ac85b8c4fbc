"""The office's intent examples and the training data they join (bot/training/examples, data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.content.models import Municipality
from bot.training.data import assemble
from bot.training.examples import ExampleError, TrainingExamples
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database


@pytest.fixture(params=database_backends())
def examples(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TrainingExamples]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        store = TrainingExamples(url)
        store.migrate()
        yield store
        store.close()


def nlu_examples(path: Path) -> dict[str, list[str]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for item in document["nlu"]:
        key = item.get("intent") or item.get("synonym") or f"lookup:{item.get('lookup')}"
        found[key] = [line[2:] for line in item["examples"].splitlines()]
    return found


def test_added_examples_are_kept_and_join_the_training_data(
    examples: TrainingExamples, tmp_path: Path
) -> None:
    examples.add("greet", "de", "  Servus   miteinander ", "editor1")
    examples.add("greet", "tr", "Selamlar herkese", "editor2")

    stored = examples.all()
    assert [(e.intent, e.language, e.text, e.added_by) for e in stored] == [
        ("greet", "de", "Servus miteinander", "editor1"),
        ("greet", "tr", "Selamlar herkese", "editor2"),
    ]
    folders = assemble(tmp_path / "job", stored, [])
    assert [folder.name for folder in folders] == ["nlu", "rules", "stories"]
    extra = nlu_examples(tmp_path / "job" / "data" / "nlu" / "office" / "examples.yml")
    assert extra == {"greet": ["Servus miteinander", "Selamlar herkese"]}


@pytest.mark.parametrize(
    ("intent", "language", "text", "field"),
    [
        ("no_such_intent", "de", "Hallo", "Absicht"),
        ("greet", "xx", "Hallo", "Sprache"),
        ("greet", "de", "   ", "Beispielsatz"),
        ("greet", "de", "[Böblingen](municipality)", "Beispielsatz"),
        ("greet", "de", "x" * 301, "Beispielsatz"),
    ],
)
def test_an_example_that_cannot_be_trained_is_refused_naming_the_field(
    examples: TrainingExamples, intent: str, language: str, text: str, field: str
) -> None:
    with pytest.raises(ExampleError, match=field):
        examples.add(intent, language, text, "editor1")
    assert examples.all() == []


def test_new_town_spellings_from_the_content_join_the_lookup(tmp_path: Path) -> None:
    towns = [
        Municipality(
            name="Böblingen", aliases=("Boeblingen", "Bobbelingen"), districts=("Dagersheim",)
        ),
        Municipality(name="Neustadt am Schönbuch", aliases=("Neustadt",)),
    ]
    assemble(tmp_path / "job", [], towns)

    added = nlu_examples(tmp_path / "job" / "data" / "nlu" / "office" / "municipalities.yml")
    # Spellings the repository's lookup table lists already are not repeated.
    assert sorted(added["lookup:municipality"]) == sorted(
        ["Bobbelingen", "Neustadt am Schönbuch", "Neustadt"]
    )
    assert added["Böblingen"] == ["Bobbelingen"]
    assert added["Neustadt am Schönbuch"] == ["Neustadt"]
