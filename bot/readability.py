"""Readability of German texts: Amstad's Flesch, the Wiener Sachtextformel and hints.

Staff write the German texts the assistant shows newcomers, many of whom are
still learning German, so the texts should be plain (the plan's recommendation
10). :func:`score` measures a text and says what to change::

    from bot.readability import score
    result = score("Im Integrationskurs lernen Sie Deutsch.")
    result.flesch_amstad, result.wiener_sachtextformel, result.plain
    for hint in result.hints:
        print(hint.kind, hint.message_de, hint.excerpt)

The formulas:

* Amstad's Flesch for German: ``180 - ASL - 58.5 * ASW`` (ASL: words per
  sentence, ASW: syllables per word). 0 = very hard, 100 = very easy; 60 and
  more is plain enough for most readers.
* First Wiener Sachtextformel: ``0.1935*MS + 0.1672*SL + 0.1297*IW - 0.0327*ES
  - 0.875`` (MS: % words with three or more syllables, SL: words per sentence,
  IW: % words with more than six letters, ES: % one-syllable words). A school
  grade: 4 = very easy, 15 = very hard.

Why not textstat (0.7.3): its German Flesch rounds ASL and ASW to one decimal
before applying the formula (up to 2.9 points off), it counts syllables with
pyphen's default margins of two letters, so "Abend", "Oper" and "über" get one
syllable, it splits sentences at every full stop ("z. B.") and drops sentences
of up to two words, and it counts phone numbers and e-mail addresses as words.

What counts (the same rules staff can apply by hand):

* A *word* is a run of letters, possibly joined by hyphens or apostrophes
  ("E-Mail-Adresse" is one word). Bare numbers, URLs, e-mail addresses and
  phone numbers are not words: they are not read as language. An abbreviation
  such as "z. B." or "bzw." is one word with the syllables of what it stands
  for ("zum Beispiel": 3), since the reader has to decode it.
* *Syllables* are the vowel groups of a word (a diphthong such as ei, au, eu, ie
  counts once) between pyphen's German hyphenation points; every word has at
  least one.
* A *sentence* ends at ``.``, ``!`` or ``?`` followed by an upper-case letter,
  a digit or the end of the text, but not after a known abbreviation, and at a
  blank line or a line starting a list.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pyphen

LONG_SENTENCE_WORDS = 15
"""Sentences with more words than this get a hint."""

LONG_WORD_LETTERS = 20
"""Words (or parts of a hyphenated word) with more letters than this get a hint ..."""

LONG_WORD_SYLLABLES = 6
"""... and so do words (or parts) with this many syllables or more."""

NOMINAL_STYLE_SHARE = 0.15
"""Nominal style: at least this share of the words are abstract nouns (-ung, -heit, ...) ..."""

NOMINAL_STYLE_MIN_NOUNS = 2
"""... and at least this many of them (one such noun alone is fine)."""

HINT_KINDS = ("long_sentence", "long_word", "passive", "nominal_style")

_EXCERPT_CHARS = 120


@dataclass(frozen=True)
class Hint:
    """One thing staff could change to make a text plainer."""

    kind: str
    """One of :data:`HINT_KINDS`."""
    message_de: str
    """What is wrong and what to do instead, in German for the office staff."""
    excerpt: str
    """The part of the text the hint is about (a sentence, a word, a list of nouns)."""


@dataclass(frozen=True)
class Readability:
    """How easy a German text is to read, and hints to make it easier."""

    flesch_amstad: float
    wiener_sachtextformel: float
    sentences: int
    words: int
    hints: list[Hint] = field(default_factory=list)
    plain: bool = True
    """Flesch (Amstad) reaches the threshold (``WELCOME_READABILITY_MIN_FLESCH``)."""
    syllables: int = 0


# --------------------------------------------------------------------------- splitting

# Abbreviations common in the county's texts. Written with single spaces between
# the parts; in the text the parts may be joined without spaces ("z.B.").
ABBREVIATIONS = {
    "z. B.": "zum Beispiel",
    "u. a.": "unter anderem",
    "e. V.": "eingetragener Verein",
    "d. h.": "das heißt",
    "z. T.": "zum Teil",
    "u. U.": "unter Umständen",
    "o. Ä.": "oder Ähnliches",
    "u. Ä.": "und Ähnliches",
    "i. d. R.": "in der Regel",
    "s. o.": "siehe oben",
    "s. u.": "siehe unten",
    "u. v. m.": "und vieles mehr",
    "bzw.": "beziehungsweise",
    "Nr.": "Nummer",
    "usw.": "und so weiter",
    "Dr.": "Doktor",
    "ca.": "circa",
    "etc.": "et cetera",
    "ggf.": "gegebenenfalls",
    "evtl.": "eventuell",
    "inkl.": "inklusive",
    "zzgl.": "zuzüglich",
    "vgl.": "vergleiche",
    "Str.": "Straße",
    "Tel.": "Telefon",
    "Fr.": "Frau",
    "Hr.": "Herr",
    "Prof.": "Professor",
    "gem.": "gemäß",
    "max.": "maximal",
    "min.": "mindestens",
    "mind.": "mindestens",
    "bspw.": "beispielsweise",
    "sog.": "sogenannt",
    "Mo.": "Montag",
    "Di.": "Dienstag",
    "Mi.": "Mittwoch",
    "Do.": "Donnerstag",
    "Sa.": "Samstag",
    "So.": "Sonntag",
    "Jan.": "Januar",
    "Feb.": "Februar",
    "Apr.": "April",
    "Aug.": "August",
    "Sept.": "September",
    "Okt.": "Oktober",
    "Nov.": "November",
    "Dez.": "Dezember",
}
"""Abbreviations common in the county's texts, with what they stand for.

