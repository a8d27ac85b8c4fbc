"""Which language a message is written in, and which language to answer in.

Detection is offline: lingua ships its n-gram models inside the wheel. Short
messages ("ok", "123", a town name) are where detectors guess, so a guess only
counts as *reliable* when the text is long enough or its alphabet leaves no
doubt; unreliable guesses never flip a conversation that already has a
language (see :func:`decide_reply_language`).

Beyond the natively trained languages the detector knows every language of
the catalogue (``data/languages.yml``) that can be told from the others
offline: lingua's models for the Latin, Cyrillic and Arabic languages it
knows, the alphabet for Greek and Ethiopic, and letters only one language
uses for Pashto, Sorani Kurdish and Urdu. Dari cannot be told from Persian
in writing, and Kurmanji has no model in lingua: they come only from the
user's choice or the client's hint.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot import DEFAULT_LANGUAGE, LANGUAGES
from bot.terms import NameFinder, Word, default_name_finder, script_of, split_words

# Letters that exist in one language of a script family but not in its sibling.
_UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
_RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
_PERSIAN_ONLY = set("پچژگکی")  # Persian keheh/yeh and the four extra consonants
_ARABIC_ONLY = set("ةىك")  # ta marbuta, alif maqsura, Arabic kaf

# Bulgarian has no ы э ё (nor the Ukrainian і ї є ґ), and writes ь only
# before о ("шофьор"): any other ь rules it out ("Съешь", "есть").
_NOT_BULGARIAN = set("ыэёіїєґЫЭЁІЇЄҐ")
_SOFT_SIGN_NOT_BEFORE_O = re.compile(r"ь(?![оО])", re.IGNORECASE)

# Arabic-script letters that Persian and Arabic never use, one set per
# language. ھ is left out on purpose: Urdu and Sorani both use it.
_MARKER_LETTERS = {
    "ps": set("ټډړښګڼېۍږځڅ"),
    "ckb": set("ڕڵۆێە"),
    "ur": set("ٹڈڑںےہ"),
}
# One such letter can be a name in a Persian sentence; two are a language.
MIN_MARKER_LETTERS = 2

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Texts shorter than this (in letters) are judged by their alphabet only.
MIN_LETTERS_FOR_RELIABLE = 12
MIN_CONFIDENCE_FOR_RELIABLE = 0.80
# A whole sentence is convincing with less confidence than a few words.
LONG_TEXT_LETTERS = 30
MIN_CONFIDENCE_FOR_LONG_TEXT = 0.60
# A single word, however long, is often a name or an office's German term
# ("Aufenthaltserlaubnis") that users of every language type.
MIN_WORDS_FOR_RELIABLE = 2
# A language we only translate needs this confidence at any length: lingua
# is less sure between close siblings (Russian/Bulgarian, the Romance
# languages) than between our native languages, and a wrong switch costs a
# translated conversation instead of a native one.
MIN_CONFIDENCE_FOR_TRANSLATED_TEXT = 0.80
# A language we only translate must beat the native ones clearly before it
# even counts as the best guess: below this, the native languages' detector
# has the last word (and the guess is not reliable). Measured on the NLU
# training data: lower values cost German/English/Turkish accuracy on short
# texts ("ok", "stop now" look Polish or Albanian to lingua).
MIN_CONFIDENCE_FOR_TRANSLATED_GUESS = 0.70
# ...or, in a sentence (what is left once the names are out: "Mon fils cherche
# un à"), lead every native language this many times with at least this
# share: lingua spreads its confidence over the many Latin languages, so a
# clear favourite of a sentence often has less than 0.70.
MIN_WORDS_FOR_SENTENCE = 4
TRANSLATED_LEAD_IN_SENTENCE = 2.0
MIN_CONFIDENCE_FOR_TRANSLATED_SENTENCE = 0.40
# The first sentence of a conversation, which has no language yet.
MIN_CONFIDENCE_FOR_FIRST_GUESS = 0.55
# Entities that are names: a town or a language name says nothing about the
# language the user writes in ("Sindelfingen" is no German sentence).
NAME_ENTITIES = ("municipality", "language")


def is_reliable(
    letter_count: int,
    confidence: float,
    word_count: int = MIN_WORDS_FOR_RELIABLE,
    *,
    language: str | None = None,
) -> bool:
    """Whether a statistical guess may change a conversation's language.

    A single word never is (a name, an office's term); ``language`` outside
    the natively trained ones needs ``MIN_CONFIDENCE_FOR_TRANSLATED_TEXT``
    at any length.
    """
    if word_count < MIN_WORDS_FOR_RELIABLE or letter_count < MIN_LETTERS_FOR_RELIABLE:
        return False
    if language is not None and language not in LANGUAGES:
        return confidence >= MIN_CONFIDENCE_FOR_TRANSLATED_TEXT
    if letter_count >= LONG_TEXT_LETTERS:
        return confidence >= MIN_CONFIDENCE_FOR_LONG_TEXT
    return confidence >= MIN_CONFIDENCE_FOR_RELIABLE


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
    words = _WORD.findall(" ".join(rest))
    confidence = float(detection.get("confidence") or 0.0)
    if is_reliable(len("".join(words)), confidence, len(words), language=detection.get("code")):
        return detection
    return {**detection, "reliable": False}


@dataclass(frozen=True)
class Detection:
    """Result of looking at one message.

    Attributes:
        language: best guess (a catalogue code) or ``None`` when there is nothing to go on.
        confidence: the detector's confidence in ``language`` (0..1).
        reliable: whether the guess may change a conversation's language.
        script: ``latin``, ``arabic``, ``cyrillic``, ``greek``, ``ethiopic``,
            ``other`` or ``none``.
        letters: how many letters the guess rests on: names (:mod:`bot.terms`)
            and words of another alphabet are not counted.
        known_phrase: the whole text is a phrase of one language's training data.
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


# Candidates per alphabet, natively trained languages first.
SCRIPT_LANGUAGES = {
    "latin": ("de", "en", "tr", "ro", "pl", "fr", "it", "es", "sq", "hr", "so"),
    "arabic": ("ar", "fa", "ps", "ckb", "ur"),
    "cyrillic": ("uk", "ru", "bg"),
    "greek": ("el",),
    # Tigrinya and Amharic share the script; neither has a translation model,
    # so the answer (an interpreter) is the same. Tigrinya is the larger
    # group among newcomers (Eritrea).
    "ethiopic": ("ti",),
}

# Recognised by their letters or their alphabet only: lingua has no model for
# Pashto, Sorani or Tigrinya; for Urdu it has one, but comparing Urdu with
# Persian statistically would cost Persian accuracy, and Urdu's own letters
# (ے ں ہ ٹ ڈ ڑ) show up in almost every sentence.
BY_LETTERS_ONLY = frozenset({"ps", "ckb", "ur", "ti"})


def dominant_script(letters: str) -> str:
    """The alphabet most letters of ``letters`` belong to."""
    if not letters:
        return "none"
    counts: dict[str, int] = {}
    for char in letters:
        script = script_of(char)
        counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.get)


