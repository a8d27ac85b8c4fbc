"""German and English names that say nothing about the language of a message.

Newcomers write their own language around German names: "بدي Dolmetscher لموعد
في Jobcenter", "Dolmetscher lazım, Ausländerbehörde randevusu var". Counted
as words of the message, such names make a detector answer "German". Language
detection (:class:`bot.language.LanguageDetector`) therefore looks at the
message without them: :class:`NameFinder` finds their places.

The names come from three places, so staff extend lists they already keep:
``data/terms.yml`` (offices, documents, courses and programmes; how a word is
found is documented there), the towns of the content and the NLU lookup table
(every spelling users type), and the names of offices, providers and
programmes in the content (the same names translation keeps untouched).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

TERMS_FILE = PROJECT_ROOT / "data" / "terms.yml"
TOWN_LOOKUP_FILE = PROJECT_ROOT / "data" / "nlu" / "entities" / "municipalities.yml"

# A listed word also matches with an ending of up to this many letters
# ("Terminen", Turkish "Integrationskursu")...
MAX_ENDING = 3
# ...but only from this length on: "Kita" must not match Turkish "kitap".
MIN_LETTERS_FOR_ENDING = 5
# A word this long also matches at the end of a compound ("Frauenintegrationskurs").
MIN_LETTERS_IN_COMPOUND = 8
# An ending after an apostrophe belongs to the name ("Jobcenter'deki", "Landratsamt'tan").
MAX_APOSTROPHE_ENDING = 5
_APOSTROPHES = "'’ʼ`´"
MAX_REMEMBERED_WORDS = 50_000
# Names are split into parts here too: "Jugendmigrationsdienst (JMD)" is also found as "JMD".
_NAME_PARTS = re.compile(r"[(),;/]")
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)
_FOLDED = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


@dataclass(frozen=True)
class Word:
    """A run of letters of one alphabet in a message, and where it is."""

    text: str
    start: int
    end: int
    script: str


@lru_cache(maxsize=4096)
def script_of(char: str) -> str:
    """``latin``, ``arabic``, ``cyrillic``, ``greek``, ``ethiopic`` or ``other``."""
    name = unicodedata.name(char, "")
    for prefix, script in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return script
    return "other"


_SCRIPT_PREFIXES = (
    ("LATIN", "latin"),
    ("ARABIC", "arabic"),
    ("PERSIAN", "arabic"),
    ("CYRILLIC", "cyrillic"),
    ("GREEK", "greek"),
    ("ETHIOPIC", "ethiopic"),
)


def split_words(text: str) -> list[Word]:
    """The words of ``text``; a word that changes alphabet is two ("بالJobcenter").

    Letters of no particular alphabet (the Ukrainian apostrophe "ʼ", CJK) stay
    with the word they are in.
    """
    words = []
    for match in _LETTERS.finditer(text):
        start, current = match.start(), "other"
        for offset, char in enumerate(match.group(), start=match.start()):
            script = script_of(char)
            if script == "other" or script == current:
                continue
            if current != "other":
                words.append(Word(text[start:offset], start, offset, current))
                start = offset
            current = script
        words.append(Word(text[start : match.end()], start, match.end(), current))
    return words


@lru_cache(maxsize=50_000)
def fold(word: str) -> str:
    """A word as names are compared: lower case, no accents, umlauts as plain vowels.

    "Ausländerbehörde", "Auslaenderbehoerde" and "AUSLANDERBEHORDE" fold alike.
    """
    word = word.casefold().translate(_FOLDED)
    word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word.replace("ae", "a").replace("oe", "o").replace("ue", "u")


class NameFinder:
    """Finds the names of a list in a message (see ``data/terms.yml`` for the rules)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._single: set[str] = set()
        self._phrases: dict[str, set[tuple[str, ...]]] = {}
        self._longest_phrase = 1
        # Words come back (every user types "Termin"); remembering the answer
        # keeps a message at a few microseconds per word.
        self._seen: dict[str, bool] = {}
        for name in names:
            for part in _NAME_PARTS.split(name):
                found = split_words(part)
                # Names in another alphabet are in the user's own script: they stay evidence.
                if not found or any(word.script != "latin" for word in found):
                    continue
                words = tuple(fold(word.text) for word in found)
                if len(words) == 1:
                    self._single.add(words[0])
                else:
                    self._phrases.setdefault(words[0], set()).add(words)
                    self._longest_phrase = max(self._longest_phrase, len(words))

    def __len__(self) -> int:
        return len(self._single) + sum(len(p) for p in self._phrases.values())

    def is_name(self, word: str) -> bool:
        """Whether one word is a listed name, with an ending or in a compound."""
        known = self._seen.get(word)
        if known is None:
            if len(self._seen) >= MAX_REMEMBERED_WORDS:
                self._seen.clear()
            known = self._seen[word] = self._is_name(word)
        return known

    def _is_name(self, word: str) -> bool:
        folded = fold(word)
        if folded in self._single:
            return True
        for cut in range(1, MAX_ENDING + 1):
            stem = folded[:-cut]
            if len(stem) >= MIN_LETTERS_FOR_ENDING and stem in self._single:
                return True
        return any(self._is_compound(folded[: len(folded) - cut]) for cut in range(MAX_ENDING + 1))

    def _is_compound(self, stem: str) -> bool:
        for split in range(1, len(stem)):
            head, tail = stem[:split], stem[split:]
            if len(tail) >= MIN_LETTERS_IN_COMPOUND and tail in self._single:
                return True
            if head in self._single and tail in self._single:
                return True
        return False

    def name_words(self, text: str, words: list[Word] | None = None) -> set[int]:
        """Indexes (into :func:`split_words` of ``text``) of the words that are names."""
        words = split_words(text) if words is None else words
        found: set[int] = set()
        index = 0
        while index < len(words):
            length = self._phrase_at(words, index) or (1 if self._single_at(words, index) else 0)
            if not length:
                index += 1
                continue
            found.update(range(index, index + length))
            index += length
            # "Jobcenter'deki": the ending glued by an apostrophe is part of the name.
            if (
                index < len(words)
                and words[index].start == words[index - 1].end + 1
                and text[words[index - 1].end] in _APOSTROPHES
                and len(words[index].text) <= MAX_APOSTROPHE_ENDING
            ):
                found.add(index)
                index += 1
        return found

    def _single_at(self, words: list[Word], index: int) -> bool:
        return words[index].script == "latin" and self.is_name(words[index].text)

    def _phrase_at(self, words: list[Word], index: int) -> int:
        """The number of words of the longest listed phrase starting at ``index`` (0: none)."""
        first = words[index]
        if first.script != "latin":
            return 0
        candidates = self._phrases.get(fold(first.text))
        if not candidates:
            return 0
        window: list[str] = []
        for word in words[index : index + self._longest_phrase]:
            if word.script != "latin":
                break
            window.append(fold(word.text))
        best = 0
        for phrase in candidates:
            if len(phrase) > best and tuple(window[: len(phrase)]) == phrase:
                best = len(phrase)
        return best


