"""Small interface words the actions compose into messages (labels, choices).

Whole sentences live in the Rasa domain (config/domain/*.yml); only words
that are combined with user data at run time live here. Missing entries fall
back to English, then German. Texts other than German and English await
native review (see README, "Languages").
"""

from __future__ import annotations

import re

NATIVE_REVIEW_PENDING = ("ar", "uk", "tr", "fa", "ru")

LABELS: dict[str, dict[str, str]] = {
    "interpreter_language": {
        "de": "Sprache",
        "en": "Language",
        "ar": "اللغة",
        "uk": "Мова",
        "tr": "Dil",
        "fa": "زبان",
        "ru": "Язык",
    },
    "interpreter_dialect": {
        "de": "Dialekt",
        "en": "Dialect",
        "ar": "اللهجة",
        "uk": "Діалект",
        "tr": "Lehçe",
        "fa": "لهجه",
        "ru": "Диалект",
    },
    "appointment_date": {
        "de": "Datum",
        "en": "Date",
        "ar": "التاريخ",
        "uk": "Дата",
        "tr": "Tarih",
        "fa": "تاریخ",
        "ru": "Дата",
    },
    "appointment_time": {
        "de": "Uhrzeit",
        "en": "Time",
        "ar": "الوقت",
        "uk": "Час",
        "tr": "Saat",
        "fa": "ساعت",
        "ru": "Время",
    },
    "appointment_kind": {
        "de": "Art des Termins",
        "en": "Kind of appointment",
        "ar": "نوع الموعد",
        "uk": "Тип зустрічі",
        "tr": "Randevu türü",
        "fa": "نوع قرار ملاقات",
        "ru": "Тип встречи",
    },
    "appointment_place": {
        "de": "Ort",
        "en": "Place",
        "ar": "المكان",
        "uk": "Місце",
        "tr": "Yer",
        "fa": "مکان",
        "ru": "Место",
    },
    "municipality": {
        "de": "Gemeinde",
        "en": "Town",
        "ar": "البلدة",
        "uk": "Населений пункт",
        "tr": "Belediye",
        "fa": "شهر",
        "ru": "Населённый пункт",
    },
    "interpreter_mode": {
        "de": "Vor Ort oder Telefon",
        "en": "On site or by phone",
        "ar": "حضورياً أو بالهاتف",
        "uk": "Особисто чи телефоном",
        "tr": "Yüz yüze veya telefonla",
        "fa": "حضوری یا تلفنی",
        "ru": "Лично или по телефону",
    },
    "contact": {
        "de": "Kontakt",
        "en": "Contact",
        "ar": "التواصل",
        "uk": "Контакт",
        "tr": "İletişim",
        "fa": "تماس",
        "ru": "Контакт",
    },
    "description": {
        "de": "Beschreibung",
        "en": "Description",
        "ar": "الوصف",
        "uk": "Опис",
        "tr": "Açıklama",
        "fa": "توضیحات",
        "ru": "Описание",
    },
    "none": {
        "de": "keine Angabe",
        "en": "not given",
        "ar": "غير محدد",
        "uk": "не вказано",
        "tr": "belirtilmedi",
        "fa": "مشخص نشده",
        "ru": "не указано",
    },
    "chat": {
        "de": "Antwort hier im Chat",
        "en": "answer here in the chat",
        "ar": "الرد هنا في المحادثة",
        "uk": "відповідь тут у чаті",
        "tr": "cevap burada sohbette",
        "fa": "پاسخ همین‌جا در چت",
        "ru": "ответ здесь в чате",
    },
    "all_municipalities": {
        "de": "ganzer Landkreis",
        "en": "whole county",
        "ar": "المنطقة كلها",
        "uk": "увесь район",
        "tr": "tüm bölge",
        "fa": "کل منطقه",
        "ru": "весь район",
    },
}

CHOICES: dict[str, dict[str, dict[str, str]]] = {
    "appointment_kind": {
        "health": {
            "de": "Arzt oder Krankenhaus",
            "en": "doctor or hospital",
            "ar": "طبيب أو مستشفى",
            "uk": "лікар або лікарня",
            "tr": "doktor veya hastane",
            "fa": "دکتر یا بیمارستان",
            "ru": "врач или больница",
        },
        "authority": {
            "de": "Amt",
            "en": "authority",
            "ar": "دائرة حكومية",
            "uk": "державна установа",
            "tr": "resmi daire",
            "fa": "اداره",
            "ru": "государственное учреждение",
        },
        "school": {
            "de": "Schule oder Kita",
            "en": "school or day care",
            "ar": "مدرسة أو روضة",
            "uk": "школа або дитячий садок",
            "tr": "okul veya kreş",
            "fa": "مدرسه یا مهدکودک",
            "ru": "школа или детский сад",
        },
        "counselling": {
            "de": "Beratung",
            "en": "counselling",
            "ar": "استشارة",
            "uk": "консультація",
            "tr": "danışma",
            "fa": "مشاوره",
            "ru": "консультация",
        },
        "other": {
            "de": "etwas anderes",
            "en": "something else",
            "ar": "شيء آخر",
            "uk": "щось інше",
            "tr": "başka bir şey",
            "fa": "چیز دیگر",
            "ru": "что-то другое",
        },
    },
    "interpreter_mode": {
        "on_site": {
            "de": "vor Ort",
            "en": "on site",
            "ar": "حضورياً",
            "uk": "особисто",
            "tr": "yüz yüze",
            "fa": "حضوری",
            "ru": "лично",
        },
        "phone": {
            "de": "am Telefon",
            "en": "by phone",
            "ar": "بالهاتف",
            "uk": "телефоном",
            "tr": "telefonla",
            "fa": "تلفنی",
            "ru": "по телефону",
        },
    },
}