# Latin words in a message written in another alphabet are nearly always names
# and terms, listed or not ("بدي Kindergeld Antrag"): the other alphabet wins
# unless the Latin words outnumber its words more than this many times
# ("My name is محمد and I need a German course" stays Latin).
LATIN_WORDS_PER_OTHER_WORD = 2


def script_of_words(words: Iterable[Word]) -> str:
    """The alphabet a message is written in, judged by its words (not its letters).

    German compounds are long and Arabic words short: counting letters would
    let two German terms outweigh an Arabic sentence.
    """
    counts: dict[str, int] = {}
    for word in words:
        counts[word.script] = counts.get(word.script, 0) + 1
    if not counts:
        return "none"
    latin = counts.pop("latin", 0)
    if not counts:
        return "latin"
    other = max(counts, key=counts.get)
    return other if counts[other] * LATIN_WORDS_PER_OTHER_WORD >= latin else "latin"


def _catalogue_languages() -> tuple[str, ...]:
    from bot.languages import get_languages

    return tuple(get_languages())


# One sentence per alphabet with statistical candidates: enough text for lingua
# to load all its n-gram models of those languages.
_WARM_UP_TEXTS = {
    "latin": "Ich brauche einen Deutschkurs für meine Familie",
    "cyrillic": "Мне нужен курс немецкого языка для семьи",
    "arabic": "أحتاج إلى دورة لغة ألمانية لعائلتي",
}

# Detection needs a sentence, not a page: longer texts are cut (a 10,000
# character message must not cost more than a short one).
MAX_DETECTION_CHARS = 300


