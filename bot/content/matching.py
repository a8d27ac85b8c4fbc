"""Matching typed answers to content: town names and internship fields.

Newcomers type "Boblingen", "sindelfinge", "in Weil der Stadt" or answer
"Krankenpflege" / "медсестра" / "پرستار" when asked for a field. Both matchers
normalise the text (case, umlauts, diacritics, Arabic/Persian letter variants),
look for exact names first and fall back to fuzzy matching (difflib) only when
the best candidate is clearly better than every other one. When unsure they
return None, so the dialogue can ask again instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from bot.content.models import Field, Municipality

# Arabic and Persian spell some letters differently; users mix keyboards.
_LETTER_MAP = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ـ": None,  # tatweel (elongation)
        "\u200c": None,  # zero-width non-joiner (Persian half-space)
        "\u200d": None,
        "\u200f": None,
        "\u200e": None,
    }
)
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NON_WORD = re.compile(r"[^\w]+")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def normalize(text: str) -> str:
    """Lower-case, strip accents/diacritics and punctuation, unify letter variants."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("ß", "ss").replace("ı", "i")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_LETTER_MAP)
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def spelling_variants(text: str) -> set[str]:
    """Normalised forms of ``text`` with umlauts dropped (ö -> o) and spelt out (ö -> oe)."""
    return {v for v in (normalize(text), normalize(text.translate(_UMLAUTS))) if v}


def is_arabic_script(text: str) -> bool:
    return bool(_ARABIC_SCRIPT.search(text))


