"""Spans that machine translation must not touch.

A translation model happily "translates" a phone number, an e-mail address or
the name of an office ("Welcome Center" -> "Centre d'accueil"), and newcomers
then cannot call or find it. :func:`protect` finds such spans and replaces each
with a placeholder token; after translation :meth:`Masked.restore` puts the
original spans back.

Models sometimes mangle or drop a placeholder. Restoration therefore accepts a
placeholder only if every one of them comes back exactly once; otherwise the
caller translates the pieces *between* the spans one by one and joins them
with the spans verbatim (:meth:`Masked.join`). Either way the protected spans
come out byte-identical. :mod:`bot.translation.engine` does both steps.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# ---------------------------------------------------------------------- built-in patterns

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'“”‘’«»]+"
    # Bare domains only with the endings our texts use; "z.B." must not look like a domain.
    r"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:de|com|org|net|eu|info|gov|edu|io|int|at|ch)(?:/[^\s<>\"'“”‘’«»]*)?(?![\w-])",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# German and international numbers: "07031 663-0", "+49 7031 6630", "(07031) 663-0",
# "+49 (0) 7031 663-0", "0711 / 123 45 67". At least six digits (see _is_phone).
_PHONE = re.compile(
    r"(?<![\w+/.])(?:\+\d{1,3}(?:[ ]?\(0\))?|\(0\d{1,5}\)|0\d{1,5})"
    r"(?:(?:[ ]?[-/][ ]?|[ ])\d{1,8}){1,6}(?![\w])"
)
_DATE = re.compile(
    r"(?<![\w.])(?:\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})?(?![\d])"  # 01.12.2026, 1.12.
    r"|\d{4}-\d{2}-\d{2}"  # 2026-12-01
    r"|\d{1,2}/\d{1,2}/\d{2,4}"  # 12/01/2026
    r"|\d{1,2}:\d{2}(?![\d]))"  # 10:30
)
_SLOT = re.compile(r"\{[A-Za-z_]\w*\}")
# Reference numbers of handoff requests ("WL-7K3F9Q"): letters, a dash, a code with a digit.
_REFERENCE = re.compile(r"(?<![\w-])[A-Z]{1,5}-(?=[A-Z0-9]*\d)[A-Z0-9]{4,12}(?![\w-])")
# Button payloads: "/intent", "/intent{"slot": "value"}" (JSON with one level of nesting).
_PAYLOAD = re.compile(r"(?<!\S)/[A-Za-z_][\w.-]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})?(?=\s|$)")

_BUILT_IN = (_URL, _EMAIL, _PHONE, _DATE, _SLOT, _REFERENCE, _PAYLOAD)

_URL_TRAILING = ".,;:!?'\"”’»"
_MIN_PHONE_DIGITS = 6

# ---------------------------------------------------------------------- placeholders

#: Placeholders look like "XKQ0": Latin capitals and digits survive translation into every
#: script far better than brackets or symbols. The prefix changes if the text contains it.
_PLACEHOLDER_PREFIXES = ("XKQ", "QZX", "ZQV", "KXZ", "VQK")


@dataclass(frozen=True)
class Masked:
    """A text with its protected spans replaced by placeholders.

    ``pieces`` are the texts between the spans: the original text is
    ``pieces[0] + spans[0] + pieces[1] + ... + spans[-1] + pieces[-1]``.
    """

    text: str
    spans: tuple[str, ...]
    pieces: tuple[str, ...]
    prefix: str = _PLACEHOLDER_PREFIXES[0]

    @property
    def original(self) -> str:
        return self.join(self.pieces)

    def placeholder(self, index: int) -> str:
        return f"{self.prefix}{index}"

    def restore(self, translated: str) -> str | None:
        """``translated`` with the spans put back, or ``None`` if a placeholder was lost.

        A placeholder counts as kept if it appears exactly once (a model may
        move it, add a space inside it or write its digits in another script);
        a missing, doubled or unknown placeholder gives ``None``.
        """
        if not self.spans:
            return translated
        seen: list[int] = []

        def put_back(match: re.Match[str]) -> str:
            index = int(match.group(1))
            seen.append(index)
            return self.spans[index] if index < len(self.spans) else match.group(0)

        restored = self._placeholder_pattern().sub(put_back, translated)
        if sorted(seen) != list(range(len(self.spans))):
            return None
        return restored

    def join(self, translated_pieces: Sequence[str]) -> str:
        """The translated pieces with the spans verbatim in between."""
        if len(translated_pieces) != len(self.pieces):
            raise ValueError(f"expected {len(self.pieces)} pieces, got {len(translated_pieces)}")
        parts = [translated_pieces[0]]
        for span, piece in zip(self.spans, translated_pieces[1:], strict=True):
            parts += [span, piece]
        return "".join(parts)

    def without_placeholders(self, text: str) -> str:
        """``text`` with the placeholders removed (to see whether anything is left to translate)."""
        return self._placeholder_pattern().sub(" ", text)

    def _placeholder_pattern(self) -> re.Pattern[str]:
        return _placeholder_pattern(self.prefix)


@functools.lru_cache(maxsize=len(_PLACEHOLDER_PREFIXES))
def _placeholder_pattern(prefix: str) -> re.Pattern[str]:
    # "XKQ0", "XKQ 0", "xkq٠": a model may split, lowercase or localise the token.
    letters = r"\s?".join(re.escape(char) for char in prefix)
    return re.compile(rf"{letters}\s?(\d+)(?!\d)", re.IGNORECASE)


# ---------------------------------------------------------------------- finding spans


def protect(text: str, terms: Iterable[str] = ()) -> Masked:
    """Mask URLs, e-mail addresses, phone numbers, dates, ``{slots}``, reference numbers,
    ``/payloads{...}`` and the given ``terms`` (names of offices, programmes, towns).

    Overlapping matches: the longest wins ("Welcome Center Region Stuttgart"
    before "Stuttgart", an e-mail address before its domain).
    """
    ranges = protected_ranges(text, terms)
    if not ranges:
        return Masked(text=text, spans=(), pieces=(text,))
    prefix = _free_prefix(text)
    spans: list[str] = []
    pieces: list[str] = []
    masked: list[str] = []
    position = 0
    for index, (start, end) in enumerate(ranges):
        pieces.append(text[position:start])
        spans.append(text[start:end])
        masked += [text[position:start], f"{prefix}{index}"]
        position = end
    pieces.append(text[position:])
    masked.append(text[position:])
    return Masked(text="".join(masked), spans=tuple(spans), pieces=tuple(pieces), prefix=prefix)


def protected_ranges(text: str, terms: Iterable[str] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` of every protected span of ``text``, in order, not overlapping."""
    candidates: list[tuple[int, int]] = []
    for pattern in _BUILT_IN:
        for match in pattern.finditer(text):
            start, end = match.span()
            if pattern is _URL:
                end = start + len(_trim_url(match.group(0)))
            elif pattern is _PHONE and not _is_phone(match.group(0)):
                continue
            if end > start:
                candidates.append((start, end))
    term_pattern = _terms_pattern(_normalise_terms(terms))
    if term_pattern is not None:
        candidates += [match.span() for match in term_pattern.finditer(text)]

    chosen: list[tuple[int, int]] = []
    for start, end in sorted(candidates, key=lambda span: (span[0] - span[1], span[0])):
        if all(end <= other_start or start >= other_end for other_start, other_end in chosen):
            chosen.append((start, end))
    return sorted(chosen)


