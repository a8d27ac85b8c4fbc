"""Reply templates: the coordinators' page, and filling a reply from one."""

from __future__ import annotations

import pytest

from bot.casework.templates import ReplyTemplates
from bot.store import RequestStore
from tests.helpers.office import csrf_token, submit, text


@pytest.fixture
def coordinator(signed_in):
    return signed_in("coordinator", "anna")


@pytest.fixture
def templates(database_url: str):
    service = ReplyTemplates(database_url)
    yield service
    service.close()


def test_templates_are_added_changed_and_deleted_through_the_page(coordinator, templates):
    page = submit(
        coordinator,
        "/vorlagen",
        {"category": "interpreter", "title": "Termin bestätigt", "body": "Wir kommen <pünktlich>."},
    )
    assert page.status_code == 302
    html = text(coordinator.get("/vorlagen"))
    assert "Die Vorlage „Termin bestätigt“ ist angelegt." in html
    assert "Dolmetschen" in html and "Wir kommen &lt;pünktlich&gt;." in html
    (template,) = templates.find()

    submit(
        coordinator,
        f"/vorlagen/{template.id}",
        {"category": "", "title": "Termin bestätigt", "body": "Wir kommen pünktlich."},
    )
    changed = templates.get(template.id)
    assert (changed.category, changed.body) == ("", "Wir kommen pünktlich.")
    assert "Alle Kategorien" in text(coordinator.get("/vorlagen"))

    submit(coordinator, "/vorlagen", {}, action=f"/vorlagen/{template.id}/loeschen")
    assert templates.find() == []
    assert "Noch keine Vorlagen." in text(coordinator.get("/vorlagen"))


def test_an_invalid_template_keeps_what_was_typed(coordinator, templates):
    page = submit(coordinator, "/vorlagen", {"category": "", "title": "", "body": "Ein Text"})

    assert page.status_code == 200
    assert "Bitte geben Sie der Vorlage einen Titel." in text(page)
    assert "Ein Text" in text(page)
    assert templates.find() == []


def test_the_request_page_offers_its_categorys_templates(coordinator, templates, database_url):
    general = templates.add("", "Eingang", "Wir haben Ihre Anfrage erhalten.")
    interpreter = templates.add("interpreter", "Dolmetscher", "Ein Dolmetscher kommt.")
    templates.add("internship", "Praktikum", "Schicken Sie uns Ihren Lebenslauf.")
    with RequestStore(database_url) as store:
        reference = store.save_request(
            sender_id="tg-5", channel="telegram", category="interpreter", language="ar"
        ).reference

    page = text(coordinator.get(f"/anfragen/{reference}"))
    assert f'value="{general.id}" data-body="Wir haben Ihre Anfrage erhalten."' in page
    assert f'value="{interpreter.id}"' in page
    assert "Schicken Sie uns Ihren Lebenslauf." not in page

    # Without JavaScript: the picker's GET form fills the reply field.
    filled = text(coordinator.get(f"/anfragen/{reference}?template={interpreter.id}"))
    assert ">Ein Dolmetscher kommt.</textarea>" in filled
    odd = coordinator.get(f"/anfragen/{reference}?template=abc")
    assert odd.status_code == 200
    gone = text(coordinator.get(f"/anfragen/{reference}?template=999999"))
    assert "Diese Vorlage gibt es nicht (mehr)." in gone
    assert csrf_token(gone)