Written with single spaces between the parts; in a text the parts may also be
joined ("z.B."). An abbreviation counts as one word with the syllables of what
it stands for: a reader has to decode it.
"""

# Abbreviations that often close a sentence: an upper-case word after them
# starts a new sentence ("... Sprachkurse usw. Das Büro ...").
_CLOSING_ABBREVIATIONS = {"usw.", "etc.", "e. V.", "u. v. m.", "o. Ä.", "u. Ä."}


def _abbreviation_pattern(abbreviation: str) -> str:
    parts = [re.escape(part) for part in abbreviation.split(" ")]
    return r"\s?".join(parts)


_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(_abbreviation_pattern(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")",
)
_EXPANSIONS = {a.replace(" ", "").lower(): full for a, full in ABBREVIATIONS.items()}
_CLOSING = {a.replace(" ", "").lower() for a in _CLOSING_ABBREVIATIONS}

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)]", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# A phone number: + or a digit, then at least five more digits with spaces,
# slashes, hyphens or brackets between them ("07031 663-0", "+49 7031 663-0").
_PHONE = re.compile(r"(?<![\w])(?:\+|\(0)?\d[\d ()/\-]{4,}\d(?![\w])")


# An ordinal number such as "1." in "am 1. Januar" or "18." in "ab dem 18. Lebensjahr".
_ORDINAL = re.compile(r"(?:^|(?<=\s))\d{1,2}\.$")
# Words that open a sentence rather than follow an ordinal ("Zimmer 12. Bitte ...").
_SENTENCE_OPENERS = {
    "der", "die", "das", "den", "dem", "ein", "eine", "sie", "er", "es", "wir", "ich", "ihr",
    "man", "bitte", "dort", "hier", "dann", "danach", "da", "auch", "aber", "und", "oder",
    "wenn", "wer", "was", "wo", "wie", "wann", "am", "im", "in", "zum", "zur", "bei", "mit",
    "für", "ab", "so", "jetzt", "heute", "danke",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+[\"'»«“”)\]]*(?=\s|$)")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*•–]|\d{1,2}[.)])\s)")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    abbreviation: bool
    """An abbreviation (a word) rather than a URL, e-mail address or phone number."""


def _protected_spans(text: str) -> list[_Span]:
    """Parts of ``text`` whose full stops do not end sentences, in order."""
    spans: list[_Span] = []

    def free(match: re.Match[str]) -> bool:
        return not any(s.start < match.end() and match.start() < s.end for s in spans)

    # Order matters: a URL may contain "@" or digits, an e-mail address digits.
    for pattern in (_URL, _EMAIL, _PHONE):
        for match in pattern.finditer(text):
            if free(match):
                spans.append(_Span(match.start(), match.end(), abbreviation=False))
    for match in _ABBREVIATION.finditer(text):
        if free(match):
            spans.append(_Span(match.start(), match.end(), abbreviation=True))
    return sorted(spans, key=lambda span: span.start)


def _inside(position: int, spans: list[_Span]) -> _Span | None:
    return next((s for s in spans if s.start <= position < s.end), None)


def _sentence_bounds(text: str, spans: list[_Span]) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``."""
    cuts = {0, len(text)}
    for match in _BLOCK_BREAK.finditer(text):
        cuts.add(match.start())
    for match in _SENTENCE_END.finditer(text):
        if _inside(match.start(), spans):
            continue
        rest = text[match.end() :].lstrip()
        if _is_ordinal(text[: match.start() + 1], rest, spans, len(text) - len(rest)):
            continue
        if not rest or _starts_sentence(rest):
            cuts.add(match.end())
    for span in spans:
        if not span.abbreviation:
            continue
        if text[span.start : span.end].replace(" ", "").lower() not in _CLOSING:
            continue
        rest = text[span.end :]
        if rest[:1].isspace() and rest.lstrip()[:1].isupper():
            cuts.add(span.end)
    ordered = sorted(cuts)
    bounds = []
    for start, end in itertools.pairwise(ordered):
        part = text[start:end]
        stripped = part.strip()
        if stripped:
            offset = start + part.index(stripped[0])
            bounds.append((offset, offset + len(stripped)))
    return bounds


