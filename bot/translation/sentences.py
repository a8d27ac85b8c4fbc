"""Sentence splitting without models or downloads.

Argos models translate one sentence at a time, so longer texts are split
first. argostranslate's own splitters download a model on first use (MiniSBD,
Stanza, spaCy), which an offline server cannot do; this one is rules only.

When in doubt it does not split: a translation model copes with two sentences
in one input far better than with a sentence cut in half ("am 1." /
"Dezember"). Splits happen after ``. ! ? … ؟ ۔ 。`` (and their full-width
forms) followed by a space, and at every line break; not after
abbreviations ("z. B.", "Dr.", "Nr.", "e.g.", "etc."), ordinal numbers
("am 1. Dezember"), inside numbers, dates, URLs, e-mail addresses or other
protected spans (:mod:`bot.translation.protect`). Characters are never moved,
so right-to-left text stays exactly as written.
"""

from __future__ import annotations

import re

from bot.translation.protect import protected_ranges

#: Sentence-final punctuation: Latin, Arabic question mark, Urdu full stop, CJK.
_TERMINATORS = ".!?…؟۔。！？‼⁇⁈⁉"
#: Full stops of scripts written without spaces: they end a sentence even without one.
_SPACELESS_TERMINATORS = "。！？"
#: Closing quotes and brackets (and invisible direction marks) that belong to the sentence
#: they follow: «"Danke."» ends after the quote.
_CLOSERS = "\"'“”‘’»«›‹)]}」』\u200e\u200f\u061c"

_BOUNDARY = re.compile(
    rf"[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=\s|$)"
    rf"|[{_SPACELESS_TERMINATORS}]+[{re.escape(_CLOSERS)}]*"
)
_LINE = re.compile(r"[^\r\n\u2028\u2029\u0085]+")

#: Words that end with a full stop without ending the sentence (lower case, no dot).
#: Single letters ("z. B.", "d. h.", initials) and dotted forms ("z.B.", "e.g.") are
#: recognised without a list.
_ABBREVIATIONS_BY_LANGUAGE = {
    "de": "abs abt allg bzgl bzw ca dipl dr evtl fa ff gem ggf ggü hbf hr hrsg inkl jh jhd lt "
    "max mio min mrd nr od prof sog str tel usw vgl zzgl zb mo di mi fr sa "
    "jan feb mär apr jun jul aug sep sept okt nov dez",
    "en": "approx dept etc inc jr ltd mr mrs ms no sr st vs",
    "fr": "cf env mme mlle",
    "pl": "np itd itp ul tj",
    "tr": "vb",
    "ru/uk": "тел ул стр см им",
}
ABBREVIATIONS = frozenset(" ".join(_ABBREVIATIONS_BY_LANGUAGE.values()).split())
_DOTTED_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,3}\.){2,}")
_ORDINAL = re.compile(r"\d{1,3}")
_LEADING_PUNCTUATION = "([{\"'„“‚‘«»¿¡"


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, without the whitespace between them."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence; the text between two spans is only whitespace.

    Callers that translate sentence by sentence keep that whitespace (line
    breaks, paragraph gaps) and put the translations in place of the spans.
    """
    atomic = protected_ranges(text)
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for boundary in _BOUNDARY.finditer(text, line.start(), line.end()):
            end = boundary.end()
            if _inside(atomic, boundary.start()) or not _ends_sentence(text, boundary, line.end()):
                continue
            _append_stripped(spans, text, start, end)
            start = end
        _append_stripped(spans, text, start, line.end())
    return spans


def _ends_sentence(text: str, boundary: re.Match[str], line_end: int) -> bool:
    punctuation = boundary.group(0)
    rest = text[boundary.end() : line_end].lstrip()
    if not rest:
        return True  # end of line: nothing can continue the sentence
    if punctuation.rstrip(_CLOSERS) in ("...", "…") and rest[0].islower():
        return False  # "Ich weiß nicht … vielleicht morgen"
    if punctuation != ".":
        return True
    word = _word_before(text, boundary.start())
    if not word:
        return True
    if len(word) == 1 and word.isalpha():
        return False  # "z. B.", "d. h.", "Anna B. Müller"
    lowered = word.lower()
    if lowered in ABBREVIATIONS or _DOTTED_ABBREVIATION.fullmatch(word + "."):
        return False
    if lowered.endswith("str") and len(lowered) > 3:
        return False  # street names: "Hauptstr. 5"
    # "am 1. Dezember", "der 3. Stock": ordinals are common, sentences ending in a small
    # number are rare. Years ("seit 2015.") do end sentences.
    return not _ORDINAL.fullmatch(word)


def _word_before(text: str, position: int) -> str:
    start = position
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:position].lstrip(_LEADING_PUNCTUATION)


def _inside(ranges: list[tuple[int, int]], position: int) -> bool:
    return any(start <= position < end for start, end in ranges)


def _append_stripped(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
