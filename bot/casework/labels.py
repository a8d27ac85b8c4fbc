"""German names of what the office shows: categories, fields, channels, history entries.

The office reads German; the stored values stay the code names the dialogue
and the store use (:mod:`bot.vocabulary`), these are only for display.
"""

from __future__ import annotations

from bot.casework.store import STATUS_LABELS

__all__ = [
    "CATEGORY_LABELS",
    "CHANNEL_LABELS",
    "DELIVERY_LABELS",
    "ENTRY_LABELS",
    "FIELD_LABELS",
    "HOLDER_LABELS",
    "STATUS_LABELS",
    "category_label",
    "label",
]

CATEGORY_LABELS = {
    "interpreter": "Dolmetschen",
    "human": "Persönliche Beratung",
    "welcome_center_referral": "Welcome Center",
    "internship": "Praktikum",
    "mentoring_find": "Patenschaft gesucht",
    "mentoring_become": "Pate/Patin werden",
    "fallback": "Sonstiges (nicht verstanden)",
}

CHANNEL_LABELS = {
    "telegram": "Telegram",
    "webchat": "Web-Chat",
    "rest": "REST/Test",
}

HOLDER_LABELS = {
    "mine": "Meine",
    "unclaimed": "Nicht übernommen",
    "others": "Bei Kolleg:innen",
}

#: The collected fields, in the order the detail page shows them first.
FIELD_LABELS = {
    "interpreter_language": "Sprache für die Dolmetschung",
    "interpreter_dialect": "Dialekt",
    "appointment_date": "Termin: Datum",
    "appointment_time": "Termin: Uhrzeit",
    "appointment_kind": "Termin: Art",
    "appointment_place": "Termin: Ort",
    "municipality": "Gemeinde",
    "interpreter_mode": "Form der Dolmetschung",
    "contact": "Kontakt",
    "contact_as_written": "Kontakt (wie geschrieben)",
    "description": "Beschreibung",
    "handoff_note": "Anliegen",
    "age": "Alter",
    "internship_field": "Praktikumsbereich",
}

ENTRY_LABELS = {
    "created": "Eingegangen",
    "claimed": "Übernommen",
    "released": "Zurückgegeben",
    "assigned": "Zugewiesen",
    "status": "Status geändert",
    "reply": "Antwort",
    "newcomer": "Nachricht der Person",
    "note": "Notiz (intern)",
    "notice": "Benachrichtigung an die Person",
    "interpreter_assigned": "Dolmetscher:in zugewiesen",
    "interpreter_cancelled": "Dolmetscher:in abgesagt",
    "email": "E-Mail",
}

DELIVERY_LABELS = {
    "pending": "wartet auf Zustellung",
    "sent": "zugestellt",
    "failed": "nicht zustellbar",
    "emailed": "per E-Mail gesendet",
}


def label(labels: dict[str, str], value: str | None) -> str:
    """The German name of ``value`` (the value itself when there is none)."""
    if value is None:
        return ""
    return labels.get(value, value)


def category_label(category: str) -> str:
    """The German name of ``category`` (an unknown one as it is)."""
    return CATEGORY_LABELS.get(category, category)
