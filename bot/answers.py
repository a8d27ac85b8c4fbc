"""Understanding free-text answers to form questions, in any of our languages.

Everything here is pure: it takes text (and "today" where dates matter) and
returns a clean value or ``None``. The form validation actions turn ``None``
into a polite re-ask in the user's language. Words it understands (clock
times written out, "um", "Uhr", "morgens") come from ``data/texts.yml``;
phone numbers are libphonenumber's business, e-mail addresses
email-validator's.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import Leniency, PhoneNumberFormat

from bot import LANGUAGES
from bot.texts import words

# Arabic-Indic and Persian digits, as typed on Arabic and Persian phone keyboards.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# A tag starts with a letter, "/" or "!" right after "<"; "3 < 5 und 7 > 2" is no tag.
_TAG = re.compile(r"<\s*[/!?a-zA-Z][^<>]{0,200}>")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")
_SPACES = re.compile(r"[ \t\u00a0]+")

MAX_SHORT_ANSWER = 200
MAX_DESCRIPTION = 1000


def normalize_digits(text: str) -> str:
    return text.translate(_DIGITS)


def clean_text(text: str | None, max_chars: int = MAX_SHORT_ANSWER) -> str | None:
    """User text made safe to store and to echo back.

    Removes markup tags and control characters, unescapes entities (so that
    ``&lt;script&gt;`` cannot sneak a tag through), collapses spaces. Returns
    ``None`` for empty text and for text longer than ``max_chars`` (the caller
    says "too long" rather than silently cutting what the user wrote).
    """
    if text is None:
        return None
    value = html.unescape(str(text))
    value = _TAG.sub(" ", value)
    value = value.replace("<", "‹").replace(">", "›")  # stray brackets can never form a tag
    value = _CONTROL.sub("", value)
    value = _SPACES.sub(" ", value).strip()
    if not value or len(value) > max_chars:
        return None
    return value


def parse_age(text: str | None) -> int | None:
    """The first plausible age (1-120) written in ``text``."""
    if text is None:
        return None
    for match in re.finditer(r"\d{1,3}", normalize_digits(str(text))):
        age = int(match.group())
        if 1 <= age <= 120:
            return age
    return None


# --------------------------------------------------------------------------- times and dates
#
# A time question must not take a date ("am 3. Januar" is no 3 o'clock) and a
# date question must not take a time alone ("um 10 Uhr" is no day). So each
# parser first hides what belongs to the other one, then reads what is left.
# Words for hours, "um", "Uhr", "morgens", "halb" ... come from the catalogue
# (data/texts.yml, ``understood: time.*``); month names from dateparser's
# language data, the same that reads the dates.

# Marks that change nothing a reader sees: direction marks (Arabic and Persian
# phones insert them around digits), zero-width spaces, the byte-order mark.
_INVISIBLE = re.compile(r"[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Arabic short vowels, tanween and tatweel: "صباحًا" is "صباحا". (Letters stay
# as typed: dateparser knows its month names in each language's own letters.)
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'"})
# What a hidden date or time is replaced with: nothing a pattern can read.
_HIDDEN = " § "


def _plain(text: str) -> str:
    """Lower case, Latin digits, one spelling per letter: the text the patterns read."""
    value = _INVISIBLE.sub("", normalize_digits(str(text)))
    return _ARABIC_MARKS.sub("", value).translate(_APOSTROPHES).casefold()


def _alternatives(phrases: Iterable[str]) -> str:
    """A regex group matching any of ``phrases``, longest first."""
    spelled = sorted({_plain(phrase) for phrase in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(word) for word in spelled) + ")"


def _word(pattern: str) -> str:
    return rf"(?<!\w){pattern}(?!\w)"


@lru_cache(maxsize=1)
def _month_names() -> tuple[str, ...]:
    """Month names (and their declined forms) in our languages, from dateparser."""
    from dateparser.languages import default_loader

    # dateparser's keys for the months (its data are English-keyed).
    months = ("january", "february", "march", "april", "may", "june")
    months += ("july", "august", "september", "october", "november", "december")
    names = set()
    for language in LANGUAGES:
        info = default_loader.get_locale(language).info
        for month in months:
            # Three letters at least: "Oc" or "Mr" could be anything.
            names.update(name for name in info.get(month, []) if len(name) >= 3)
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def _date_patterns() -> tuple[re.Pattern[str], ...]:
    months = _alternatives(_month_names())
    return tuple(
        re.compile(pattern)
        for pattern in (
            r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)",  # 2026-12-15
            r"(?<![\d.:])\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?!\d)",  # 15.12.2026, 15/12/26
            r"(?<![\d.:])(?:[12]\d|3[01]|0?[1-9])\.(?:1[0-2]|0?[1-9])\.(?!\d)",  # 3.1., 15.12.
            r"(?<![\d:.])\d{1,2}/\d{1,2}(?!\d)",  # 3/1: nobody writes a clock time so
            _word(r"\d{1,2}(?:st|nd|rd|th)"),  # January 3rd
            rf"(?<![\d:.])\d{{1,2}}\.?\s*(?:of\s+)?{months}(?!\w)",  # 3. Januar, 3 января
            rf"(?<!\w){months}\s+\d{{1,2}}(?!\d)",  # January 3
            _word(r"(?:am|den|vom|zum)\s+\d{1,2}\.(?!\d)"),  # "am 3."
            r"(?<!\d)\d{1,2}-(?:го|е)(?!\w)",  # 3-го
        )
    )


def _hide_dates(value: str) -> str:
    for pattern in _date_patterns():
        value = pattern.sub(_HIDDEN, value)
    return value


def names_a_date(text: str | None) -> bool:
    """Whether ``text`` names a calendar day ("am 3. Januar", "3.1.", "January 3rd")."""
    if not text:
        return False
    value = _plain(text)
    return _hide_dates(value) != value


@dataclass(frozen=True)
class _ClockWords:
    """The catalogue's clock words, as regex groups over :func:`_plain` text."""

    hours: dict[str, int]
    hour: str  # an hour in digits or in words, as the group "hour"
    hour_word: str  # an hour in words, without group or word boundaries
    before: str
    after: str
    morning: str
    evening: str
    half_before: str
    half_before_word: str  # without word boundaries
    half_past_before: str
    half_past_after: str


