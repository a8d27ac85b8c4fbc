"""Reply templates the office reuses, per category or for all."""

from __future__ import annotations

import pytest

from bot.casework.store import CaseError, NotFound
from bot.casework.templates import ReplyTemplates


@pytest.fixture
def templates(database_url: str):
    service = ReplyTemplates(database_url)
    yield service
    service.close()


def test_templates_for_a_category_include_those_for_every_category(templates):
    general = templates.add("", "Eingangsbestätigung", "Wir haben Ihre Anfrage erhalten.")
    interpreter = templates.add("interpreter", "Dolmetscher gefunden", "Wir haben jemanden.")
    templates.add("internship", "Praktikum", "Bitte schicken Sie Ihren Lebenslauf.")

    assert [t.title for t in templates.find("interpreter")] == [
        general.title,
        interpreter.title,
    ]
    assert len(templates.find()) == 3


def test_a_template_is_changed_and_deleted(templates):
    template = templates.add("human", "Rückruf", "Wir rufen Sie an.")

    changed = templates.update(template.id, "", "Rückruf (alle)", "Wir rufen Sie morgen an.")
    assert (changed.category, changed.title, changed.body) == (
        "",
        "Rückruf (alle)",
        "Wir rufen Sie morgen an.",
    )
    assert changed.updated_at is not None

    templates.delete(template.id)
    assert templates.find() == []
    with pytest.raises(NotFound):
        templates.get(template.id)
    with pytest.raises(NotFound):
        templates.delete(template.id)


@pytest.mark.parametrize(
    ("category", "title", "body", "message"),
    [
        ("nonsense", "Titel", "Text", "Unbekannte Kategorie"),
        ("", "  ", "Text", "Titel"),
        ("", "Titel", "", "leer"),
        ("", "T" * 121, "Text", "länger"),
    ],
)
def test_invalid_templates_are_refused_in_german(templates, category, title, body, message):
    with pytest.raises(CaseError, match=message):
        templates.add(category, title, body)
    assert templates.find() == []
