"""FAQ matching: its cost per message and the calibration of its thresholds.

    .venv/bin/python bench/faq.py               # cost per message, ~20 and ~200 FAQs
    .venv/bin/python bench/faq.py --calibrate   # min_similarity x margin on the held-out sets

Both run on the training data (``data/nlu``) and ``data/content/faq.yml``
directly, without a trained model: the matcher's contest only needs the
intent examples and the FAQ phrasings. Calibration counts, per setting, the
held-out FAQ paraphrases answered with the right FAQ
(``tests/nlu/fixtures/faq_heldout.yml``), the journeys' held-out messages
captured by an FAQ (``tests/nlu/*.yml``) and the gibberish lines captured
(``tests/nlu/fallback.txt``) or the off-topic held-out messages. The chosen
setting captures no journey message and no off-topic or gibberish line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import yaml  # noqa: E402

from bot.content.loader import load_content  # noqa: E402
from bot.nlu.evaluation import (  # noqa: E402
    HARMLESS_INTENTS,
    HELD_OUT_DIR,
    fallback_examples,
    held_out_examples,
)
from bot.nlu.faq import FaqIndex, FaqMatcher, IntentCounts, faq_examples  # noqa: E402

HELD_OUT_FAQ = HELD_OUT_DIR / "fixtures" / "faq_heldout.yml"
SIMILARITIES = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60)
MARGINS = (0.0, 0.05, 0.10, 0.15)


def intent_texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    return [m.get("text") for m in data.intent_examples if m.get("intent") and m.get("text")]


def held_out_faq(path: Path = HELD_OUT_FAQ) -> list[tuple[str, str, str]]:
    """(faq id, language, text) of the held-out FAQ paraphrases."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        (faq_id, language, text)
        for faq_id, by_language in data.items()
        for language, texts in by_language.items()
        for text in texts
    ]


def journey_messages(harmless: bool = False) -> list[str]:
    """The held-out messages of every intent that is not harmless (a journey or a basic turn).

    With ``harmless``: the off-topic ones instead (out_of_scope), which no FAQ should answer.
    """
    return [
        text
        for examples in held_out_examples().values()
        for text, intent in examples
        if (intent in HARMLESS_INTENTS) == harmless
    ]


@dataclass(frozen=True)
class Tally:
    faq_right: int
    faq_total: int
    journeys_captured: int
    gibberish_captured: int


def tally(matches, faq_cases, journey_matches, gibberish_matches, similarity, margin) -> Tally:
    def wins(match) -> bool:
        return (
            match.faq_id is not None
            and match.faq_similarity >= similarity
            and match.faq_similarity >= match.intent_similarity + margin
        )

    pairs = zip(faq_cases, matches, strict=True)
    right = sum(1 for (faq_id, _, _), m in pairs if wins(m) and m.faq_id == faq_id)
    return Tally(
        right,
        len(faq_cases),
        sum(1 for m in journey_matches if wins(m)),
        sum(1 for m in gibberish_matches if wins(m)),
    )


def calibrate() -> int:
    content = load_content(PROJECT_ROOT / "data" / "content")
    index = FaqIndex(intent_texts(), faq_examples(content.faq))
    cases = held_out_faq()
    matches = [index.match(text) for _, _, text in cases]
    journeys = [index.match(text) for text in journey_messages()]
    gibberish = [index.match(t) for t in fallback_examples() + journey_messages(harmless=True)]
    configured = FaqMatcher.get_default_config()
    print(
        f"{len(cases)} held-out FAQ paraphrases, {len(journeys)} journey messages, "
        f"{len(gibberish)} off-topic or gibberish lines; {len(content.faq)} FAQs\n"
    )
    print("min_sim margin  FAQ right      journeys captured  off-topic/gibberish captured")
    for similarity in SIMILARITIES:
        for margin in MARGINS:
            t = tally(matches, cases, journeys, gibberish, similarity, margin)
            mark = (
                " <- configured"
                if (similarity, margin) == (configured["min_similarity"], configured["margin"])
                else ""
            )
            print(
                f"{similarity:7.2f} {margin:6.2f}  {t.faq_right:3d}/{t.faq_total} "
                f"({t.faq_right / t.faq_total:4.0%})   {t.journeys_captured:5d}"
                f"              {t.gibberish_captured:5d}{mark}"
            )
    chosen = replace(
        tally(
            matches, cases, journeys, gibberish, configured["min_similarity"], configured["margin"]
        )
    )
    missed = [
        (faq_id, language, text, f"{m.faq_id} {m.faq_similarity:.2f}", f"{m.intent_similarity:.2f}")
        for (faq_id, language, text), m in zip(cases, matches, strict=True)
        if not (
            m.faq_id == faq_id
            and m.faq_similarity >= configured["min_similarity"]
            and m.faq_similarity >= m.intent_similarity + configured["margin"]
        )
    ]
    print(f"\nConfigured setting misses {len(missed)} paraphrases:")
    for row in missed:
        print("  ", row)
    return 0 if chosen.journeys_captured == 0 and chosen.gibberish_captured == 0 else 1


def synthetic_faq(entries, copies: int):
    """``copies`` times the FAQ, with distinct ids (a county with a large FAQ)."""
    from dataclasses import replace as copy_entry

    result = []
    for n in range(copies):
        for entry in entries:
            examples = {
                lang: tuple(f"{text} {n}" if n else text for text in texts)
                for lang, texts in entry.examples.items()
            }
            result.append(copy_entry(entry, id=f"{entry.id}-{n}", examples=examples))
    return result


def cost() -> int:
    content = load_content(PROJECT_ROOT / "data" / "content")
    texts = intent_texts()
    messages = journey_messages() + [text for _, _, text in held_out_faq()]
    start = time.perf_counter()
    counts = IntentCounts(texts)
    first = time.perf_counter() - start
    print(
        f"{len(texts)} intent examples: counted once per model load in {first * 1000:.0f} ms; "
        f"{len(messages)} messages per run"
    )
    for copies in (1, 10):
        entries = synthetic_faq(content.faq, copies)
        pairs = faq_examples(entries)
        builds = []
        for _ in range(3):
            start = time.perf_counter()
            index = FaqIndex(counts, pairs)
            builds.append(time.perf_counter() - start)
        for text in messages[:50]:  # warm-up
            index.match(text)
        per_message = []
        for _ in range(3):
            start = time.perf_counter()
            for text in messages:
                index.match(text)
            per_message.append((time.perf_counter() - start) / len(messages))
        print(
            f"{len(entries):4d} FAQs ({len(pairs):5d} phrasings): "
            f"index rebuild after a publication {statistics.median(builds) * 1000:5.0f} ms, "
            f"matching {statistics.median(per_message) * 1000:.3f} ms per message (median of 3)"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="print the calibration grid")
    args = parser.parse_args(argv)
    return calibrate() if args.calibrate else cost()


if __name__ == "__main__":
    sys.exit(main())
