"""Which language a message is written in, and which language to answer in.

Detection is offline: lingua ships its n-gram models inside the wheel. Short
messages ("ok", "123", a town name) are where detectors guess, so a guess only
counts as *reliable* when the text is long enough or its alphabet leaves no
doubt; unreliable guesses never flip a conversation that already has a
language (see :func:`choose_reply_language`).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from bot import DEFAULT_LANGUAGE, LANGUAGES

# Letters that exist in one language of a script family but not in its sibling.
_UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
_RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
_PERSIAN_ONLY = set("پچژگکی")  # Persian keheh/yeh and the four extra consonants
_ARABIC_ONLY = set("ةىك")  # ta marbuta, alif maqsura, Arabic kaf

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Texts shorter than this (in letters) are judged by their alphabet only.
MIN_LETTERS_FOR_RELIABLE = 12
MIN_CONFIDENCE_FOR_RELIABLE = 0.80
# A whole sentence is convincing with less confidence than a few words.
LONG_TEXT_LETTERS = 30
MIN_CONFIDENCE_FOR_LONG_TEXT = 0.60
# The first sentence of a conversation, which has no language yet.
MIN_CONFIDENCE_FOR_FIRST_GUESS = 0.55
# Entities that are names: a town or a language name says nothing about the
# language the user writes in ("Sindelfingen" is no German sentence).
NAME_ENTITIES = ("municipality", "language")


def is_reliable(letter_count: int, confidence: float) -> bool:
    if letter_count >= LONG_TEXT_LETTERS:
        return confidence >= MIN_CONFIDENCE_FOR_LONG_TEXT
    return letter_count >= MIN_LETTERS_FOR_RELIABLE and confidence >= MIN_CONFIDENCE_FOR_RELIABLE


def discount_names(detection: dict | None, text: str, entities: list[dict]) -> dict | None:
    """The detection, no longer reliable if it rests mostly on names.

    Names are the spans of town and language entities; what is left of the
    text must still be long enough to be judged on its own.
    """
    if not detection or not detection.get("reliable"):
        return detection
    spans = sorted(
        (e["start"], e["end"])
        for e in entities or []
        if e.get("entity") in NAME_ENTITIES and "start" in e and "end" in e
    )
    if not spans:
        return detection
    rest, position = [], 0
    for start, end in spans:
        rest.append(text[position:start])
        position = max(position, end)
    rest.append(text[position:])
    letters = "".join(_WORD.findall(" ".join(rest)))
    if is_reliable(len(letters), float(detection.get("confidence") or 0.0)):
        return detection
    return {**detection, "reliable": False}


@dataclass(frozen=True)
class Detection:
    """Result of looking at one message.

    Attributes:
        language: best guess (ISO 639-1) or ``None`` when there is nothing to go on.
        confidence: the detector's confidence in ``language`` (0..1).
        reliable: whether the guess may change a conversation's language.
        script: ``latin``, ``arabic``, ``cyrillic``, ``other`` or ``none``.
    """

    language: str | None
    confidence: float
    reliable: bool
    script: str

    letters: int = 0
    known_phrase: bool = False

    def as_dict(self) -> dict:
        return {
            "code": self.language,
            "confidence": round(self.confidence, 3),
            "reliable": self.reliable,
            "script": self.script,
            "letters": self.letters,
            "known_phrase": self.known_phrase,
        }


SCRIPT_LANGUAGES = {
    "latin": ("de", "en", "tr"),
    "arabic": ("ar", "fa"),
    "cyrillic": ("uk", "ru"),
}


def _script_of(char: str) -> str:
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith(("ARABIC", "PERSIAN")):
        return "arabic"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    return "other"


def dominant_script(letters: str) -> str:
    """The alphabet most letters of ``letters`` belong to."""
    if not letters:
        return "none"
    counts: dict[str, int] = {}
    for char in letters:
        script = _script_of(char)
        counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.get)


# Detection needs a sentence, not a page: longer texts are cut (a 10,000
# character message must not cost more than a short one).
MAX_DETECTION_CHARS = 300


class LanguageDetector:
    """Detects the languages the assistant understands natively.

    One lingua detector per alphabet, each knowing only the languages written
    in it (de/en/tr, ar/fa, uk/ru): the alphabet is certain, and comparing two
    or three languages is several times faster than comparing all. Each is
    built on first use (lingua loads its n-gram models lazily) and shared by
    all threads afterwards.
    """

    def __init__(
        self, languages: tuple[str, ...] = LANGUAGES, phrases: dict[str, str] | None = None
    ) -> None:
        self.languages = tuple(languages)
        # Short phrases that occur in the training data of one language only
        # ("hallo" -> de, "hello" -> en): exact knowledge where n-grams guess.
        self.phrases = phrases or {}
        self._detectors: dict[str, object] = {}
        self._lock = threading.Lock()

    def _lingua(self, script: str, candidates: list[str]):
        detector = self._detectors.get(script)
        if detector is None:
            with self._lock:
                detector = self._detectors.get(script)
                if detector is None:
                    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                    wanted = [
                        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                        for code in candidates
                    ]
                    detector = LanguageDetectorBuilder.from_languages(*wanted).build()
                    self._detectors[script] = detector
        return detector

    def detect(self, text: str) -> Detection:
        text = (text or "")[:MAX_DETECTION_CHARS]
        letters = "".join(_WORD.findall(text))
        script = dominant_script(letters)
        candidates = [c for c in SCRIPT_LANGUAGES.get(script, ()) if c in self.languages]
        if not candidates:
            return Detection(None, 0.0, False, script, len(letters))

        known = self.phrases.get(phrase_key(text))
        if known in candidates:
            # Short, so it must not flip a conversation; but it is a sure
            # first guess for a conversation that has no language yet.
            reliable = is_reliable(len(letters), 1.0)
            return Detection(known, 1.0, reliable, script, len(letters), known_phrase=True)

        decided_by_letters = _language_from_letters(letters, candidates)
        if decided_by_letters:
            return Detection(decided_by_letters, 1.0, True, script, len(letters))
        if len(candidates) == 1:
            return Detection(candidates[0], 1.0, len(letters) >= 2, script, len(letters))

        scores = {
            value.language.iso_code_639_1.name.lower(): value.value
            for value in self._lingua(script, candidates).compute_language_confidence_values(text)
        }
        best = max(candidates, key=lambda c: scores.get(c, 0.0))
        confidence = scores.get(best, 0.0)
        reliable = is_reliable(len(letters), confidence)
        return Detection(best, confidence, reliable, script, len(letters))


# A phrase is short enough for the lexicon when it has at most this many words.
PHRASE_MAX_WORDS = 4


def phrase_key(text: str) -> str:
    """Text reduced to lower-case words, the key of the phrase lexicon."""
    return " ".join(_WORD.findall((text or "").casefold()))


def build_phrase_lexicon(texts_by_language: dict[str, list[str]]) -> dict[str, str]:
    """Short phrases that occur in exactly one language's examples."""
    seen: dict[str, set[str]] = {}
    for language, texts in texts_by_language.items():
        for text in texts:
            key = phrase_key(text)
            if key and len(key.split()) <= PHRASE_MAX_WORDS:
                seen.setdefault(key, set()).add(language)
    return {key: next(iter(langs)) for key, langs in sorted(seen.items()) if len(langs) == 1}


