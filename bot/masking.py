"""Masking what identifies a person in a text before it is kept (unanswered questions).

:func:`mask_personal_data` replaces phone numbers (Latin, Arabic-Indic and
Persian digits; ``+49``, ``0049``, ``0151 …``, ``(07031) 66-0``), e-mail
addresses and names with placeholders staff can read: ``[Telefon]``,
``[E-Mail]``, ``[Name]``.

Names are found pragmatically, not perfectly:

* after a self-introduction ("ich heiße …", "mein Name ist …", "my name is …",
  "меня зовут …", "اسمي …", "benim adım …", …) and after a form of address
  ("Herr", "Frau", "Mr", "Dr", …), the next one to three words;
* in a text that does not capitalise its nouns (anything but German),
  capitalised words in the middle of a sentence ("my friend Ahmed is ill"),
  except the county's towns and a few words that are never names.

German nouns are capitalised, so in German texts only the first two rules
apply: "Ich brauche einen Termin beim Jobcenter" keeps every word. A name
the rules miss stays; the texts are kept without their sender and only for
``WELCOME_UNANSWERED_DAYS`` days (:mod:`bot.privacy`).
"""

from __future__ import annotations

import re

PHONE = "[Telefon]"
EMAIL = "[E-Mail]"
NAME = "[Name]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits (any script: \d matches ٠-٩ and ۰-۹) with the separators
# people type in phone numbers; dots are left out so that dates stay.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d\s\-/()]{4,}\d(?![\w])")
#: Fewer digits than this are a house number, a postcode or a year, not a phone.
_MIN_PHONE_DIGITS = 6

# A word of a name: letters (any script), apostrophes and hyphens inside.
_NAME_WORD = r"[^\W\d_][\w'’-]*"
_INTRODUCTIONS = (
    r"ich hei(?:ß|ss)e", r"mein name ist", r"mein name lautet", r"ich bin der", r"ich bin die",
    r"my name is", r"my name's", r"i am called", r"i'm called",
    r"меня зовут", r"мене звати", r"моє ім'я", r"моё имя", r"моє ім’я", r"мое имя",
    r"benim adım", r"adım", r"ismim", r"اسمي", r"إسمي", r"اسم من", r"نام من",
    r"mă numesc", r"ma numesc", r"numele meu este", r"nazywam się", r"mam na imię",
    r"je m'appelle", r"je m’appelle", r"mi chiamo", r"me llamo", r"unë quhem", r"quhem",
    r"zovem se", r"magacaygu waa", r"زما نوم",
)  # fmt: skip
_TITLES = (
    "Herr", "Herrn", "Frau", "Familie", "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Bay", "Bayan",
    "Domnul", "Doamna", "Pan", "Pani", "Monsieur", "Madame", "Signor", "Signora", "Señor",
    "Señora", "господин", "госпожа", "пан", "пані",
    # Family: "mein Sohn Karim", "my son Karim".
    "Sohn", "Tochter", "Bruder", "Schwester", "Ehemann", "Ehefrau",
)  # fmt: skip
_INTRODUCTION = re.compile(
    r"(?P<lead>(?<!\w)(?:" + "|".join(_INTRODUCTIONS) + r")[:,]?\s+)"
    r"(?P<name>" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r"){0,2})",
    re.IGNORECASE | re.UNICODE,
)
_TITLE = re.compile(
    r"(?P<lead>(?<!\w)(?:" + "|".join(_TITLES) + r")\.?\s+)"
    r"(?P<name>[^\W\d_][\w'’-]*(?:\s+[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’-]*)?)",
    re.UNICODE,
)
# Words that end a name in an introduction ("mein Name ist Amina und ich ...").
_STOP_WORDS = {
    "und", "and", "und.", "aus", "from", "ich", "i", "bin", "am", "is", "und,", "and,", "ve",
    "și", "si", "и", "і", "та", "و", "von", "de", "в", "у", "из", "з", "live",
    "wohne", "lebe", "komme", "come", "need", "brauche", "habe", "have", "bir", "ben",
}  # fmt: skip
#: Capitalised words that are never names (languages, days, the county, institutions).
_NOT_NAMES = {
    "i", "i'm", "i've", "i'd", "i'll", "english", "german", "germany", "deutsch", "deutschland",
    "arabic", "turkish", "ukrainian", "russian", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december", "landkreis",
    "jobcenter", "welcome", "center", "ausländerbehörde", "bürgeramt", "rathaus",
    "integrationskurs", "kita", "schule", "bamf", "aok", "ok", "hello", "hi", "please",
    "thanks", "thank", "baden-württemberg", "stuttgart",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?؟…:;]\s+|\n)\s*$")


