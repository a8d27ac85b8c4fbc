"""Understanding free-text answers to form questions, in any of our languages.

Everything here is pure: it takes text (and "today" where dates matter) and
returns a clean value or ``None``. The form validation actions turn ``None``
into a polite re-ask in the user's language.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from functools import lru_cache

from bot import LANGUAGES

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


def too_long(text: str | None, max_chars: int) -> bool:
    return text is not None and len(str(text).strip()) > max_chars


def parse_age(text: str | None) -> int | None:
    """The first plausible age (1-120) written in ``text``."""
    if text is None:
        return None
    for match in re.finditer(r"\d{1,3}", normalize_digits(str(text))):
        age = int(match.group())
        if 1 <= age <= 120:
            return age
    return None


# Hour and optional minutes; a digit or separator right before or after (as in
# "25:00" or "10:75") means this is not a time of day.
_TIME = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])(?:\s*[:.h]\s*([0-5]\d))?(?![\d])(?!\s*[:.]\s*\d)")
# Words that make a bare hour a time: "um 10", "10 Uhr", "at 9", "saat 10" ...
_TIME_WORDS = re.compile(
    r"\b(uhr|um|at|o'?clock|am|pm|a\.m\.|p\.m\.|saat|в|о|об|ساعت|الساعة|ساعه)\b|\d\s*h\b",
    re.IGNORECASE,
)


def parse_time(text: str | None, bare_hours: bool = True) -> dt.time | None:
    """A clock time such as ``10:30``, ``10.30``, ``14 Uhr``, ``9h``, ``٩:٣٠``.

    With ``bare_hours=False`` a lone number ("in 2 Wochen") is not a time:
    only "10:30", "10 Uhr", "um 10" and the like count.
    """
    if text is None:
        return None
    value = normalize_digits(str(text)).lower()
    pm = bool(re.search(r"\bp\.?m\.?\b|nachmittag|abends", value))
    for match in _TIME.finditer(value):
        if not bare_hours and match.group(2) is None and not _TIME_WORDS.search(value):
            continue
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if pm and hour < 12:
            hour += 12
        return dt.time(hour, minute)
    return None


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
        _WEEKDAYS[_name] = _index


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


def parse_date(text: str | None, language: str, today: dt.date) -> dt.date | None:
    """A calendar date from what the user wrote ("15.12.2026", "morgen", "завтра").

    Day-first order as written in Germany; relative words resolve against
    ``today``; dates without a year go to the next such day.
    """
    if text is None:
        return None
    value = normalize_digits(str(text)).strip()
    iso = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", value)
    if iso:
        try:
            return dt.date(*map(int, iso.groups()))
        except ValueError:
            return None
    numeric = re.search(r"\b(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2,4}))?\b", value)
    if numeric:
        day, month, year = numeric.groups()
        try:
            if year is None:
                candidate = dt.date(today.year, int(month), int(day))
                if candidate < today:
                    candidate = candidate.replace(year=today.year + 1)
                return candidate
            year_number = int(year) + (2000 if len(year) == 2 else 0)
            return dt.date(year_number, int(month), int(day))
        except ValueError:
            return None
    weekday = _weekday_date(value, today)
    if weekday is not None:
        return weekday
    # The user's language first, then the others: "yarın" typed in a German
    # conversation is still tomorrow.
    languages = [language] + [code for code in LANGUAGES if code != language]
    base = dt.datetime.combine(today, dt.time(12, 0))
    parsed = _date_parser().parse(
        value,
        languages=[code for code in languages if code in LANGUAGES],
        # (dateparser reads these languages' month and day names)
        settings={
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": base,
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return parsed.date() if parsed else None


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[a-zA-Z]{2,}$")


def parse_contact(text: str | None) -> str | None:
    """A phone number or e-mail address, normalised; ``None`` if it is neither."""
    value = clean_text(text)
    if value is None:
        return None
    value = normalize_digits(value)
    if _EMAIL.match(value):
        return value
    # "+49 (0)151 ..." : the (0) is only dialled without the country code.
    value = re.sub(r"^(\+\d{1,3})\s*\(0\)", r"\1", value)
    digits = re.sub(r"[\s()/.-]", "", value)
    if re.fullmatch(r"\+?\d{6,16}", digits):
        return digits
    return None


def strip_accents(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
