"""The training data of a training run, assembled in a folder of its own.

The repository's ``data/nlu``, ``data/rules`` and ``data/stories``, plus:

- ``data/nlu/office/examples.yml``: the intent examples staff added
  (:mod:`bot.training.examples`);
- ``data/nlu/office/municipalities.yml``: the spellings of towns and
  districts in the published content (``municipalities.yml``: name, aliases,
  districts) that the NLU lookup table (``data/nlu/entities/municipalities.yml``)
  does not list yet, as lookup entries and synonyms of the town's name.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.content.models import Municipality
from bot.settings import PROJECT_ROOT
from bot.terms import TOWN_LOOKUP_FILE, _town_spellings
from bot.training.examples import TrainingExample

TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")


def _block(lines: Iterable[str]) -> str:
    return "".join(f"- {line}\n" for line in lines)


def examples_yaml(examples: Iterable[TrainingExample]) -> str:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        if example.text not in by_intent[example.intent]:
            by_intent[example.intent].append(example.text)
    document = {
        "version": "3.1",
        "nlu": [
            {"intent": intent, "examples": _block(texts)}
            for intent, texts in sorted(by_intent.items())
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def new_town_spellings(
    municipalities: Iterable[Municipality], lookup_file: Path = TOWN_LOOKUP_FILE
) -> dict[str, list[str]]:
    """Spellings per town name that the lookup table does not list yet."""
    known = {spelling.casefold() for spelling in _town_spellings(lookup_file)}
    new: dict[str, list[str]] = {}
    for town in municipalities:
        for spelling in (town.name, *town.aliases, *town.districts):
            if spelling.casefold() not in known:
                known.add(spelling.casefold())
                new.setdefault(town.name, []).append(spelling)
    return new


def towns_yaml(spellings: dict[str, list[str]]) -> str:
    every = sorted({s for forms in spellings.values() for s in forms}, key=lambda s: (-len(s), s))
    nlu: list[dict] = [{"lookup": "municipality", "examples": _block(every)}]
    for name, forms in sorted(spellings.items()):
        synonyms = [form for form in forms if form != name]
        if synonyms:
            nlu.append({"synonym": name, "examples": _block(synonyms)})
    return yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False)


def assemble(
    target: Path,
    examples: Iterable[TrainingExample],
    municipalities: Iterable[Municipality],
    root: Path = PROJECT_ROOT,
) -> list[Path]:
    """Write the training data under ``target``; return the folders to train on."""
    folders = []
    for relative in TRAINING_DATA:
        folder = target / relative
        shutil.copytree(root / relative, folder)
        folders.append(folder)
    office = target / "data" / "nlu" / "office"
    office.mkdir(parents=True, exist_ok=True)
    examples = list(examples)
    if examples:
        (office / "examples.yml").write_text(examples_yaml(examples), encoding="utf-8")
    spellings = new_town_spellings(municipalities)
    if spellings:
        (office / "municipalities.yml").write_text(towns_yaml(spellings), encoding="utf-8")
    return folders
