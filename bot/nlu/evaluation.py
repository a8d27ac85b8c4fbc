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