def _trim_url(url: str) -> str:
    # Sentence punctuation after a URL is not part of it; a closing bracket only if the
    # URL opened one (Wikipedia-style "..._(Begriff)").
    while url and (
        url[-1] in _URL_TRAILING
        or (url[-1] == ")" and url.count("(") < url.count(")"))
        or (url[-1] == "]" and url.count("[") < url.count("]"))
    ):
        url = url[:-1]
    return url


def _is_phone(candidate: str) -> bool:
    return sum(char.isdigit() for char in candidate) >= _MIN_PHONE_DIGITS


def _normalise_terms(terms: Iterable[str]) -> tuple[str, ...]:
    unique = {term.strip() for term in terms if term and term.strip()}
    return tuple(sorted(unique, key=lambda term: (-len(term), term)))


@functools.lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    # Callers pass the same list of office and town names again and again: compile once.
    if not terms:
        return None
    alternatives = []
    for term in terms:
        # A line break or double space inside a name still matches.
        words = [re.escape(word) for word in term.split()]
        alternatives.append(r"\s+".join(words))
    # Whole words only: "Weil" (a town) must not match inside "Weilheim".
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _free_prefix(text: str) -> str:
    lowered = text.lower()
    for prefix in _PLACEHOLDER_PREFIXES:
        if prefix.lower() not in lowered:
            return prefix
    # A text containing all of them: restoring may then fail, and the engine falls back to
    # translating the pieces between the spans, which needs no placeholders.
    return _PLACEHOLDER_PREFIXES[0]
