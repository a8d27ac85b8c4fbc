"""Readability benchmark: scoring every German text of the content (bot/content/readability.py).

    .venv/bin/python bench/readability.py            # data/content
    .venv/bin/python bench/readability.py --dir PATH --runs 50

Prints the time to score all texts (headings included, as the office lists
them): the first run in this process (loads pyphen's German dictionary), then
the median of further runs with the per-word caches emptied before each (a
content version never seen before) and with it warm (the same texts again, as
after a publication that changed one entry), and the median time for one text
(the editor scores the text being edited).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import load_content  # noqa: E402
from bot.content.readability import content_readability, german_texts  # noqa: E402
from bot.readability import _letters, _longest_long_part, score, syllables  # noqa: E402


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _forget_words() -> None:
    """Empty the per-word caches: every word is new, as in a content version never seen."""
    for cached in (syllables, _letters, _longest_long_part):
        cached.cache_clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="content directory")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    content = load_content(args.dir)
    texts = [text for *_place, text in german_texts(content)]

    started = time.perf_counter()
    results = content_readability(content, headings=True, min_flesch=60)
    first = _ms(started)

    cold, warm = [], []
    for _ in range(args.runs):
        _forget_words()
        started = time.perf_counter()
        content_readability(content, headings=True, min_flesch=60)
        cold.append(_ms(started))
    for _ in range(args.runs):
        started = time.perf_counter()
        content_readability(content, headings=True, min_flesch=60)
        warm.append(_ms(started))
    single = []
    longest = max(texts, key=len)
    for _ in range(args.runs):
        _forget_words()
        started = time.perf_counter()
        score(longest, min_flesch=60)
        single.append(_ms(started))

    words = sum(r.readability.words for r in results)
    below = sum(1 for r in results if not r.readability.plain)
    print(f"Content: {len(results)} German texts, {words} words, {below} below Flesch 60")
    print(f"All texts, first run in the process:        {first:8.1f} ms")
    print(f"All texts, word caches empty (median):    {statistics.median(cold):8.1f} ms")
    print(f"All texts, word caches warm (median):     {statistics.median(warm):8.1f} ms")
    print(
        f"Longest text ({len(longest)} chars), cache empty (median): "
        f"{statistics.median(single):6.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
