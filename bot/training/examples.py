"""Intent examples staff add in the office (table ``office_training_examples``).

They join the repository's ``data/nlu`` at the next training (:mod:`bot.training.data`).
Texts come from staff, or from unanswered questions after masking
(:func:`bot.masking.mask_personal_data`); no sender is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import yaml

from bot.settings import PROJECT_ROOT
from bot.store.db import LazyDatabase
from bot.store.models import UTCDateTime

DOMAIN_DIR = PROJECT_ROOT / "config" / "domain"
#: Languages whose examples the model is trained on (data/nlu/<language>).
TRAINED_LANGUAGES = tuple(
    sorted(path.name for path in (PROJECT_ROOT / "data" / "nlu").iterdir() if len(path.name) == 2)
)
MAX_EXAMPLE_CHARS = 300

_metadata = sa.MetaData()
office_training_examples_table = sa.Table(
    "office_training_examples",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("intent", sa.String(100), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("added_at", UTCDateTime(), nullable=False),
)


class ExampleError(ValueError):
    """An example that cannot be trained; the message names the field (German, for staff)."""


@dataclass(frozen=True)
class TrainingExample:
    intent: str
    language: str
    text: str
    added_by: str
    added_at: dt.datetime


def domain_intents(domain_dir: Path = DOMAIN_DIR) -> set[str]:
    intents: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        for intent in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            intents.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return intents


def check_example(intent: str, language: str, text: str) -> str:
    """The example's text as it will be trained; ExampleError names what is wrong."""
    if intent not in domain_intents():
        raise ExampleError(f"Absicht (intent): {intent!r} gibt es im Assistenten nicht.")
    if language not in TRAINED_LANGUAGES:
        raise ExampleError(
            f"Sprache: {language!r} wird nicht trainiert (möglich: {', '.join(TRAINED_LANGUAGES)})."
        )
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise ExampleError("Beispielsatz: Der Text ist leer.")
    if len(cleaned) > MAX_EXAMPLE_CHARS:
        raise ExampleError(f"Beispielsatz: höchstens {MAX_EXAMPLE_CHARS} Zeichen.")
    if any(mark in cleaned for mark in "[]{}"):
        # Rasa reads [text](entity) and {"entity": ...} as annotations.
        raise ExampleError("Beispielsatz: eckige und geschweifte Klammern sind nicht erlaubt.")
    return cleaned


class TrainingExamples(LazyDatabase):
    """Reading and adding the office's intent examples."""

    def add(self, intent: str, language: str, text: str, added_by: str) -> TrainingExample:
        cleaned = check_example(intent, language, text)
        example = TrainingExample(
            intent, language, cleaned, added_by, dt.datetime.now(dt.timezone.utc)
        )
        with self._get_engine().begin() as connection:
            connection.execute(
                office_training_examples_table.insert().values(
                    intent=intent,
                    language=language,
                    text=cleaned,
                    added_by=added_by,
                    added_at=example.added_at,
                )
            )
        return example

    def all(self) -> list[TrainingExample]:
        table = office_training_examples_table
        with self._get_engine().connect() as connection:
            rows = connection.execute(
                sa.select(
                    table.c.intent,
                    table.c.language,
                    table.c.text,
                    table.c.added_by,
                    table.c.added_at,
                ).order_by(table.c.id)
            ).all()
        return [TrainingExample(*row) for row in rows]