def _language_from_letters(letters: str, candidates: list[str]) -> str | None:
    """Decide between sibling languages by letters only one of them uses."""
    chars = set(letters)
    if "uk" in candidates and chars & _UKRAINIAN_ONLY and not chars & _RUSSIAN_ONLY:
        return "uk"
    if "ru" in candidates and chars & _RUSSIAN_ONLY and not chars & _UKRAINIAN_ONLY:
        return "ru"
    if "fa" in candidates and chars & _PERSIAN_ONLY and not chars & _ARABIC_ONLY:
        return "fa" if len(letters) >= 4 else None
    if "ar" in candidates and chars & _ARABIC_ONLY and not chars & _PERSIAN_ONLY:
        return "ar" if len(letters) >= 4 else None
    return None


def choose_reply_language(
    *,
    current: str | None,
    detection: dict | None,
    hint: str | None = None,
    explicit: str | None = None,
    locked: bool = False,
    supported: tuple[str, ...] = LANGUAGES,
) -> str:
    """The language to answer in, in the product's order of precedence.

    1. an explicit choice (this turn, or an earlier one that locked the language),
    2. a reliable detection of this message,
    3. the language the conversation already has (short texts never flip it),
    4. the client's hint (Telegram ``language_code``, browser language),
    5. a best guess from a non-Latin alphabet (a first "سلام" deserves Arabic/Persian),
       a phrase known from one language's training data ("hello"), or a first
       sentence of some length,
    6. German.
    """
    if explicit in supported:
        return explicit
    if locked and current in supported:
        return current
    detection = detection or {}
    detected = detection.get("code")
    if detection.get("reliable") and detected in supported:
        return detected
    if current in supported:
        return current
    hint_code = (hint or "").split("-")[0].lower()
    if hint_code in supported:
        return hint_code
    if detected in supported and (
        detection.get("script") in ("arabic", "cyrillic") or detection.get("known_phrase")
    ):
        return detected
    if (
        detected in supported
        and detection.get("letters", 0) >= MIN_LETTERS_FOR_RELIABLE
        and detection.get("confidence", 0.0) >= MIN_CONFIDENCE_FOR_FIRST_GUESS
    ):
        # A new conversation's first sentence: a likely guess beats German.
        return detected
    return DEFAULT_LANGUAGE