@lru_cache(maxsize=1)
def _clock_words() -> _ClockWords:
    hours = {
        _plain(word): number for number in range(1, 13) for word in words(f"time.hour.{number}")
    }
    digits = r"(?<![\d.:,/])\d{1,2}(?![\d:,/]|\.\d)"
    return _ClockWords(
        hours=hours,
        hour=rf"(?P<hour>{digits}|{_word(_alternatives(hours))})",
        hour_word=_alternatives(hours),
        before=_word(_alternatives(words("time.before"))),
        after=_alternatives(words("time.after")) + r"(?!\w)",
        morning=_alternatives(words("time.morning")),
        evening=_alternatives(words("time.evening")),
        half_before=_word(_alternatives(words("time.half_before"))),
        half_before_word=_alternatives(words("time.half_before")),
        half_past_before=_word(_alternatives(words("time.half_past_before"))),
        half_past_after=_alternatives(words("time.half_past_after")) + r"(?!\w)",
    )


@lru_cache(maxsize=1)
def _time_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(kind, pattern) in the order they are tried; each has a group "hour"."""
    w = _clock_words()
    minutes = r"(?P<minutes>[0-5]\d)(?!\d)(?!\.\d)"
    part_of_day = rf"(?:{w.morning}|{w.evening})"
    patterns = [
        # 10:30, 14h30, 10.30, "10 Uhr 30"
        ("clock", rf"(?<![\d.:/])(?P<hour>\d{{1,2}})\s*(?::|h|\.|uhr)\s*{minutes}"),
        # halb zehn, половина десятого, пів на десяту: half an hour before
        ("half_before", rf"{w.half_before}\s*-?\s*{w.hour}"),
        # полдесятого: Russian writes it as one word
        ("half_before", rf"(?<!\w){w.half_before_word}-?(?P<hour>{w.hour_word})(?!\w)"),
        # half past nine, half nine
        ("half_past", rf"{w.half_past_before}\s+{w.hour}"),
        # dokuz buçuk, التاسعة والنصف, نه و نیم
        ("half_past", rf"{w.hour}\s*{w.half_past_after}"),
        # um 10, saat 10, الساعة العاشرة, ساعت ده, в 10, о десятій; "о 10 годині" as a whole
        ("hour", rf"{w.before}\s+{w.hour}(?:\s*{w.after})?"),
        # 10 Uhr, 14h, ten o'clock
        ("hour", rf"{w.hour}\s*{w.after}"),
        # 3 pm, 10 am, 7 вечера, ۱۰ صبح ("am" only after a number: German "am" is "on the")
        ("hour", rf"{w.hour}\s*(?:{part_of_day}|am|a\.m\.)(?!\w)"),
        # abends 7, akşam 7
        ("hour", rf"(?<!\w){part_of_day}\s+{w.hour}"),
        # 10'da (Turkish "at 10")
        ("hour", r"(?<![\d.:])(?P<hour>\d{1,2})'?(?:da|de|ta|te)(?!\w)"),
    ]
    return tuple((kind, re.compile(pattern)) for kind, pattern in patterns)


_BARE_HOUR = re.compile(r"^\s*(?P<hour>\d{1,2})\s*[.!?]*\s*$")


def _hour(text: str) -> int | None:
    return int(text) if text.isdigit() else _clock_words().hours.get(text)


def _find_time(value: str, bare_hours: bool) -> tuple[dt.time, tuple[int, int]] | None:
    """The first clock time in ``value`` (plain text) and where it stands."""
    for kind, pattern in _time_patterns():
        for match in pattern.finditer(value):
            hour = _hour(match.group("hour"))
            if hour is None or hour > 23:
                continue
            minute = int(match.groupdict().get("minutes") or 0)
            if kind == "half_before":
                hour, minute = (hour - 1) % 12 or 12, 30
            elif kind == "half_past":
                minute = 30
            return _with_part_of_day(hour, minute, value), match.span()
    if bare_hours:
        match = _BARE_HOUR.match(value)
        if match and int(match.group("hour")) <= 23:
            return dt.time(int(match.group("hour"))), match.span()
    return None


def _with_part_of_day(hour: int, minute: int, value: str) -> dt.time:
    """7 and "abends" is 19:00; 10 and "morgens" stays 10:00."""
    evening = re.search(rf"(?<!\w){_clock_words().evening}(?!\w)", value)
    if evening and hour < 12:
        hour += 12
    return dt.time(hour, minute)


def parse_time(text: str | None, bare_hours: bool = True) -> dt.time | None:
    """A clock time: ``10:30``, ``14 Uhr``, ``um halb zehn``, ``в 10``, ``saat 10``, ``٩:٣٠``.

    A date is never a time: "am 3. Januar", "January 3rd", "3.1." and
    "15.12.2026" give ``None`` (a time next to a date is still found). With
    ``bare_hours=False`` a lone number is no time either: only a number with
    a word that makes it one ("um 10", "10 Uhr", "10:30") counts.
    """
    if text is None:
        return None
    found = _find_time(_hide_dates(_plain(text)), bare_hours)
    return found[0] if found else None


def _hide_times(value: str) -> str:
    """``value`` without its clock times: "morgen um 10 Uhr" is read as "morgen"."""
    while (found := _find_time(value, bare_hours=False)) is not None:
        start, end = found[1]
        value = value[:start] + _HIDDEN + value[end:]
    return value


_WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate(
    [
        "montag monday pazartesi понедельник понеділок الاثنين الإثنين اثنين دوشنبه",
        "dienstag tuesday salı sali вторник вівторок الثلاثاء ثلاثاء سه‌شنبه سهشنبه",
        "mittwoch wednesday çarşamba carsamba среда середа الأربعاء الاربعاء اربعاء چهارشنبه",
        "donnerstag thursday perşembe persembe четверг четвер الخميس خميس پنجشنبه",
        "freitag friday cuma пятница пятницу пʼятниця пятниця п'ятницю الجمعة جمعه جمعة",
        "samstag sonnabend saturday cumartesi суббота субботу субота суботу السبت شنبه",
        "sonntag sunday pazar воскресенье неділя неділю الأحد الاحد یکشنبه",
    ]
):
    for _name in _names.split():
        _WEEKDAYS[_plain(_name)] = _index


def _weekday_date(value: str, today: dt.date) -> dt.date | None:
    """The next such weekday after today for "Montag", "next Monday", "в пятницу" ..."""
    for word in re.findall(r"[^\W\d_]+(?:[‌'ʼ][^\W\d_]+)?", value.casefold()):
        weekday = _WEEKDAYS.get(word)
        if weekday is None and word.endswith(("s", "e", "у", "ю")):
            weekday = _WEEKDAYS.get(word[:-1])  # "montags", "понеділку"
        if weekday is not None:
            days_ahead = (weekday - today.weekday()) % 7 or 7
            return today + dt.timedelta(days=days_ahead)
    return None


@lru_cache(maxsize=1)
def _date_parser():
    # dateparser is slow to import (~1 s); only the action server needs it.
    import dateparser

    return dateparser


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})(?:[./-](\d{2,4}))?\b")
# "am 3. Januar": dateparser reads "am" as a.m. and gives up.
_DAY_ARTICLE = re.compile(r"(?<!\w)(?:am|den|vom|zum|on|the)\s+(?=\d)")


def _looks_like_clock(match: re.Match[str]) -> bool:
    """ "10.30" (no year, two-digit minutes, no dot after) is a time, not the 30th month."""
    hour, separator, minutes, year = match.groups()
    after = match.string[match.end() : match.end() + 1]
    return (
        year is None
        and separator == "."
        and len(minutes) == 2
        and int(hour) <= 23
        and int(minutes) <= 59
        and after != "."
    )


def _find_date(
    value: str, language: str, today: dt.date
) -> tuple[dt.date | None, tuple[int, int] | None]:
    """The date in ``value`` (plain text) and, for a numeric date, where it stands."""
    iso = _ISO_DATE.search(value)
    if iso:
        try:
            return dt.date(*map(int, iso.groups())), iso.span()
        except ValueError:
            return None, None
    for numeric in _NUMERIC_DATE.finditer(value):
        day, _, month, year = numeric.groups()
        try:
            if year is None:
                candidate = dt.date(today.year, int(month), int(day))
                if candidate < today:
                    candidate = candidate.replace(year=today.year + 1)
                return candidate, numeric.span()
            year_number = int(year) + (2000 if len(year) == 2 else 0)
            return dt.date(year_number, int(month), int(day)), numeric.span()
        except ValueError:
            if _looks_like_clock(numeric):
                continue  # "morgen 10.30": the day is in the words
            return None, None
    # What is left must name a day by itself: "um 10 Uhr" alone is no date.
    rest = _hide_times(value)
    weekday = _weekday_date(rest, today)
    if weekday is not None:
        return weekday, None
    rest = _DAY_ARTICLE.sub("", rest.replace(_HIDDEN.strip(), " ")).strip()
    if not re.search(r"\w", rest):
        return None, None
    # The user's language first, then the others: "yarın" typed in a German
    # conversation is still tomorrow.
    languages = [language] + [code for code in LANGUAGES if code != language]
    base = dt.datetime.combine(today, dt.time(12, 0))
    parsed = _date_parser().parse(
        rest,
        languages=[code for code in languages if code in LANGUAGES],
        # (dateparser reads these languages' month and day names)
        settings={
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": base,
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return (parsed.date() if parsed else None), None


def parse_date(text: str | None, language: str, today: dt.date) -> dt.date | None:
    """A calendar date from what the user wrote ("15.12.2026", "morgen", "завтра").

    Day-first order as written in Germany; relative words resolve against
    ``today``; dates without a year go to the next such day. A time alone
    ("um 10 Uhr") is no date.
    """
    if text is None:
        return None
    return _find_date(_plain(text).strip(), language, today)[0]


def parse_date_and_time(
    text: str | None, language: str, today: dt.date
) -> tuple[dt.date | None, dt.time | None]:
    """The date in an answer to "which day?", and the time if it names one too.

    "15.12. um 10:30" answers both questions; "in 2 Wochen" only the first
    (a lone number next to a date is never taken for a time).
    """
    if text is None:
        return None, None
    value = _plain(text).strip()
    date, span = _find_date(value, language, today)
    if date is None:
        return None, None
    if span is not None:
        value = value[: span[0]] + _HIDDEN + value[span[1] :]
    found = _find_time(_hide_dates(value), bare_hours=False)
    return date, (found[0] if found else None)


# --------------------------------------------------------------------------- contact


@dataclass(frozen=True)
class Contact:
    """How the office can reach someone, read from their answer."""

    value: str
    """The phone number in E.164 (``+4915123456789``) or the e-mail address."""
    as_written: str
    """The whole answer as the user wrote it, cleaned: "Telefon 0151 23456789"."""


PHONE_REGION = "DE"
"""Numbers written without a country code are German ones."""

# Punctuation around an address in a sentence: "(name@example.de)", "E-Mail: x@y.de."
_AROUND_ADDRESS = "\"'“”„«»‹›()[]{}<>.,;:!?،؛؟"


def _email_addresses(text: str) -> list[tuple[int, int, str]]:
    """Every valid e-mail address in ``text``: (start, end, normalised address).

    Words with an "@" are the candidates; whether one is an address decides
    email-validator (syntax of RFC 5321/5322 and 6531, internationalised
    domains; no DNS lookup: the action server may have no internet, and a
    typo in an existing domain would pass one anyway).
    """
    addresses = []
    for word in re.finditer(r"\S*@\S*", text):
        candidate = word.group()
        # "E-Mail:name@x.de", "mailto:name@x.de": the address starts after the colon.
        candidate = candidate[candidate.rfind(":", 0, candidate.find("@")) + 1 :]
        candidate = candidate.strip(_AROUND_ADDRESS)
        if "@" not in candidate:
            continue
        try:
            checked = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        start = word.start() + word.group().find(candidate)
        addresses.append((start, start + len(candidate), checked.normalized))
    return addresses


def _phone_numbers(text: str) -> list[tuple[int, str]]:
    """Every valid phone number in ``text``: (start, E.164).

    Google's libphonenumber (``phonenumbers``) finds numbers in running text
    and knows which ones can exist: "0151 2345678" is a digit short for a
    German mobile number and is not taken.
    """
    return [
        (match.start, phonenumbers.format_number(match.number, PhoneNumberFormat.E164))
        for match in phonenumbers.PhoneNumberMatcher(text, PHONE_REGION, leniency=Leniency.VALID)
    ]


def find_contact(text: str | None) -> Contact | None:
    """The first phone number or e-mail address in an answer, in any of our languages.

    "Telefon 0151 23456789", "Tel.: 07031/663-0", "my email is x@example.de",
    "رقمي ٠١٥١٢٣٤٥٦٧٨٩" … ``None`` if the answer holds neither.
    """
    written = clean_text(text)
    if written is None:
        return None
    # Latin digits and no direction marks, each character replaced by one,
    # so that positions stay those of ``written``.
    readable = _INVISIBLE.sub(" ", normalize_digits(written))
    found: list[tuple[int, str]] = []
    for start, end, address in _email_addresses(readable):
        found.append((start, address))
        # The digits of "max0151@example.de" are no phone number.
        readable = readable[:start] + " " * (end - start) + readable[end:]
    found.extend(_phone_numbers(readable))
    if not found:
        return None
    return Contact(value=min(found)[1], as_written=written)


def parse_contact(text: str | None) -> str | None:
    """The phone number (E.164) or e-mail address in ``text``; ``None`` if it has neither."""
    contact = find_contact(text)
    return contact.value if contact else None


def display_contact(value: str) -> str:
    """A stored contact as people read it ("+49 151 23456789"); anything else unchanged."""
    if not value.startswith("+"):
        return value
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def strip_accents(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
