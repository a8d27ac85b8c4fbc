"""The real data/content loads, is complete and honest about what is unverified."""

from __future__ import annotations

import pytest

from bot import LANGUAGES
from bot.content import TOPICS, get_content
from bot.content.models import REQUIRED_LANGUAGES

BRIEF_MUNICIPALITIES = [
    "Aidlingen", "Altdorf", "Böblingen", "Bondorf", "Deckenpfronn", "Ehningen", "Gärtringen",
    "Gäufelden", "Grafenau", "Herrenberg", "Hildrizhausen", "Holzgerlingen", "Jettingen",
    "Leonberg", "Magstadt", "Mötzingen", "Nufringen", "Renningen", "Rutesheim", "Schönaich",
    "Sindelfingen", "Steinenbronn", "Waldenbuch", "Weil der Stadt", "Weil im Schönbuch",
    "Weissach",
]  # fmt: skip


def test_real_content_loads_with_expected_sizes(real_content):
    assert 6 <= len(real_content.offers) <= 10
    assert 5 <= len(real_content.internships) <= 8
    assert real_content.welcome_center.services
    assert real_content.mentoring.find_mentor and real_content.mentoring.become_mentor
    assert real_content.interpreter_pool.guidelines


def test_default_directory_comes_from_settings():
    get_content.cache_clear()
    try:
        assert len(get_content().municipality_names) == 26
    finally:
        get_content.cache_clear()


def test_the_26_municipalities_of_the_brief(real_content):
    assert real_content.municipality_names == BRIEF_MUNICIPALITIES


def test_offers_cover_every_topic_and_several_towns(real_content):
    for topic in TOPICS:
        assert real_content.offers_for(topic, None), topic
    local_towns = {m for offer in real_content.offers for m in offer.municipalities}
    assert len(local_towns) >= 3


def test_interpreter_guidelines_cover_neutrality_and_confidentiality(real_content):
    ids = {g.id for g in real_content.interpreter_pool.guidelines}
    assert {"neutrale-rolle", "schweigepflicht", "anfrage"} <= ids


def _all_entries(content):
    return [
        *content.offers,
        *content.internships,
        content.welcome_center,
        *content.mentoring.find_mentor,
        *content.mentoring.become_mentor,
        content.coordination_office,
        content.interpreter_pool,
    ]


def test_unverified_entries_carry_a_staff_note_to_check_them(real_content):
    for entry in _all_entries(real_content):
        if not entry.verified:
            assert entry.notes and "prüfen" in entry.notes, entry.id


def test_no_phone_email_or_address_without_verification(real_content):
    # Only contact data we are sure of may appear; none of it is a phone/e-mail/address yet.
    for entry in _all_entries(real_content):
        assert entry.contact.phone is None, entry.id
        assert entry.contact.email is None, entry.id
        assert entry.contact.address is None, entry.id


def test_every_text_has_german_and_english(real_content):
    for entry in _all_entries(real_content):
        texts = [getattr(entry, "title", None), entry.summary]
        for text in filter(None, texts):
            assert set(REQUIRED_LANGUAGES) <= set(text.languages), entry.id


def test_other_languages_are_marked_as_awaiting_native_review(real_content):
    others = tuple(code for code in LANGUAGES if code not in REQUIRED_LANGUAGES)
    for file in ("offers", "internships", "welcome_center", "mentoring", "contacts"):
        assert real_content.pending_review_languages(file) == others, file
    assert real_content.pending_review_languages("municipalities.yml") == ()
    assert "municipalities.yml" not in real_content.pending_review


def test_unknown_review_file_is_an_error(real_content):
    with pytest.raises(KeyError):
        real_content.pending_review_languages("recipes")


def test_field_keywords_exist_in_all_seven_languages(real_content):
    for field in real_content.internship_fields:
        assert set(field.keywords) == set(LANGUAGES), field.id
        assert field.label("de") and field.label("en")