def load_terms(path: Path = TERMS_FILE) -> tuple[str, ...]:
    """The words listed in ``data/terms.yml`` (German and English)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms: list[str] = []
    for section in ("german", "english"):
        terms.extend(str(term) for term in document.get(section) or [])
    return tuple(terms)


def _town_spellings(path: Path = TOWN_LOOKUP_FILE) -> tuple[str, ...]:
    """Every spelling of a town that users type (the NLU's lookup table)."""
    if not path.exists():
        return ()
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    spellings: list[str] = []
    for item in document.get("nlu") or []:
        if "lookup" in item or "synonym" in item:
            if "synonym" in item:
                spellings.append(str(item["synonym"]))
            spellings.extend(
                line.strip()[2:].strip()
                for line in str(item.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            )
    return tuple(spellings)


def _content_names() -> tuple[str, ...]:
    """Towns, districts and the names of offices and providers in the content."""
    from bot.content import get_content
    from bot.translation.sources import protected_terms

    try:
        content = get_content()
    except Exception:  # noqa: BLE001 - broken content is reported by `welcome content check`
        logger.warning("Content not readable: names in messages are judged without it.")
        return ()
    aliases = [alias for town in content.municipalities for alias in town.aliases]
    return (*protected_terms(content), *aliases)


@lru_cache(maxsize=1)
def default_name_finder() -> NameFinder:
    """The names of ``data/terms.yml``, the towns and the content, read once per process."""
    return NameFinder((*load_terms(), *_town_spellings(), *_content_names()))
