"""The office names content problems in German, next to the field (the CLI keeps English)."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from bot.content.loader import load_content_from_texts
from bot.content.models import ContentError
from bot.content.store import read_dir
from bot.office.content_messages import german_issue, german_message
from tests.helpers.html_forms import filled
from tests.office.conftest import CONTENT_DIR
from tests.office.test_content_editor import OFFER, entry_form, page, submit

FAQ = "/inhalte/faq/wohnsitz-anmelden"


def field_errors(shown: str, field_id: str) -> list[str]:
    """The messages shown next to the form field ``field_id``."""
    block = shown.split(f'id="{field_id}-errors"', 1)
    if len(block) == 1:
        return []
    return re.findall(r"<li>([^<]*)</li>", block[1].split("</ul>", 1)[0])


def refused(client, url: str, data: MultiDict) -> str:
    response = submit(client, url, data)
    assert response.status_code == 422
    return page(response)


def test_contact_and_text_problems_are_named_in_german_next_to_the_field(editor):
    data = filled(
        entry_form(editor, OFFER),
        title__en="",
        contact__email="kurs at bamf",
        contact__phone="Ruf an",
        contact__website="www.bamf.de",
    )

    shown = refused(editor, OFFER, data)

    assert field_errors(shown, "field-contact-email") == [
        "„kurs at bamf“ ist keine E-Mail-Adresse."
    ]
    assert "ist keine Telefonnummer" in field_errors(shown, "field-contact-phone")[0]
    assert field_errors(shown, "field-contact-website") == [
        "„www.bamf.de“ ist keine Webadresse; sie muss mit https:// beginnen."
    ]
    assert field_errors(shown, "field-title-en") == [
        "Der Text auf Englisch (en) fehlt (Deutsch und Englisch sind Pflicht)."
    ]
    for english in ("not an e-mail address", "not a phone number", "missing English text"):
        assert english not in shown


def test_a_wrong_id_a_taken_id_an_unknown_town_and_topic_are_named_in_german(editor):
    new_offer = "/inhalte/offers/neu?bereich=offers"
    form = entry_form(editor, OFFER)
    data = filled(form, id="Bibliotheks Ausweis")
    data.setlist("municipalities", ["Ehningen", "Atlantis"])
    data.setlist("topics", ["language_course", "zauberei"])

    shown = refused(editor, new_offer, data)

    assert field_errors(shown, "field-id") == [
        "„Bibliotheks Ausweis“ ist keine gültige Kennung: nur Kleinbuchstaben a-z, Ziffern, "
        "„-“ und „_“, ohne Leerzeichen und Umlaute (z. B. „vhs-herrenberg“)."
    ]
    assert "Unbekannter Ort „Atlantis“." in field_errors(shown, "field-municipalities")[0]
    assert field_errors(shown, "field-topics")[0].startswith("Unbekanntes Thema „zauberei“.")

    taken = refused(editor, new_offer, filled(form, id="bamf-integrationskurs"))

    assert "Die Kennung „bamf-integrationskurs“ gibt es schon" in taken
    assert "duplicate id" not in taken


def test_an_faq_without_enough_examples_is_refused_in_german(editor):
    form = entry_form(editor, FAQ)
    data = filled(form, examples__de=form["examples.de"].splitlines()[0])

    shown = refused(editor, FAQ, data)

    assert field_errors(shown, "field-examples-de") == [
        "Mindestens 2 deutsche Beispielfragen nötig (bisher 1)."
    ]
    for key in [key for key in data if key.startswith("examples.")]:
        data.setlist(key, [""])
    assert field_errors(refused(editor, FAQ, data), "field-examples") == [
        "Pflichtfeld: bitte ausfüllen."
    ]


@pytest.mark.parametrize(
    ("change", "german"),
    [
        (("    de:", "    xx:"), "Unbekannte Sprache „xx“."),
        (("    verified:", "    verifed:"), "Unbekanntes Feld „verifed“. Meinten Sie „verified“?"),
    ],
)
def test_the_catalogue_says_the_loaders_problems_in_german_and_the_cli_keeps_english(
    change: tuple[str, str], german: str
) -> None:
    texts = read_dir(CONTENT_DIR)
    texts["offers.yml"] = texts["offers.yml"].replace(*change, 1)

    with pytest.raises(ContentError) as raised:
        load_content_from_texts(texts)

    issue = raised.value.issues[0]
    assert german_message(issue).startswith(german)
    assert german_issue(issue).startswith("offers.yml, Eintrag „")
    # The CLI (welcome content check) still prints the English message.
    assert german_message(issue) not in str(raised.value)
