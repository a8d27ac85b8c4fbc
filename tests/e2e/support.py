"""Helpers for the end-to-end tests: a chat through the real REST channel and
the bot's responses as written in the domain (to recognise a question and the
language it was asked in without copying texts into the tests)."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import yaml

from bot.commands.service import rest_headers
from bot.settings import PROJECT_ROOT
from bot.store import RequestStore, StoredRequest

DOMAIN_DIR = PROJECT_ROOT / "config" / "domain"

# Words that must never reach a user: they mean an error leaked into a reply.
LEAK_MARKERS = ("Traceback", "Exception")


# --- the domain's responses -------------------------------------------------


@lru_cache(maxsize=1)
def _responses() -> dict[str, list[dict[str, Any]]]:
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses.update(data.get("responses") or {})
    return responses


def response_text(name: str, language: str) -> str:
    """The text of response ``name`` in ``language`` (German has no condition)."""
    for variation in _responses()[name]:
        languages = [
            condition.get("value")
            for condition in variation.get("condition") or []
            if condition.get("name") == "language"
        ]
        if languages == [language] or (not languages and language == "de"):
            return variation["text"]
    raise KeyError(f"{name} has no text in {language}")


def fixed_part(name: str, language: str) -> str:
    """The text of a response up to its first placeholder."""
    return response_text(name, language).split("{", 1)[0].strip()


def is_response(message: dict | str, name: str, language: str) -> bool:
    text = message if isinstance(message, str) else (message.get("text") or "")
    return text.strip().startswith(fixed_part(name, language))


# --- talking to the assistant -----------------------------------------------


def post_message(
    base_url: str,
    sender: str,
    text: str,
    timeout: float = 60,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    metadata: dict | None = None,
) -> tuple[int, str]:
    """POST one message to the REST channel; the HTTP status and the raw body.

    ``token`` is the assistant's WELCOME_REST_TOKEN; ``headers`` are added as
    given; ``metadata`` is what a client sends along (``language_hint``).
    """
    body: dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps(body).encode("utf-8"),
        headers={**rest_headers(token), **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def texts(messages: list[dict]) -> list[str]:
    return [message.get("text") or "" for message in messages]


def payloads(messages: list[dict]) -> list[str]:
    return [button["payload"] for message in messages for button in message.get("buttons") or []]


def transcript(messages: list[dict]) -> str:
    """Readable replies for assertion messages."""
    return "\n".join(f"  bot: {text!r}" for text in texts(messages)) or "  (no reply)"


@dataclass
class Chat:
    """One conversation (one sender id) with the running assistant."""

    base_url: str
    sender: str
    token: str | None = None  # the assistant's WELCOME_REST_TOKEN
    history: list[tuple[str, list[dict]]] = field(default_factory=list)

    def say(self, text: str, metadata: dict | None = None) -> list[dict]:
        """Send ``text`` (and the client's ``metadata``); the bot's replies (HTTP 200)."""
        status, body = post_message(
            self.base_url, self.sender, text, token=self.token, metadata=metadata
        )
        assert status == 200, f"HTTP {status} for {text[:80]!r}: {body[:500]}"
        messages = json.loads(body)
        assert isinstance(messages, list), body[:500]
        self.history.append((text, messages))
        return messages

    def all_replies(self) -> list[dict]:
        return [message for _, messages in self.history for message in messages]


def assert_polite(messages: list[dict], said: str = "") -> None:
    """At least one non-empty text, and no error text in any reply."""
    replies = texts(messages)
    assert any(text.strip() for text in replies), f"no text reply to {said[:80]!r}"
    for text in replies:
        for marker in LEAK_MARKERS:
            assert marker not in text, f"{marker!r} in the reply to {said[:80]!r}: {text[:300]}"


def assert_asks(messages: list[dict], response: str, language: str, said: str = "") -> None:
    """The bot's last message is ``response`` in ``language``."""
    assert messages, f"no reply to {said!r}; expected {response} ({language})"
    assert is_response(messages[-1], response, language), (
        f"after {said!r} expected {response} in {language!r} "
        f"({fixed_part(response, language)[:60]!r}…), got:\n{transcript(messages)}"
    )


def assert_says(messages: list[dict], response: str, language: str, said: str = "") -> None:
    """One of the bot's messages is ``response`` in ``language``."""
    assert any(is_response(message, response, language) for message in messages), (
        f"after {said!r} expected {response} in {language!r} "
        f"({fixed_part(response, language)[:60]!r}…), got:\n{transcript(messages)}"
    )


# --- the interpreter request --------------------------------------------------


def appointment_day() -> dt.date:
    """A date safely in the future (the form rejects dates in the past)."""
    return dt.date.today() + dt.timedelta(days=45)


# The questions of the interpreter form in order, and the response asking each.
INTERPRETER_QUESTIONS = {
    "interpreter_language": "utter_ask_interpreter_language",
    "interpreter_dialect": "utter_ask_interpreter_dialect",
    "appointment_date": "utter_ask_appointment_date",
    "appointment_time": "utter_ask_appointment_time",
    "appointment_kind": "utter_ask_appointment_kind",
    "appointment_place": "utter_ask_appointment_place",
    "municipality": "utter_ask_municipality",
    "interpreter_mode": "utter_ask_interpreter_mode",
    "consent": "utter_ask_consent",
    "contact": "utter_ask_contact",
    "description": "utter_ask_description",
    "interpreter_confirmed": "utter_interpreter_summary",
}


def interpreter_answers(language: str) -> dict[str, str]:
    """What a user writing ``language`` types, question by question ("start" first)."""
    date = appointment_day().strftime("%d.%m.%Y")
    answers = {
        "de": {
            "start": "Ich brauche einen Dolmetscher für einen Termin beim Arzt",
            "interpreter_language": "Arabisch",
            "interpreter_dialect": "nein",
            "appointment_date": date,
            "appointment_time": "10:30",
            "appointment_kind": "Arzt",
            "appointment_place": "Praxis Dr. Muster, Bahnhofstraße 1",
            "municipality": "Sindelfingen",
            "interpreter_mode": "vor Ort",
            "consent": "ja",
            "contact": "0151 23456789",
            "description": "Untersuchung beim Hausarzt wegen Rückenschmerzen",
            "interpreter_confirmed": "ja",
        },
        "en": {
            "start": "I need an interpreter for a doctor appointment",
            "interpreter_language": "Arabic",
            "interpreter_dialect": "no",
            "appointment_date": date,
            "appointment_time": "10:30",
            "appointment_kind": "Doctor",
            "appointment_place": "City hospital, Main street 5",
            "municipality": "Böblingen",
            "interpreter_mode": "on site",
            "consent": "yes",
            "contact": "0151 23456789",
            "description": "A check-up with my family doctor about my back pain",
            "interpreter_confirmed": "yes",
        },
        "ar": {
            "start": "أحتاج مترجمًا لموعد عند الطبيب",
            "interpreter_language": "العربية",
            "interpreter_dialect": "لا",
            "appointment_date": date,
            "appointment_time": "10:30",
            "appointment_kind": "طبيب",
            "appointment_place": "عيادة الدكتور في شارع المحطة",
            "municipality": "Böblingen",
            "interpreter_mode": "حضوري",
            "consent": "نعم",
            "contact": "0151 23456789",
            "description": "فحص عند طبيب العائلة بسبب ألم في الظهر",
            "interpreter_confirmed": "نعم",
        },
        "uk": {
            "start": "Мені потрібен перекладач на прийом до лікаря",
            "interpreter_language": "арабська",
            "interpreter_dialect": "ні",
            "appointment_date": date,
            "appointment_time": "10:30",
            "appointment_kind": "лікар",
            "appointment_place": "Лікарня, вулиця Головна 5",
            "municipality": "Böblingen",
            "interpreter_mode": "особисто",
            "consent": "так",
            "contact": "0151 23456789",
            "description": "Огляд у сімейного лікаря через біль у спині",
            "interpreter_confirmed": "так",
        },
        "tr": {
            "start": "Doktor randevusu için tercümana ihtiyacım var",
            "interpreter_language": "Arapça",
            "interpreter_dialect": "hayır",
            "appointment_date": date,
            "appointment_time": "10:30",
            "appointment_kind": "doktor",
            "appointment_place": "Şehir hastanesi, Ana cadde 5",
            "municipality": "Böblingen",
            "interpreter_mode": "yüz yüze",
            "consent": "evet",
            "contact": "0151 23456789",
            "description": "Sırt ağrısı için aile doktorunda muayene",
            "interpreter_confirmed": "evet",
        },
        "fa": {
            "start": "برای وقت دکتر به مترجم نیاز دارم",
            "interpreter_language": "عربی",
            "interpreter_dialect": "نه",
            "appointment_date": date,
            "appointment_time": "10:30",
            "appointment_kind": "دکتر",
            "appointment_place": "بیمارستان شهر، خیابان اصلی ۵",
            "municipality": "Böblingen",
            "interpreter_mode": "حضوری",
            "consent": "بله",
            "contact": "0151 23456789",
            "description": "معاینه پیش پزشک خانواده به خاطر کمردرد",
            "interpreter_confirmed": "بله",
        },
        "ru": {
            "start": "Мне нужен переводчик на приём к врачу",
            "interpreter_language": "арабский",
            "interpreter_dialect": "нет",
            "appointment_date": date,
            "appointment_time": "10:30",
            "appointment_kind": "врач",
            "appointment_place": "Больница, улица Главная 5",
            "municipality": "Böblingen",
            "interpreter_mode": "лично",
            "consent": "да",
            "contact": "0151 23456789",
            "description": "Осмотр у семейного врача из-за боли в спине",
            "interpreter_confirmed": "да",
        },
    }
    return dict(answers[language])


REFERENCE = re.compile(r"\bWL-[A-Z0-9]{6}\b")


def reference_in(messages: list[dict]) -> str:
    """The one reference number (WL-XXXXXX) the bot told the user."""
    found = [match for text in texts(messages) for match in REFERENCE.findall(text)]
    assert len(found) == 1, f"expected one reference WL-XXXXXX:\n{transcript(messages)}"
    return found[0]


def fill_interpreter_form(
    chat: Chat,
    language: str,
    until: str | None = None,
    answers: dict[str, str] | None = None,
    resume: str | None = None,
) -> list[dict]:
    """Start an interpreter request and answer each question before ``until``.

    Checks on the way that every question comes in ``language``. Returns the
    replies to the last message sent: they ask ``until`` (or, without
    ``until``, confirm the whole request). ``resume`` goes on in a request
    that is asking that question now, instead of starting one.
    """
    answers = {**interpreter_answers(language), **(answers or {})}
    questions = list(INTERPRETER_QUESTIONS.items())
    if resume is None:
        said = answers["start"]
        messages = chat.say(said)
    else:
        questions = questions[[slot for slot, _ in questions].index(resume) :]
        said = answers[resume]
        messages = chat.say(said)
        questions = questions[1:]
    for slot, question in questions:
        assert_asks(messages, question, language, said)
        if slot == until:
            return messages
        said = answers[slot]
        messages = chat.say(said)
    return messages


# --- what the database holds ------------------------------------------------


def requests_of(store: RequestStore, sender: str) -> list[StoredRequest]:
    return [request for request in store.list_requests() if request.sender_id == sender]


def stored_events(database_url: str, sender: str) -> list[str]:
    """The raw `data` column of every row of Rasa's `events` table for ``sender``."""
    engine = sa.create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"),
                {"sender": sender},
            )
            return [data for (data,) in rows]
    finally:
        engine.dispose()
