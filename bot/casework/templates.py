"""Reply templates: texts the office reuses, per category or for all (``category`` empty)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from bot.casework.store import CaseError, NotFound, utcnow
from bot.store.db import LazyDatabase
from bot.store.models import ReplyTemplate
from bot.vocabulary import HANDOFF_CATEGORIES

templates_table = ReplyTemplate.__table__
TITLE_LENGTH = 120
BODY_LENGTH = 4000


@dataclass(frozen=True)
class Template:
    id: int
    category: str  # '' = every category
    title: str
    body: str
    created_at: dt.datetime
    updated_at: dt.datetime | None


class ReplyTemplates(LazyDatabase):
    """Lists, adds, changes and deletes the ``reply_templates`` rows."""

    def find(self, category: str | None = None) -> list[Template]:
        """All templates; with ``category``, those for it and those for every category."""
        query = sa.select(templates_table)
        if category is not None:
            query = query.where(templates_table.c.category.in_((category, "")))
        query = query.order_by(templates_table.c.category, templates_table.c.title)
        with self._get_engine().connect() as connection:
            return [_template(row) for row in connection.execute(query)]

    def get(self, template_id: int) -> Template:
        with self._get_engine().connect() as connection:
            row = connection.execute(
                sa.select(templates_table).where(templates_table.c.id == template_id)
            ).first()
        if row is None:
            raise NotFound("Diese Vorlage gibt es nicht (mehr).")
        return _template(row)

    def add(self, category: str, title: str, body: str) -> Template:
        values = _checked(category, title, body)
        with self._get_engine().begin() as connection:
            result = connection.execute(
                templates_table.insert().values(created_at=utcnow(), **values)
            )
            template_id = int(result.inserted_primary_key[0])
        return self.get(template_id)

    def update(self, template_id: int, category: str, title: str, body: str) -> Template:
        values = _checked(category, title, body)
        with self._get_engine().begin() as connection:
            changed = connection.execute(
                templates_table.update()
                .where(templates_table.c.id == template_id)
                .values(updated_at=utcnow(), **values)
            ).rowcount
        if changed != 1:
            raise NotFound("Diese Vorlage gibt es nicht (mehr).")
        return self.get(template_id)

    def delete(self, template_id: int) -> None:
        with self._get_engine().begin() as connection:
            deleted = connection.execute(
                templates_table.delete().where(templates_table.c.id == template_id)
            ).rowcount
        if deleted != 1:
            raise NotFound("Diese Vorlage gibt es nicht (mehr).")


def _checked(category: str, title: str, body: str) -> dict[str, str]:
    category = (category or "").strip()
    title = (title or "").strip()
    body = (body or "").strip()
    if category and category not in HANDOFF_CATEGORIES:
        raise CaseError("Unbekannte Kategorie.")
    if not title:
        raise CaseError("Bitte geben Sie der Vorlage einen Titel.")
    if len(title) > TITLE_LENGTH:
        raise CaseError(f"Der Titel ist länger als {TITLE_LENGTH} Zeichen.")
    if not body:
        raise CaseError("Der Text der Vorlage ist leer.")
    if len(body) > BODY_LENGTH:
        raise CaseError(f"Der Text ist länger als {BODY_LENGTH} Zeichen.")
    return {"category": category, "title": title, "body": body}


def _template(row: sa.engine.Row) -> Template:
    return Template(row.id, row.category, row.title, row.body, row.created_at, row.updated_at)