def _ngrams(tokens: Sequence[str], max_n: int) -> Iterable[str]:
    for n in range(min(max_n, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            yield " ".join(tokens[i : i + n])


class MunicipalityMatcher:
    """Finds the canonical municipality in a typed text, or None when unsure."""

    CUTOFF = 0.84
    """Minimum similarity (0..1) for a fuzzy match."""
    SAME_START_EXEMPT = 0.92
    """Fuzzy matches must start with the same letter unless at least this similar."""
    MARGIN = 0.04
    """The best town must beat the runner-up by this much."""

    def __init__(self, municipalities: Iterable[Municipality]):
        self._keys: dict[str, str] = {}
        for municipality in municipalities:
            for name in (municipality.name, *municipality.aliases, *municipality.districts):
                for key in spelling_variants(name):
                    self._keys.setdefault(key, municipality.name)
                    self._keys.setdefault(key.replace(" ", ""), municipality.name)
        self._max_words = max((key.count(" ") + 1 for key in self._keys), default=1)

    def match(self, text: str | None) -> str | None:
        if not text:
            return None
        normalized = normalize(text)
        if not normalized:
            return None
        if normalized in self._keys:
            return self._keys[normalized]
        tokens = normalized.split()
        grams = list(_ngrams(tokens, self._max_words))
        exact = [gram for gram in grams if gram in self._keys]
        if exact:
            longest = max(len(gram) for gram in exact)
            names = {self._keys[gram] for gram in exact if len(gram) == longest}
            return names.pop() if len(names) == 1 else None
        return self._fuzzy(grams)

    def _fuzzy(self, grams: Sequence[str]) -> str | None:
        best: dict[str, float] = {}
        for gram in grams:
            if len(gram) < 4:
                continue
            for key, name in self._keys.items():
                if len(key) < 4:
                    continue
                matcher = SequenceMatcher(None, gram, key)
                if matcher.real_quick_ratio() < self.CUTOFF or matcher.quick_ratio() < self.CUTOFF:
                    continue
                ratio = matcher.ratio()
                if ratio < self.CUTOFF:
                    continue
                if gram[0] != key[0] and ratio < self.SAME_START_EXEMPT:
                    continue
                best[name] = max(best.get(name, 0.0), ratio)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < self.MARGIN:
            return None
        return ranked[0][0]


@dataclass(frozen=True)
class _Keyword:
    field_id: str
    pattern: re.Pattern[str]
    core: str  # normalised keyword without stars
    short: bool  # up to 3 letters: only trusted in very short answers or in CAPITALS
    prefix: bool  # ends with a star


@lru_cache(maxsize=8192)
def compile_keyword(keyword: str) -> tuple[re.Pattern[str], str, bool]:
    """Regex for a staff keyword (see internships.yml): ``word``, ``word*``, ``*word*``.

    Returns (pattern, normalised core, starred at the end). Arabic-script
    keywords always match inside words (clitics such as ال / و / ب attach).

    Cached: a new publication compiles only its new keywords. Compiling all of
    them again (some 1,600) cost a running server most of a content load, and
    pushed the NLU's own patterns out of the ``re`` module's cache (512), so
    the next messages compiled those again too.
    """
    arabic = is_arabic_script(keyword)
    parts: list[str] = []
    cores: list[str] = []
    for word in keyword.split():
        lead = word.startswith("*") or arabic
        trail = word.endswith("*") or arabic
        core = normalize(word.strip("*"))
        if not core:
            continue
        cores.append(core)
        body = r"\s+".join(re.escape(piece) for piece in core.split())
        parts.append((r"\w*" if lead else "") + body + (r"\w*" if trail else ""))
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")
    return pattern, " ".join(cores), keyword.rstrip().endswith("*")


def keyword_problem(keyword: str) -> str | None:
    """Why a staff keyword is unusable, or None."""
    stripped = keyword.strip()
    if not stripped:
        return "empty keyword"
    if not normalize(stripped.replace("*", " ")):
        return f"keyword {keyword!r} has no letters"
    for word in stripped.split():
        if "*" in word.strip("*"):
            return f"keyword {keyword!r}: '*' is only allowed at the start or end of a word"
    return None


class FieldMatcher:
    """Maps a typed answer in any of the 7 languages to an internship field id."""

    CUTOFF = 0.85

    def __init__(self, fields: Iterable[Field]):
        self._keywords: list[_Keyword] = []
        for field_ in fields:
            seen: set[str] = set()
            for words in field_.keywords.values():
                for word in words:
                    for variant in {word, word.translate(_UMLAUTS)}:
                        if variant in seen:
                            continue
                        seen.add(variant)
                        pattern, core, prefix = compile_keyword(variant)
                        short = len(core.replace(" ", "")) <= 3 and not is_arabic_script(core)
                        self._keywords.append(_Keyword(field_.id, pattern, core, short, prefix))
            # the field's own labels are keywords too ("Handwerk", "IT and computers")
            for label in field_.labels.texts.values():
                pattern, core, prefix = compile_keyword(label)
                self._keywords.append(_Keyword(field_.id, pattern, core, False, prefix))

    def match(self, text: str | None) -> str | None:
        if not text:
            return None
        normalized = normalize(text)
        if not normalized:
            return None
        few_words = len(normalized.split()) <= 2
        hits: list[tuple[int, int, int, str]] = []  # start, end, core length, field
        for keyword in self._keywords:
            if keyword.short and not (few_words or self._in_capitals(keyword.core, text)):
                continue
            for found in keyword.pattern.finditer(normalized):
                hits.append((found.start(), found.end(), len(keyword.core), keyword.field_id))
        if hits:
            return self._resolve(hits)
        return self._fuzzy(normalized)

    @staticmethod
    def _in_capitals(core: str, original: str) -> bool:
        return bool(re.search(r"(?<!\w)" + re.escape(core.upper()) + r"(?!\w)", original))

    @staticmethod
    def _resolve(hits: list[tuple[int, int, int, str]]) -> str:
        # Longer matches win over the shorter ones they overlap ("information technology"
        # beats "technology", "Einzelhandelskaufmann" is retail, not office); of the rest,
        # the field mentioned first wins.
        accepted: list[tuple[int, int, int, str]] = []
        for hit in sorted(hits, key=lambda h: (h[1] - h[0], h[2]), reverse=True):
            if all(hit[1] <= other[0] or hit[0] >= other[1] for other in accepted):
                accepted.append(hit)
        return min(accepted)[3]

    def _fuzzy(self, normalized: str) -> str | None:
        best: dict[str, float] = {}
        for token in normalized.split():
            if len(token) < 5:
                continue
            for keyword in self._keywords:
                if len(keyword.core) < 6 or " " in keyword.core:
                    continue
                candidates = [token]
                if keyword.prefix and len(token) > len(keyword.core):
                    candidates.append(token[: len(keyword.core) + 1])
                ratio = max(SequenceMatcher(None, c, keyword.core).ratio() for c in candidates)
                if ratio >= self.CUTOFF:
                    best[keyword.field_id] = max(best.get(keyword.field_id, 0.0), ratio)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 0.03:
            return None
        return ranked[0][0]