def _is_ordinal(before: str, rest: str, spans: list[_Span], rest_start: int) -> bool:
    """The full stop ending ``before`` belongs to an ordinal number ("am 1. Januar").

    Not when the next word opens sentences ("Zimmer 12. Bitte ...") or is an
    abbreviation ("Nr. 12. Dr. Müller ...").
    """
    if not _ORDINAL.search(before):
        return False
    following = re.match(r"[^\W\d_]+", rest)
    if following is None or any(s.start == rest_start for s in spans):
        return False
    return following.group(0).lower() not in _SENTENCE_OPENERS


def _starts_sentence(rest: str) -> bool:
    first = rest[0]
    return first.isupper() or first.isdigit() or first in "\"'»«„“(+"


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``; abbreviations, URLs, e-mail addresses, phones stay whole."""
    spans = _protected_spans(text)
    return [text[start:end] for start, end in _sentence_bounds(text, spans)]


def words(text: str) -> list[str]:
    """The words of ``text`` (see the module's rules): abbreviations count, numbers do not."""
    return _words(text, _protected_spans(text), 0, len(text))


def _words(text: str, spans: list[_Span], start: int, end: int) -> list[str]:
    result: list[str] = []
    position = start
    for span in spans:
        if span.end <= start or span.start >= end:
            continue
        result += _WORD.findall(text, position, span.start)
        if span.abbreviation:
            result.append(text[span.start : span.end])
        position = span.end
    result += _WORD.findall(text, position, end)
    return result


# --------------------------------------------------------------------------- syllables

_HYPHENATOR = pyphen.Pyphen(lang="de_DE", left=1, right=1)
# One syllable nucleus: a diphthong or long vowel written with two letters, else one vowel.
_NUCLEUS = re.compile(r"eau|ie|ei|ai|ey|ay|au|eu|äu|ou|aa|ee|oo|[aeiouyäöü]")


@lru_cache(maxsize=20_000)
def syllables(word: str) -> int:
    """Syllables of one word: vowel groups between German hyphenation points, at least 1.

    pyphen alone is not enough: its patterns leave "über" whole and split
    "Abend" into "a-ben-d" with the narrowest margins, so the points only
    separate vowels that belong to different syllables ("Radio" -> ra-di-o).
    """
    expansion = _EXPANSIONS.get(word.replace(" ", "").lower())
    if expansion is not None:
        return sum(syllables(part) for part in expansion.split())
    count = 0
    for part in re.split(r"[-'’\s.]+", word.lower()):
        if not part:
            continue
        for chunk in _HYPHENATOR.inserted(part, hyphen="\x00").split("\x00"):
            count += len(_NUCLEUS.findall(chunk))
    return max(1, count)


@lru_cache(maxsize=20_000)
def _letters(word: str) -> int:
    return sum(1 for char in word if char.isalpha())


# --------------------------------------------------------------------------- hints

_WERDEN = {"werde", "wirst", "wird", "werden", "werdet", "wurde", "wurdest", "wurden", "wurdet"}
# Participles: ge-...-t/-en (also after a separable prefix: "angemeldet"),
# -iert ("informiert"), and be-/ver-/er-/ent-/zer-/emp-...-t ("bezahlt").
# Forms with these prefixes ending in -en are left out: "beraten" or "verstehen"
# may as well be infinitives ("Sie werden verstehen" is future, not passive).
_SEPARABLE = (
    r"(?:ab|an|auf|aus|bei|dar|ein|fest|her|hin|los|mit|nach|vor|weg|weiter|zu|zurück|zusammen)?"
)
_PARTICIPLE = re.compile(
    rf"^(?:{_SEPARABLE}ge\w{{2,}}(?:t|en)|\w{{3,}}iert|(?:be|ver|er|ent|zer|emp)\w{{2,}}t)$"
)
_NOT_PARTICIPLES = {
    "gegen", "genau", "genug", "gerade", "gestern", "gern", "gerne", "gehen", "geben",
    "gelten", "gehören", "gewinnen", "genießen", "gesund", "gemeinsam", "gesamt",
    "erst", "erstmal", "besonders", "bereit", "bestimmt", "beliebt", "entgegen",
}  # fmt: skip

# Abstract nouns that make a text heavy ("Nominalstil"), singular and plural.
_NOMINAL = re.compile(r"^[A-ZÄÖÜ]\w*(?:ung|heit|keit|ion|ität)(?:en)?$")
# Everyday nouns with these endings are plain words, not nominal style.
_PLAIN_NOUNS = {
    "Wohnung", "Wohnungen", "Zeitung", "Zeitungen", "Rechnung", "Rechnungen",
    "Kleidung", "Region", "Regionen", "Million", "Millionen", "Religion", "Religionen",
}  # fmt: skip


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _EXCERPT_CHARS:
        return text
    return text[: _EXCERPT_CHARS - 1].rstrip() + "…"


def _long_sentence_hint(sentence: str, count: int) -> Hint:
    return Hint(
        "long_sentence",
        f"Langer Satz ({count} Wörter). Teilen Sie ihn in kürzere Sätze mit höchstens "
        f"{LONG_SENTENCE_WORDS} Wörtern: ein Gedanke pro Satz.",
        _excerpt(sentence),
    )


@lru_cache(maxsize=20_000)
def _longest_long_part(word: str) -> str | None:
    """The longest part of ``word`` that is too long, or None.

    A hyphen is the plain-language way to split a compound ("Ausländer-Behörde"):
    each part is judged on its own.
    """
    long_parts = [
        part
        for part in re.split(r"[-'’]", word)
        if _letters(part) > LONG_WORD_LETTERS or syllables(part) >= LONG_WORD_SYLLABLES
    ]
    return max(long_parts, key=_letters) if long_parts else None


def _long_word_hints(sentence_words: list[str], seen: set[str]) -> list[Hint]:
    hints = []
    for word in sentence_words:
        if word in seen or word.replace(" ", "").lower() in _EXPANSIONS:
            continue
        part = _longest_long_part(word)
        if part is None:
            continue
        seen.add(word)
        hints.append(
            Hint(
                "long_word",
                f"Langes Wort ({_letters(part)} Buchstaben, {syllables(part)} Silben). "
                "Nehmen Sie ein kürzeres, bekanntes Wort, erklären Sie es, oder trennen Sie "
                "ein zusammengesetztes Wort mit Bindestrich (z. B. „Ausländer-Behörde“).",
                word,
            )
        )
    return hints


def _is_participle(word: str) -> bool:
    # Participles are written in lower case; "Geschäft" or "Gebiet" are nouns.
    return word[:1].islower() and bool(_PARTICIPLE.match(word)) and word not in _NOT_PARTICIPLES


def _passive_hint(sentence: str, sentence_words: list[str]) -> Hint | None:
    auxiliary = next((w for w in sentence_words if w.lower() in _WERDEN), None)
    participle = next((w for w in sentence_words if _is_participle(w)), None)
    if "worden" in sentence_words:
        found = "worden"
    elif auxiliary is not None and participle is not None:
        found = f"{auxiliary} … {participle}"
    else:
        return None
    return Hint(
        "passive",
        f"Passiv („{found}“). Schreiben Sie aktiv und sagen Sie, wer etwas tut: "
        "„Das Amt prüft den Antrag“ statt „Der Antrag wird geprüft“.",
        _excerpt(sentence),
    )


def _nominal_style_hint(all_words: list[str]) -> Hint | None:
    nouns = [w for w in all_words if _NOMINAL.match(w) and w not in _PLAIN_NOUNS]
    if len(nouns) < NOMINAL_STYLE_MIN_NOUNS or len(nouns) < NOMINAL_STYLE_SHARE * len(all_words):
        return None
    listed = ", ".join(dict.fromkeys(nouns))
    return Hint(
        "nominal_style",
        f"Nominalstil: {len(nouns)} von {len(all_words)} Wörtern sind Hauptwörter auf "
        "-ung, -heit, -keit, -ion oder -ität. Schreiben Sie mit Verben: "
        "„Sie melden sich an“ statt „Die Anmeldung erfolgt“.",
        _excerpt(listed),
    )


# --------------------------------------------------------------------------- score


def flesch_amstad(sentences: int, words: int, syllables: int) -> float:
    """Amstad's Flesch reading ease for German: 180 - ASL - 58.5 * ASW."""
    return 180 - words / sentences - 58.5 * syllables / words


def wiener_sachtextformel(
    *, sentences: int, words: int, polysyllables: int, long_words: int, monosyllables: int
) -> float:
    """The first Wiener Sachtextformel (a school grade, 4 = very easy, 15 = very hard)."""
    ms = 100 * polysyllables / words
    sl = words / sentences
    iw = 100 * long_words / words
    es = 100 * monosyllables / words
    return 0.1935 * ms + 0.1672 * sl + 0.1297 * iw - 0.0327 * es - 0.875


def score(text: str, *, min_flesch: float | None = None) -> Readability:
    """Readability of the German ``text`` with hints for staff.

    Args:
        text: a German text (one or more sentences).
        min_flesch: Flesch (Amstad) score a plain text reaches; default
            ``WELCOME_READABILITY_MIN_FLESCH``.

    A text without words (empty, or only a phone number) has nothing hard to
    read: it scores 100 (Flesch) and 4 (Wiener Sachtextformel, the easiest grade).
    """
    if min_flesch is None:
        from bot.settings import get_settings

        min_flesch = get_settings().readability_min_flesch
    spans = _protected_spans(text)
    bounds = _sentence_bounds(text, spans)
    per_sentence = [(text[start:end], _words(text, spans, start, end)) for start, end in bounds]
    per_sentence = [(sentence, found) for sentence, found in per_sentence if found]
    all_words = [w for _sentence, found in per_sentence for w in found]
    if not all_words:
        return Readability(100.0, 4.0, 0, 0, [], min_flesch <= 100.0)
    counts = [syllables(w) for w in all_words]
    sentence_count, word_count, syllable_count = len(per_sentence), len(all_words), sum(counts)
    flesch = flesch_amstad(sentence_count, word_count, syllable_count)
    wstf = wiener_sachtextformel(
        sentences=sentence_count,
        words=word_count,
        polysyllables=sum(1 for c in counts if c >= 3),
        long_words=sum(1 for w in all_words if _letters(w) > 6),
        monosyllables=sum(1 for c in counts if c == 1),
    )
    hints: list[Hint] = []
    seen_long_words: set[str] = set()
    for sentence, found in per_sentence:
        if len(found) > LONG_SENTENCE_WORDS:
            hints.append(_long_sentence_hint(sentence, len(found)))
        hints += _long_word_hints(found, seen_long_words)
        passive = _passive_hint(sentence, found)
        if passive is not None:
            hints.append(passive)
    nominal = _nominal_style_hint(all_words)
    if nominal is not None:
        hints.append(nominal)
    return Readability(
        flesch_amstad=flesch,
        wiener_sachtextformel=wstf,
        sentences=sentence_count,
        words=word_count,
        syllables=syllable_count,
        hints=hints,
        plain=flesch >= min_flesch,
    )