class LanguageDetector:
    """Detects the language of a message among the catalogue's languages.

    The natively trained languages are decided first, exactly as when they
    were the only ones: one lingua detector per alphabet knowing only them
    (de/en/tr, ar/fa, uk/ru) plus letters one sibling lacks. Then the other
    languages of the same alphabet get their chance: lingua over all of them
    (ro/pl/fr/..., bg), letters only Pashto, Sorani or Urdu use, or an
    alphabet that belongs to one language (Greek, Ethiopic). Another language
    wins only clearly (``MIN_CONFIDENCE_FOR_TRANSLATED_GUESS``), so adding
    languages does not make German, English or Turkish texts less certain.

    Each lingua detector is built on first use (lingua loads its n-gram
    models lazily and shares them between detectors) and shared by all
    threads afterwards.
    """

    def __init__(
        self,
        languages: Iterable[str] | None = None,
        phrases: dict[str, str] | None = None,
        names: NameFinder | None = None,
    ) -> None:
        self.languages = tuple(_catalogue_languages() if languages is None else languages)
        # Short phrases that occur in the training data of one language only
        # ("hallo" -> de, "hello" -> en): exact knowledge where n-grams guess.
        self.phrases = phrases or {}
        # German and English names that are no evidence of a language
        # (bot/terms.py); read on first use unless given.
        self._names = names
        self._detectors: dict[tuple[str, ...], object] = {}
        self._lock = threading.Lock()

    def _lingua(self, candidates: tuple[str, ...]):
        detector = self._detectors.get(candidates)
        if detector is None:
            with self._lock:
                detector = self._detectors.get(candidates)
                if detector is None:
                    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                    wanted = [
                        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                        for code in candidates
                    ]
                    detector = LanguageDetectorBuilder.from_languages(*wanted).build()
                    self._detectors[candidates] = detector
        return detector

    def _scores(self, candidates: list[str], text: str) -> dict[str, float]:
        values = self._lingua(tuple(candidates)).compute_language_confidence_values(text)
        return {value.language.iso_code_639_1.name.lower(): value.value for value in values}

    @property
    def names(self) -> NameFinder:
        """The names that are no evidence of a language."""
        if self._names is None:
            self._names = default_name_finder()
        return self._names

    def warm_up(self) -> None:
        """Load every lingua model detection can need (~2 s), so no user waits for it.

        Without this, the first message in each alphabet pays for loading
        the models of that alphabet's languages (and the first message at
        all for reading the names).
        """
        self.names  # noqa: B018 - reads the lists once
        for script, text in _WARM_UP_TEXTS.items():
            candidates = [c for c in SCRIPT_LANGUAGES[script] if c in self.languages]
            statistical = [c for c in candidates if c not in BY_LETTERS_ONLY]
            natives = [c for c in statistical if c in LANGUAGES]
            for group in {tuple(natives), tuple(statistical)}:
                if len(group) > 1:
                    self._scores(list(group), text)

    def detect(self, text: str) -> Detection:
        """The language of ``text``, judged without the names in it (:mod:`bot.terms`).

        "بدي Dolmetscher لموعد في Jobcenter" is Arabic: its German names are
        no evidence, and of what is left the alphabet with the most words
        decides (:func:`script_of_words`). Reliability, too, is judged on
        what is left: a message of names only is never reliable.
        """
        text = (text or "")[:MAX_DETECTION_CHARS]
        words = split_words(text)
        names = self.names.name_words(text, words) if words else set()
        rest = [word for index, word in enumerate(words) if index not in names]
        if words and not rest:
            return self._names_only(text, words)
        script = script_of_words(rest)
        chosen = [word for word in rest if word.script == script]
        return self._detect(text, _blank_out(text, words, chosen), [w.text for w in chosen], script)

    def _names_only(self, text: str, words: list[Word]) -> Detection:
        """A message of names only ("Jobcenter Böblingen"): a native guess, never reliable.

        Its letters tell nothing about the language, so they are not counted
        (``letters`` 0): such a message never starts a conversation in the
        guessed language either (:func:`decide_reply_language`).
        """
        script = script_of_words(words)
        natives = [c for c in SCRIPT_LANGUAGES.get(script, ()) if c in self.languages]
        natives = [c for c in natives if c in LANGUAGES]
        if not natives:
            return Detection(None, 0.0, False, script, 0)
        plain = [word.text for word in words]
        guess = self._detect_native(text, "".join(plain), plain, script, natives)
        return replace(guess, reliable=False, letters=0)

    def _detect(self, text: str, reading: str, words: list[str], script: str) -> Detection:
        """Detection on ``reading`` (``words`` of one ``script``); ``text`` as the user wrote it."""
        letters = "".join(words)
        candidates = [c for c in SCRIPT_LANGUAGES.get(script, ()) if c in self.languages]
        if not candidates:
            return Detection(None, 0.0, False, script, len(letters))

        known = self.phrases.get(phrase_key(text))
        if known in candidates:
            # Short, so it must not flip a conversation; but it is a sure
            # first guess for a conversation that has no language yet.
            reliable = is_reliable(len(letters), 1.0, len(words))
            return Detection(known, 1.0, reliable, script, len(letters), known_phrase=True)
        if len(candidates) == 1:
            # The alphabet belongs to one language (Greek, Ethiopic).
            return Detection(candidates[0], 1.0, len(letters) >= 2, script, len(letters))

        marked, stray_markers = _language_from_marker_letters(letters, candidates)
        if marked:
            return Detection(marked, 1.0, True, script, len(letters))

        natives = [c for c in candidates if c in LANGUAGES]
        native = self._detect_native(reading, letters, words, script, natives) if natives else None
        if native is not None and stray_markers:
            # A Pashto or Urdu letter in a "Persian" text: too little to name
            # the other language, enough to doubt this one.
            native = replace(native, reliable=False)
        rivals = [
            c
            for c in candidates
            if c not in LANGUAGES and c not in BY_LETTERS_ONLY and not _ruled_out(c, letters)
        ]
        if not rivals:
            return native or Detection(candidates[0], 0.0, False, script, len(letters))

        everyone = [c for c in natives if c not in BY_LETTERS_ONLY] + rivals
        scores = self._scores(everyone, reading)
        best = max(everyone, key=lambda c: scores.get(c, 0.0))
        confidence = scores.get(best, 0.0)

        def clear_favourite() -> bool:
            if confidence >= MIN_CONFIDENCE_FOR_TRANSLATED_GUESS:
                return True
            best_native = max((scores.get(c, 0.0) for c in natives), default=0.0)
            return (
                len(words) >= MIN_WORDS_FOR_SENTENCE
                and len(letters) >= MIN_LETTERS_FOR_RELIABLE
                and confidence >= MIN_CONFIDENCE_FOR_TRANSLATED_SENTENCE
                and confidence >= TRANSLATED_LEAD_IN_SENTENCE * best_native
            )

        if best in rivals or native is None:
            reliable = is_reliable(len(letters), confidence, len(words), language=best)
            # A reliable native answer yields only to a reliable rival; an
            # unsure one to a clear favourite.
            if native is None or reliable or (not native.reliable and clear_favourite()):
                return Detection(best, confidence, reliable, script, len(letters))
            return replace(native, reliable=False)
        if len(natives) == 1:
            # The only native candidate was "certain" among the natives alone.
            reliable = is_reliable(len(letters), confidence, len(words), language=best)
            return Detection(best, confidence, reliable, script, len(letters))
        return native

    def _detect_native(
        self, text: str, letters: str, words: list[str], script: str, natives: list[str]
    ) -> Detection:
        """The best of the natively trained languages, as if they were the only ones."""
        decided_by_letters = _language_from_letters(letters, natives)
        if decided_by_letters:
            return Detection(decided_by_letters, 1.0, True, script, len(letters))
        if len(natives) == 1:
            return Detection(natives[0], 1.0, len(letters) >= 2, script, len(letters))
        scores = self._scores(natives, text)
        best = max(natives, key=lambda c: scores.get(c, 0.0))
        confidence = scores.get(best, 0.0)
        reliable = is_reliable(len(letters), confidence, len(words))
        return Detection(best, confidence, reliable, script, len(letters))


