"""Chat texts: the user's language, fallback to English then German, unverified notice."""

from __future__ import annotations

import pytest

from bot import LANGUAGES
from bot.content import LocalizedText
from bot.content.render import (
    render_contact_card,
    render_internship,
    render_interpreter_guidelines,
    render_mentoring,
    render_offer,
    render_welcome_center,
)
from bot.texts import get_catalogue

LABELS = get_catalogue().group("card")  # the card labels of data/texts.yml
UNVERIFIED = LABELS["unverified"]


def _offer(content, offer_id):
    return next(o for o in content.offers if o.id == offer_id)


def _internship(content, item_id):
    return next(i for i in content.internships if i.id == item_id)


def test_offer_in_users_language_with_english_fallback(mini):
    text = render_offer(_offer(mini, "kurs-sindelfingen"), "ar")
    lines = text.splitlines()
    assert lines[0] == "دورة ألمانية زيندلفينغن"  # Arabic title exists
    assert lines[1] == "A course in Sindelfingen."  # no Arabic summary: English
    assert "الهاتف: +49 000 0000000" in lines
    assert "البريد الإلكتروني: kurs@example.org" in lines
    assert "الموقع: https://example.org/kurs" in lines
    assert "العنوان: Teststraße 1, Sindelfingen" in lines
    assert UNVERIFIED["ar"] not in text  # verified: true


def test_unverified_offer_shows_the_notice_in_users_language(mini):
    text = render_offer(_offer(mini, "kurs-herrenberg"), "uk")
    assert text.splitlines()[0] == "German course Herrenberg"
    assert text.splitlines()[-1] == "Увага: ці дані ще перевіряються."
    german = render_offer(_offer(mini, "kurs-herrenberg"), "de")
    assert german.splitlines() == [
        "Deutschkurs Herrenberg",
        "Ein Kurs in Herrenberg.",
        "Anbieter: Testanbieter Herrenberg",
        "Wo: Herrenberg",
        "Hinweis: Diese Angaben werden noch geprüft.",
    ]


def test_county_wide_offer_says_so(mini):
    assert "Where: everywhere in the district of Böblingen" in render_offer(
        _offer(mini, "beratung-kreisweit"), "en"
    )


def test_fallback_goes_to_english_then_german():
    both = LocalizedText({"de": "Hallo", "en": "Hello", "tr": "Merhaba"})
    assert both.get("tr") == "Merhaba"
    assert both.get("fa") == "Hello"
    assert both.get(None) == "Hello"
    assert LocalizedText({"de": "Hallo"}).get("ru") == "Hallo"


def test_unknown_language_falls_back_to_english(mini):
    assert render_offer(_offer(mini, "kurs-herrenberg"), "xx").splitlines()[0] == (
        "German course Herrenberg"
    )


def test_every_label_exists_in_all_seven_languages():
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGUAGES), key


def test_internship_shows_fields_ages_and_notice(mini, real_content):
    text = render_internship(_internship(mini, "pflege-boeblingen"), "de")
    assert "Bereiche: Pflege" in text
    assert "Alter: 15 bis 20 Jahre" in text
    assert "Wo: Böblingen" in text
    assert text.endswith("Hinweis: Diese Angaben werden noch geprüft.")
    assert "Age: 14 years and older" in render_internship(
        _internship(mini, "alle-bereiche-kreis"), "en"
    )
    assert "Fields: all fields" in render_internship(_internship(mini, "alle-bereiche-kreis"), "en")
    assert "Возраст: до 17 лет" in render_internship(_internship(mini, "it-kreis"), "ru")
    fsj = render_internship(_internship(real_content, "freiwilliges-soziales-jahr"), "tr")
    assert "Alanlar: Bakım, sağlık ve sosyal hizmet" in fsj
    assert "Yaş: 16-26" in fsj


def test_contact_cards(mini):
    office = render_contact_card(mini.coordination_office, "en")
    assert office.splitlines() == [
        "Koordinierungsstelle Test (Landratsamt Test)",
        "Phone: 0000 000-0",
    ]
    with_summary = render_contact_card(mini.coordination_office, "de", with_summary=True)
    assert "Wir helfen." in with_summary and "Telefon: 0000 000-0" in with_summary
    pool = render_contact_card(mini.interpreter_pool, "fa", with_summary=True)
    assert pool.splitlines()[0] == "Dolmetscher-Pool Test"
    assert pool.splitlines()[-1] == UNVERIFIED["fa"]
    offer_card = render_contact_card(_offer(mini, "kurs-sindelfingen"), "de")
    assert offer_card.splitlines()[0] == "Deutschkurs Sindelfingen"


def test_welcome_center(mini):
    text = render_welcome_center("tr", mini)
    lines = text.splitlines()
    assert lines[:2] == ["Welcome Center Test", "Nitelikli çalışanlar için yardım."]
    assert "• Looking for work." in lines  # service has no Turkish text
    assert lines[-1] == UNVERIFIED["tr"]


def test_mentoring_sections(mini):
    both = render_mentoring("en", mini)
    assert both.startswith("Mentors help.")
    assert "Find a mentor:" in both and "Become a mentor yourself:" in both
    become = render_mentoring("de", mini, section="become")
    assert "Pate werden" in become and "E-Mail: paten@example.org" in become
    assert "Paten finden" not in become
    assert UNVERIFIED["de"] in become
    with pytest.raises(ValueError):
        render_mentoring("de", mini, section="both")


def test_interpreter_guidelines(mini):
    text = render_interpreter_guidelines("fa", mini)
    assert text.startswith("اصول گروه مترجمان")
    assert "Neutral\nStay neutral." in text  # no Persian text: English
    assert text.endswith(UNVERIFIED["fa"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_all_real_content_renders_as_plain_text_in_every_language(real_content, lang):
    texts = [render_offer(o, lang) for o in real_content.offers]
    texts += [render_internship(i, lang) for i in real_content.internships]
    texts += [
        render_welcome_center(lang, real_content),
        render_mentoring(lang, real_content),
        render_interpreter_guidelines(lang, real_content),
        render_contact_card(real_content.interpreter_pool, lang, with_summary=True),
        render_contact_card(real_content.coordination_office, lang, with_summary=True),
    ]
    for text in texts:
        assert text.strip()
        assert "<" not in text and "*" not in text and "None" not in text
    for offer in real_content.offers:
        shown = UNVERIFIED[lang] in render_offer(offer, lang)
        assert shown == (not offer.verified), offer.id


def test_real_offer_in_arabic_is_arabic(real_content):
    text = render_offer(_offer(real_content, "bamf-integrationskurs"), "ar")
    assert text.splitlines()[0] == "دورة الاندماج"
    assert "الموقع: https://www.bamf.de" in text
    assert UNVERIFIED["ar"] not in text
