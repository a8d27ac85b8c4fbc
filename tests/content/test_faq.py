"""The FAQ file: what staff write is checked with file, entry and field; answers render."""

from __future__ import annotations

from bot.content.render import render_faq_answer
from bot.texts import get_catalogue
from bot.translation.sources import collect_sources

UNVERIFIED = get_catalogue().group("card")["unverified"]


def test_the_county_faq_has_15_to_25_questions_with_german_and_english(real_content):
    assert 15 <= len(real_content.faq) <= 25
    for entry in real_content.faq:
        assert entry.question.texts["de"] and entry.question.texts["en"]
        assert entry.answer.texts["de"] and entry.answer.texts["en"]
        assert len(entry.examples["de"]) >= 4, entry.id
        assert len(entry.examples["en"]) >= 3, entry.id


def test_emergency_numbers_are_in_the_answer(real_content):
    answer = real_content.faq_entry("notruf").answer
    for language in ("de", "en"):
        assert "112" in answer.get(language) and "110" in answer.get(language)
    assert "116117" in real_content.faq_entry("arzt-finden").answer.get("de")


def test_an_faq_is_found_by_its_id_and_a_removed_one_is_not(mini):
    assert mini.faq_entry("notruf").question.get("de") == "Welche Nummer rufe ich im Notfall an?"
    assert mini.faq_entry("gibt-es-nicht") is None
    assert mini.faq_entry(None) is None


def test_unverified_answer_carries_the_notice_in_the_users_language(mini):
    text = render_faq_answer(mini.faq_entry("muelltrennung"), "ar")
    # No Arabic answer: English, with the Arabic notice.
    assert text.splitlines() == ["Paper goes into the paper bin.", UNVERIFIED["ar"]]
    arabic = render_faq_answer(mini.faq_entry("notruf"), "ar")
    assert arabic == "112: الإطفاء والإسعاف. 110: الشرطة."


def test_one_german_example_is_not_enough(mini_dir, edit, issues_of):
    edit(mini_dir / "faq.yml", "        - welcher müll kommt in welche tonne\n", "")
    assert issues_of(mini_dir) == [
        "faq.yml: entry 'muelltrennung' field 'examples.de': "
        "needs at least 2 German examples (has 1)"
    ]


def test_the_same_example_in_two_entries_is_an_error(mini_dir, edit, issues_of):
    faq = mini_dir / "faq.yml"
    edit(faq, "        - which bin is for plastic\n", "        - Emergency number?\n")
    assert issues_of(mini_dir) == [
        "faq.yml: entry 'muelltrennung' field 'examples.en': "
        "example 'Emergency number?' is also an example of entry 'notruf'"
    ]


def test_unknown_language_code_in_examples(mini_dir, edit, issues_of):
    faq = mini_dir / "faq.yml"
    edit(faq, "      ar:\n        - ما هو رقم الطوارئ؟\n", "      arb:\n        - x y\n")
    assert issues_of(mini_dir) == [
        "faq.yml: entry 'notruf' field 'examples.arb': unknown language code 'arb' "
        "(did you mean 'ar'?)"
    ]


def test_empty_example_and_missing_answer_are_named(mini_dir, edit, issues_of):
    edit(mini_dir / "faq.yml", "        - notruf nummer\n", '        - "  "\n')
    edit(mini_dir / "faq.yml", "      en: Paper goes into the paper bin.\n", "")
    assert issues_of(mini_dir) == [
        "faq.yml: entry 'notruf' field 'examples.de': empty text",
        "faq.yml: entry 'muelltrennung' field 'answer.en': missing English text "
        "(de and en are required)",
    ]


def test_examples_must_be_lists_per_language(mini_dir, edit, issues_of):
    edit(
        mini_dir / "faq.yml",
        "    examples:\n      de:\n        - Wie trenne ich den Müll?\n",
        "    examples: Wie trenne ich den Müll?\n    beispiele:\n      de:\n"
        "        - Wie trenne ich den Müll?\n",
    )
    lines = issues_of(mini_dir)
    assert (
        "faq.yml: entry 'muelltrennung' field 'examples': expected example lists per "
        "language, got text ('Wie trenne ich den Müll?')"
    ) in lines
    assert any("field 'beispiele': unknown field" in line for line in lines)


def test_arabic_texts_must_be_marked_for_review(mini_dir, edit, issues_of):
    edit(mini_dir / "faq.yml", "  pending: [ar]\n", "  pending: []\n")
    assert issues_of(mini_dir)[0].startswith("faq.yml: field 'review.pending': texts in 'ar'")


def test_content_translate_prepares_faq_questions_and_answers_not_examples(mini):
    sources = {source.text: source for source in collect_sources(content=mini)}
    assert "Which number do I call in an emergency?" in sources
    assert "Paper goes into the paper bin." in sources
    assert sources["112: fire brigade and ambulance. 110: police."].is_curated("ar")
    assert "which bin is for plastic" not in sources
