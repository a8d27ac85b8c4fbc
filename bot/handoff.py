"""What a handoff to the coordination office carries: category, fields, excerpt."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from bot.answers import clean_text
from bot.vocabulary import HANDOFF_CATEGORIES, INTERPRETER_FIELDS

# Which question the user said "yes" to decides the category of a handoff.
CATEGORY_AFTER_ACTION = {
    "action_show_welcome_center": "welcome_center_referral",
    "action_show_internships": "internship",
    "action_handle_fallback": "fallback",
}

# Categories where the user is asked what it is about (others carry their fields).
CATEGORIES_WITH_NOTE = ("human", "fallback", "mentoring_find", "mentoring_become")


def _with_contact_as_written(fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` with ``contact_as_written`` right after ``contact``.

    The contact is stored normalised (a number in E.164, the office dials it
    as it is) and next to it what the user wrote, which may say more
    ("Telefon 0151 23456789, ab 17 Uhr").
    """
    at = fields.index("contact") + 1
    return (*fields[:at], "contact_as_written", *fields[at:])


# Slots each category stores; nothing else leaves the conversation.
FIELDS_BY_CATEGORY = {
    category: _with_contact_as_written(fields)
    for category, fields in {
        "interpreter": INTERPRETER_FIELDS,
        "internship": ("age", "internship_field", "municipality", "contact"),
        "welcome_center_referral": ("municipality", "contact"),
        "mentoring_find": ("municipality", "contact", "handoff_note"),
        "mentoring_become": ("municipality", "contact", "handoff_note"),
        "human": ("municipality", "contact", "handoff_note"),
        "fallback": ("municipality", "contact", "handoff_note"),
    }.items()
}

EXCERPT_MAX_CHARS = 500


def normalize_category(value: str | None) -> str:
    return value if value in HANDOFF_CATEGORIES else "human"


def collect_fields(category: str, slots: Mapping[str, object]) -> dict[str, object]:
    """The slots a request of ``category`` stores, without empty ones."""
    return {
        name: slots[name]
        for name in FIELDS_BY_CATEGORY.get(category, ())
        if slots.get(name) not in (None, "", "-")
    }


def conversation_excerpt(events: Iterable[Mapping], max_messages: int) -> list[dict[str, str]]:
    """The last ``max_messages`` user and bot messages, as the office reads them.

    Button clicks arrive as payloads ("/request_human{...}"); they are shown
    as the intent they stand for instead of raw JSON.
    """
    messages: list[dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        text = event.get("text") or ""
        if kind == "user" and text.startswith("/"):
            text = f"[{text[1:].split('{', 1)[0]}]"
        cleaned = clean_text(text[:EXCERPT_MAX_CHARS], max_chars=EXCERPT_MAX_CHARS)
        if cleaned:
            messages.append({"role": kind, "text": cleaned})
    return messages[-max_messages:] if max_messages > 0 else []


# Answers the user types in their own words; the office reads German, so these
# get a German machine translation next to the original (``<field>_de``).
FREE_TEXT_FIELDS = (
    "description",
    "handoff_note",
    "appointment_place",
    "appointment_kind",
    "interpreter_dialect",
)
GERMAN_SUFFIX = "_de"


def add_german_translations(
    fields: dict[str, object],
    excerpt: list[dict[str, str]],
    translate: Callable[[list[str]], list[str] | None],
) -> tuple[dict[str, object], list[dict[str, str]]]:
    """Fields and excerpt with German translations of what the user wrote.

    ``translate`` turns a list of texts in the user's language into German
    (``None`` when it cannot: then nothing is added).
    The originals stay: a machine translation helps the office read, the
    user's own words remain the record. Bot messages are not translated back:
    the office knows what the assistant says.
    """
    field_names = [name for name in FREE_TEXT_FIELDS if isinstance(fields.get(name), str)]
    user_turns = [
        index
        for index, turn in enumerate(excerpt)
        if turn["role"] == "user" and not turn["text"].startswith("[")
    ]
    sources = [str(fields[name]) for name in field_names] + [excerpt[i]["text"] for i in user_turns]
    if not sources:
        return fields, excerpt
    german = translate(sources)
    if german is None:
        return fields, excerpt
    fields = dict(fields)
    for name, text in zip(field_names, german, strict=False):
        fields[name + GERMAN_SUFFIX] = text
    excerpt = [dict(turn) for turn in excerpt]
    for index, text in zip(user_turns, german[len(field_names) :], strict=False):
        excerpt[index]["text_de"] = text
    return fields, excerpt
