"""Held-out accuracy per language, shared by the tests and bench/nlu.py."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import PROJECT_ROOT

HELD_OUT_DIR = PROJECT_ROOT / "tests" / "nlu"
FALLBACK_SET = HELD_OUT_DIR / "fallback.txt"
# Intents a gibberish or off-topic message may end in without harm.
HARMLESS_INTENTS = ("nlu_fallback", "out_of_scope")


@dataclass
class LanguageScore:
    language: str
    total: int = 0
    correct: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def held_out_examples(directory: Path = HELD_OUT_DIR) -> dict[str, list[tuple[str, str]]]:
    """{language: [(text, intent), ...]} from tests/nlu/<language>.yml."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(directory.glob("*.yml")):
        data = load_data(str(path))
        examples[path.stem] = [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return examples


def fallback_examples(path: Path = FALLBACK_SET) -> list[str]:
    """Gibberish and off-topic lines that must not start a journey."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [line for line in lines if line.strip() and not line.startswith("#")]


async def _parse_all(agent, texts: Iterable[str]) -> list[dict]:
    return [await agent.parse_message(text) for text in texts]


def parse_all(agent, texts: Iterable[str]) -> list[dict]:
    return asyncio.run(_parse_all(agent, texts))


def score_languages(agent, examples: dict[str, list[tuple[str, str]]]) -> list[LanguageScore]:
    scores = []
    for language, pairs in examples.items():
        score = LanguageScore(language)
        parsed = parse_all(agent, [text for text, _ in pairs])
        for (text, expected), result in zip(pairs, parsed, strict=False):
            predicted = (result.get("intent") or {}).get("name")
            score.total += 1
            if predicted == expected:
                score.correct += 1
            else:
                score.errors.append((text, expected, predicted))
        scores.append(score)
    return scores


def format_scores(scores: list[LanguageScore]) -> str:
    lines = [f"{'language':<10}{'examples':>10}{'accuracy':>10}"]
    for score in scores:
        lines.append(f"{score.language:<10}{score.total:>10}{score.accuracy:>10.1%}")
    total = sum(s.total for s in scores)
    correct = sum(s.correct for s in scores)
    lines.append(f"{'all':<10}{total:>10}{(correct / total if total else 0):>10.1%}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- code-mixed messages

CODE_MIXED_SET = HELD_OUT_DIR / "fixtures" / "code_mixed.yml"


@dataclass(frozen=True)
class CodeMixedMessage:
    """A message in ``language`` around German or English names, and the intent it means."""

    language: str
    intent: str
    text: str


def code_mixed_messages(path: Path = CODE_MIXED_SET) -> list[CodeMixedMessage]:
    """The code-mixed test set (``tests/nlu/fixtures/code_mixed.yml``), in file order."""
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        CodeMixedMessage(language, str(item["intent"]), str(item["text"]))
        for language, items in document["messages"].items()
        for item in items
    ]


def code_mixed_dictionaries(path: Path = CODE_MIXED_SET) -> dict[str, dict[str, str]]:
    """Per translated language, the English of each word of its messages (test models)."""
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        language: {str(word): str(english) for word, english in words.items()}
        for language, words in (document.get("word_by_word") or {}).items()
    }


@dataclass
class CodeMixedScore:
    """Per language: how many messages got their language, and their intent where judged."""

    language: str
    total: int = 0
    language_correct: int = 0
    intent_total: int = 0
    intent_correct: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def language_accuracy(self) -> float:
        return self.language_correct / self.total if self.total else 0.0

    @property
    def intent_accuracy(self) -> float | None:
        return self.intent_correct / self.intent_total if self.intent_total else None


def score_code_mixed(
    messages: list[CodeMixedMessage], parsed: list[dict], judge_intent: Iterable[str]
) -> list[CodeMixedScore]:
    """Scores of ``welcome parse`` results (``language``, ``intent``) against the set.

    ``judge_intent``: the languages whose intent counts (the natively trained ones, and
    the translated ones whose models are installed for the run).
    """
    judged = set(judge_intent)
    scores: dict[str, CodeMixedScore] = {}
    for message, result in zip(messages, parsed, strict=True):
        score = scores.setdefault(message.language, CodeMixedScore(message.language))
        score.total += 1
        language, intent = result.get("language"), result.get("intent")
        score.language_correct += language == message.language
        if language != message.language:
            score.errors.append((message.text, f"language {message.language}", str(language)))
        if message.language in judged:
            score.intent_total += 1
            score.intent_correct += intent == message.intent
            if intent != message.intent:
                score.errors.append((message.text, f"intent {message.intent}", str(intent)))
    return list(scores.values())


def code_mixed_totals(scores: list[CodeMixedScore]) -> tuple[float, float]:
    """Overall (language accuracy, intent accuracy) over every judged message."""
    total = sum(s.total for s in scores)
    judged = sum(s.intent_total for s in scores)
    return (
        sum(s.language_correct for s in scores) / total if total else 0.0,
        sum(s.intent_correct for s in scores) / judged if judged else 0.0,
    )


def format_code_mixed(scores: list[CodeMixedScore]) -> str:
    lines = [f"{'language':<10}{'messages':>10}{'language':>10}{'intent':>10}"]
    for score in scores:
        intent = score.intent_accuracy
        lines.append(
            f"{score.language:<10}{score.total:>10}{score.language_accuracy:>10.1%}"
            f"{'-' if intent is None else f'{intent:.1%}':>10}"
        )
    language, intent = code_mixed_totals(scores)
    total = sum(s.total for s in scores)
    lines.append(f"{'all':<10}{total:>10}{language:>10.1%}{intent:>10.1%}")
    return "\n".join(lines)