# Typed answers for choices that usually come from buttons.
CHOICE_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "appointment_kind": {
        "health": (
            "arzt",
            "ärztin",
            "krankenhaus",
            "klinik",
            "doctor",
            "hospital",
            "طبيب",
            "دكتور",
            "مستشفى",
            "лікар",
            "лікарня",
            "врач",
            "больница",
            "doktor",
            "hastane",
            "دکتر",
            "بیمارستان",
            "praxis",
        ),
        "authority": (
            "amt",
            "behörde",
            "ausländerbehörde",
            "jobcenter",
            "rathaus",
            "landratsamt",
            "authority",
            "office",
            "دائرة",
            "مكتب",
            "جوب سنتر",
            "відомство",
            "джобцентр",
            "ведомство",
            "daire",
            "kurum",
            "اداره",
            "jobcenters",
        ),
        "school": (
            "schule",
            "kita",
            "kindergarten",
            "school",
            "مدرسة",
            "روضة",
            "школа",
            "садок",
            "сад",
            "okul",
            "kreş",
            "مدرسه",
            "مهدکودک",
        ),
        "counselling": (
            "beratung",
            "counselling",
            "counseling",
            "advice",
            "استشارة",
            "консультація",
            "консультация",
            "danışma",
            "مشاوره",
        ),
    },
    "interpreter_mode": {
        "on_site": (
            "vor ort",
            "persönlich",
            "on site",
            "in person",
            "حضوري",
            "شخصيا",
            "особисто",
            "на місці",
            "лично",
            "на месте",
            "yüz yüze",
            "yerinde",
            "حضوری",
        ),
        "phone": (
            "telefon",
            "phone",
            "hatif",
            "هاتف",
            "تلفون",
            "телефон",
            "по телефону",
            "telefonla",
            "تلفن",
            "تلفنی",
        ),
    },
}


def _pick(entry: dict[str, str], language: str) -> str:
    if entry.get(language):
        return entry[language]
    # Not curated in this language: the text `welcome content translate` prepared.
    from bot.translation.prepared import prepared_translation

    return prepared_translation(entry, language) or entry.get("en") or entry.get("de") or ""


def label(key: str, language: str) -> str:
    return _pick(LABELS.get(key, {}), language) or key


def choice_label(kind: str, value: str | None, language: str) -> str:
    if value is None:
        return label("none", language)
    entry = CHOICES.get(kind, {}).get(value)
    return _pick(entry, language) if entry else value


def _word_matches(keyword: str, words: list[str]) -> bool:
    """A keyword matches a word that is it, ends with it, or (if long) contains it.

    "Kinderarzt" ends with "arzt", Arabic "بالهاتف" contains "هاتف"; a short
    keyword like "amt" still never matches inside "zusammen".
    """
    return any(
        word == keyword
        or (len(keyword) >= 3 and word.endswith(keyword))
        or (len(keyword) >= 4 and keyword in word)
        for word in words
    )


def match_choice(kind: str, text: str | None) -> str | None:
    """The choice id a typed answer means (``"Arzt"`` -> ``"health"``), if any."""
    if not text:
        return None
    lowered = text.casefold().strip(" .!?،؟")
    choices = CHOICES.get(kind, {})
    if lowered in choices:
        return lowered
    # A button label typed back, in any language.
    for value, labels in choices.items():
        if lowered in (label_text.casefold() for label_text in labels.values()):
            return value
    words = re.findall(r"[^\W_]+", lowered)
    phrases = [" ".join(words)]
    for value, keywords in CHOICE_KEYWORDS.get(kind, {}).items():
        for keyword in keywords:
            if " " in keyword:
                if keyword in phrases[0]:
                    return value
            elif _word_matches(keyword, words):
                return value
    return None


_CHAT_WORDS = ("chat", "чат", "sohbet", "محادثة", "المحادثة", "دردشة", "چت", "hier", "here")


def means_chat(text: str | None) -> bool:
    """Whether a typed contact answer asks for the reply here in the chat."""
    if not text:
        return False
    lowered = text.casefold().strip(" .!?")
    if lowered in (entry.casefold() for entry in LABELS["chat"].values()):
        return True
    words = re.findall(r"[^\W_]+", lowered)
    return len(words) <= 5 and any(word in _CHAT_WORDS for word in words)