def _blank_out(text: str, words: list[Word], kept: list[Word]) -> str:
    """``text`` with every word but ``kept`` replaced by spaces.

    Lingua then reads what is left as written: apostrophes and punctuation
    stay ("C'est quoi le"), names and the words of another alphabet are gone.
    """
    if len(kept) == len(words):
        return text
    keep = {(word.start, word.end) for word in kept}
    pieces, position = [], 0
    for word in words:
        if (word.start, word.end) not in keep:
            pieces += [text[position : word.start], " " * (word.end - word.start)]
            position = word.end
    pieces.append(text[position:])
    return "".join(pieces)


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


def _language_from_marker_letters(letters: str, candidates: list[str]) -> tuple[str | None, bool]:
    """Pashto, Sorani or Urdu when their own letters dominate, and whether any occur."""
    counts = {
        code: sum(1 for char in letters if char in _MARKER_LETTERS[code])
        for code in _MARKER_LETTERS
        if code in candidates
    }
    if not counts or not any(counts.values()):
        return None, False
    best = max(counts, key=counts.get)
    runner_up = max((n for code, n in counts.items() if code != best), default=0)
    if counts[best] >= MIN_MARKER_LETTERS and counts[best] > 2 * runner_up:
        return best, True
    return None, True


def _ruled_out(code: str, letters: str) -> bool:
    """Whether the text has letters ``code`` never uses."""
    if code == "bg":
        return bool(set(letters) & _NOT_BULGARIAN or _SOFT_SIGN_NOT_BEFORE_O.search(letters))
    return False