_known_towns: frozenset[str] = frozenset()


def register_towns(names) -> None:
    """The county's town names (lower-cased), which are never masked as a person's name.

    The content registers them each time it loads (bot.content.published): masking
    sits below the content in the layers (the store masks before it writes), so it
    is told the towns rather than asking for them.
    """
    global _known_towns
    _known_towns = frozenset(name.casefold() for name in names)


def _towns() -> frozenset[str]:
    return _known_towns


def _mask_phones(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        digits = sum(char.isdigit() for char in found)
        if digits < _MIN_PHONE_DIGITS:
            return found
        # Keep a trailing space or bracket the pattern swallowed.
        stripped = found.rstrip(" )")
        return PHONE + found[len(stripped) :] if stripped != found else PHONE

    return _PHONE.sub(replace, text)


def _mask_introductions(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        words = match.group("name").split()
        kept: list[str] = []
        for word in words:
            # Arabic and Persian write "and" as a prefix: "ورقمي" is "and my number".
            if word.casefold() in _STOP_WORDS or (kept and word.startswith("و")):
                break
            kept.append(word)
        if not kept:
            return match.group(0)
        rest = match.group("name")[len(" ".join(kept)) :]
        return match.group("lead") + NAME + rest

    text = _INTRODUCTION.sub(replace, text)

    def title(match: re.Match[str]) -> str:
        return match.group("lead") + NAME

    return _TITLE.sub(title, text)


#: Short German words: a text with one of them is German, where capitals mark nouns.
_GERMAN_WORDS = {
    "ich", "und", "der", "die", "das", "ein", "eine", "einen", "einem", "bei", "beim", "ist",
    "nicht", "mit", "für", "wie", "wo", "was", "wann", "brauche", "habe", "mein", "meine",
    "kann", "bitte", "gibt", "es", "im", "zum", "zur", "den", "dem", "auf", "hallo",
    "mich", "mir", "wegen", "unter", "sie", "wir", "du", "ihr", "uns", "oder", "aber", "auch",
    "noch", "nur", "schon", "sehr", "kein", "keine", "von", "vom", "nach", "ab", "an", "aus",
    "wer", "welche", "welcher", "warum", "woher", "wohin", "muss", "soll", "will", "möchte",
    "brauchen", "hat", "sind", "bin", "haben", "werden", "wird", "gibt's", "ja", "nein", "danke",
}  # fmt: skip


def _capitalises_nouns(words: list[str]) -> bool:
    """Whether a text capitalises its nouns (German), so capitals are no hint of a name."""
    if any(word.casefold() in _GERMAN_WORDS for word in words):
        return True
    ignored = {"Name", "I"}
    inner = [word for word in words[1:] if word not in ignored]
    if len(inner) < 3:
        return False
    capitalised = sum(word[:1].isupper() for word in inner)
    return capitalised / len(inner) >= 0.4


def _mask_capitalised(text: str, language: str | None) -> str:
    if language == "de":
        return text
    words = _WORD.findall(text)
    if _capitalises_nouns([word for word in words if word.casefold() not in _towns()]):
        return text
    towns = _towns()

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if not word[:1].isupper() or word.isupper() or len(word) < 2:
            return word
        if _SENTENCE_START.search(text[: match.start()]):
            return word
        # Turkish writes suffixes after an apostrophe: "Böblingen'de".
        stem = re.split(r"['’]", word, maxsplit=1)[0].casefold()
        if stem in _NOT_NAMES or stem in towns:
            return word
        if text[max(0, match.start() - 1) : match.start()] == "[":
            return word  # one of our own placeholders
        return NAME

    masked = _WORD.sub(replace, text)
    # "Ahmed Yilmaz" -> one placeholder, not two.
    return re.sub(re.escape(NAME) + r"(?:\s+" + re.escape(NAME) + r")+", NAME, masked)


def mask_personal_data(text: str, language: str | None = None) -> str:
    """``text`` with phone numbers, e-mail addresses and names replaced by placeholders.

    ``language``: the text's language when known (the detector's); German
    capitalises nouns, so there only introductions and forms of address mark a
    name. Unknown: German is recognised by its short everyday words.
    """
    if not text:
        return text
    masked = _EMAIL.sub(EMAIL, text)
    masked = _mask_phones(masked)
    masked = _mask_introductions(masked)
    masked = _mask_capitalised(masked, language)
    return masked
