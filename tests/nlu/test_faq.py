"""The staff's FAQ inside the trained NLU: answered without training, fair to the journeys.

Runs the trained model (``models/welcome.tar.gz``) on messages no FAQ example
and no training example contains: the held-out FAQ paraphrases
(``tests/nlu/fixtures/faq_heldout.yml``), the journeys' held-out sets
(``tests/nlu/*.yml``) and the gibberish set (``tests/nlu/fallback.txt``).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

import bot.content
from bot.content import load_content
from bot.faq import faq_id_of
from bot.nlu.evaluation import (
    HARMLESS_INTENTS,
    HELD_OUT_DIR,
    fallback_examples,
    held_out_examples,
    parse_all,
)
from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "welcome.tar.gz"
HELD_OUT_FAQ = HELD_OUT_DIR / "fixtures" / "faq_heldout.yml"
CONTENT_DIR = PROJECT_ROOT / "data" / "content"
# Share of the held-out FAQ paraphrases that must get the right answer, per language.
MIN_FAQ_SHARE = 0.80

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def agent():
    from bot.commands.nlu import load_agent

    bot.content.get_content.cache_clear()
    return load_agent(str(MODEL))


@pytest.fixture(scope="module")
def real_faq_ids() -> set[str]:
    return {entry.id for entry in load_content(CONTENT_DIR).faq}


def held_out_faq(language: str) -> list[tuple[str, str]]:
    data = yaml.safe_load(HELD_OUT_FAQ.read_text(encoding="utf-8"))
    return [(faq_id, text) for faq_id, texts in data.items() for text in texts.get(language, ())]


def test_held_out_paraphrases_are_no_faq_examples(real_faq_ids):
    faq = load_content(CONTENT_DIR).faq
    examples = {
        " ".join(text.casefold().split()).strip(" ?!.")
        for entry in faq
        for texts in entry.examples.values()
        for text in texts
    }
    data = yaml.safe_load(HELD_OUT_FAQ.read_text(encoding="utf-8"))
    assert set(data) <= real_faq_ids
    for texts in data.values():
        for text in (t for by_language in texts.values() for t in by_language):
            assert " ".join(text.casefold().split()).strip(" ?!.") not in examples, text


@pytest.mark.parametrize("language", ["de", "en"])
def test_faq_paraphrases_get_their_answer(agent, language):
    cases = held_out_faq(language)
    assert len(cases) >= 35
    results = parse_all(agent, [text for _, text in cases])
    answered = [
        (faq_id, text, result["intent"]["name"], faq_id_of(result))
        for (faq_id, text), result in zip(cases, results, strict=True)
    ]
    right = [a for a in answered if a[2] == "faq" and a[3] == a[0]]
    wrong_faq = [a for a in answered if a[2] == "faq" and a[3] != a[0]]
    assert len(right) >= MIN_FAQ_SHARE * len(cases), [a for a in answered if a not in right]
    # A wrong answer is worse than none: at most one.
    assert len(wrong_faq) <= 1, wrong_faq


def test_an_faq_with_arabic_phrasings_is_found_in_arabic(agent):
    [result] = parse_all(agent, ["ما رقم الشرطة"])
    assert result["intent"]["name"] == "faq"
    assert faq_id_of(result) == "notruf"


def test_no_journey_request_of_the_held_out_sets_is_taken_for_an_faq(agent):
    examples = [
        (language, text, intent)
        for language, pairs in held_out_examples().items()
        for text, intent in pairs
    ]
    assert len(examples) > 1000
    results = parse_all(agent, [text for _, text, _ in examples])
    captured = Counter(
        intent
        for (_, _, intent), result in zip(examples, results, strict=True)
        if result["intent"]["name"] == "faq"
    )
    assert sum(captured.values()) == 0, captured


def test_an_interpreter_request_stays_an_interpreter_request(agent):
    results = parse_all(
        agent, ["Ich brauche einen Dolmetscher", "I need an interpreter for the Ausländerbehörde"]
    )
    assert [r["intent"]["name"] for r in results] == ["request_interpreter"] * 2


def test_gibberish_still_falls_back(agent):
    texts = fallback_examples()
    results = parse_all(agent, texts)
    captured = [t for t, r in zip(texts, results, strict=True) if r["intent"]["name"] == "faq"]
    assert captured == []
    for text, result in zip(texts, results, strict=True):
        if text in ("blablub xyz", "asdfghjkl", "😀😀😀", "123456789"):
            assert result["intent"]["name"] in HARMLESS_INTENTS


@pytest.fixture
def published(tmp_path: Path, monkeypatch):
    """publish(old, new): the content with faq.yml edited, served from now on."""
    directory = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, directory)

    def publish(old: str, new: str) -> None:
        path = directory / "faq.yml"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1
        path.write_text(text.replace(old, new), encoding="utf-8")
        content = load_content(directory)
        monkeypatch.setattr(bot.content, "get_content", lambda: content)

    return publish


NEW_FAQ = """
  - id: schwimmbad
    question:
      de: Wo kann ich schwimmen gehen?
      en: Where can I go swimming?
    examples:
      de:
        - Wo kann ich schwimmen gehen?
        - gibt es ein hallenbad
        - schwimmbad öffnungszeiten
      en:
        - where is the swimming pool
        - can I go swimming
    answer:
      de: Fragen Sie im Rathaus nach dem Hallenbad.
      en: Ask at the town hall about the indoor pool.
    verified: false
"""


def test_a_published_faq_is_understood_without_training_and_a_removed_one_is_gone(agent, published):
    published("\nfaq:\n", "\nfaq:\n" + NEW_FAQ)
    [result] = parse_all(agent, ["Gibt es hier ein Hallenbad zum Schwimmen?"])
    assert result["intent"]["name"] == "faq"
    assert faq_id_of(result) == "schwimmbad"

    published("  - id: schwimmbad\n", "  - id: hallenbad\n")
    [result] = parse_all(agent, ["Gibt es hier ein Hallenbad zum Schwimmen?"])
    assert faq_id_of(result) == "hallenbad"

    published(NEW_FAQ.replace("id: schwimmbad", "id: hallenbad"), "")
    [result] = parse_all(agent, ["Gibt es hier ein Hallenbad zum Schwimmen?"])
    assert result["intent"]["name"] != "faq"
    assert faq_id_of(result) is None