@dataclass(frozen=True)
class TurnFacts:
    """What is known about one turn when its reply language is decided.

    Attributes:
        current: the conversation's language so far (the ``language`` slot).
        detection: this message's detection (``Detection.as_dict()``, as the
            parse result carries it), with names already discounted; ``None``
            when there is no message text to judge (a channel's notice).
        hint: the client's language tag (``metadata.language_hint``, Telegram's
            ``language_code``; "ro-RO" is Romanian, "fa-AF" Dari).
        explicit: a language the user chose this turn ("auf Deutsch bitte", a
            language button).
        locked: an earlier explicit choice holds the conversation's language.
        supported: what the caller can serve or honestly decline right now:
            the native languages, languages with installed models, and
            languages without a model (answered with a second choice and an
            interpreter).
        free_text_answer: the message answers a free-text question (an
            address, a name, a description): its language says nothing about
            the user's ("Praxis Dr. Muster, Bahnhofstraße 1").
    """

    current: str | None = None
    detection: dict | None = None
    hint: str | None = None
    explicit: str | None = None
    locked: bool = False
    supported: tuple[str, ...] = LANGUAGES
    free_text_answer: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "supported", tuple(self.supported))


def decide_reply_language(facts: TurnFacts) -> str:
    """The language to answer a turn in: the one rule, for actions and channels alike.

    In the product's order of precedence:

    1. an explicit choice (this turn, or an earlier one that locked the language),
    2. a reliable detection of this message (never of a free-text answer),
    3. the language the conversation already has (short texts never flip it),
    4. the client's hint: it breaks the tie before any guess and before German
       (but a message in another alphabet than the hint's language is not
       answered in the hint's: "بدي Dolmetscher" from a German phone is Arabic),
    5. a best guess from a non-Latin alphabet (a first "سلام" deserves
       Arabic/Persian), a phrase known from one language's training data
       ("hello"), or a first sentence of some length,
    6. German (``bot.DEFAULT_LANGUAGE``): the county's language and its staff's,
       the one fallback when nothing above names a supported language.

    A pure function of ``facts``: no I/O, the same facts give the same language.
    """
    supported = facts.supported
    current = facts.current
    if facts.explicit in supported:
        return facts.explicit
    if facts.locked and current in supported:
        return current
    detection = {} if facts.free_text_answer else (facts.detection or {})
    detected = detection.get("code")
    if detection.get("reliable") and detected in supported:
        return detected
    if current in supported:
        return current
    script = detection.get("script")
    other_alphabet = detected in supported and script not in (None, "latin", "none", "other")
    hinted = _language_of_hint(facts.hint, supported)
    # A hint breaks ties among the languages the message can be in; an Arabic
    # sentence from a phone set to German is still no German one.
    if hinted and not (other_alphabet and not _written_in(hinted, script)):
        return hinted
    if other_alphabet or (detected in supported and detection.get("known_phrase")):
        return detected
    if (
        detected in supported
        and detection.get("letters", 0) >= MIN_LETTERS_FOR_RELIABLE
        and detection.get("confidence", 0.0) >= MIN_CONFIDENCE_FOR_FIRST_GUESS
    ):
        # A new conversation's first sentence: a likely guess beats German.
        return detected
    return DEFAULT_LANGUAGE


def choose_reply_language(
    *,
    current: str | None,
    detection: dict | None,
    hint: str | None = None,
    explicit: str | None = None,
    locked: bool = False,
    supported: Iterable[str] = LANGUAGES,
) -> str:
    """:func:`decide_reply_language` with the facts as keywords (the channels' call)."""
    return decide_reply_language(
        TurnFacts(
            current=current,
            detection=detection,
            hint=hint,
            explicit=explicit,
            locked=locked,
            supported=tuple(supported),
        )
    )


def _written_in(language: str, script: str) -> bool:
    """Whether ``language`` is written in ``script``.

    Dari has no detector of its own (it cannot be told from Persian), but like
    every right-to-left language of the catalogue it is written in Arabic letters.
    """
    if language in SCRIPT_LANGUAGES.get(script, ()):
        return True
    from bot.languages import language_info

    info = language_info(language)
    return script == "arabic" and info is not None and info.rtl


def _language_of_hint(hint: str | None, supported: tuple[str, ...]) -> str | None:
    if not hint:
        return None
    from bot.languages import language_for_tag

    code = language_for_tag(hint, among=supported)
    if code:
        return code
    # A code outside the catalogue that the caller supports anyway.
    primary = hint.split(",")[0].split(";")[0].strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in supported else None
