"""Broken content files are reported with file, entry and field – all problems at once."""

from __future__ import annotations

import pytest

from bot.content import ContentError, ContentIssue, load_content


def _only(lines: list[str], needle: str) -> str:
    found = [line for line in lines if needle in line]
    assert found, f"{needle!r} not in:\n" + "\n".join(lines)
    return found[0]


def test_yaml_syntax_error_names_file_and_line(mini_dir, edit, issues_of):
    edit(
        mini_dir / "offers.yml", "    provider: Testanbieter Herrenberg\n", "    provider: [oops\n"
    )
    line = _only(issues_of(mini_dir), "YAML syntax error")
    assert line.startswith("offers.yml: YAML syntax error at line ")


def test_tab_indentation_is_a_syntax_error(mini_dir, edit, issues_of):
    edit(mini_dir / "mentoring.yml", "  explanation:", "\texplanation:")
    assert _only(issues_of(mini_dir), "mentoring.yml: YAML syntax error at line 2")


def test_missing_required_field(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "    provider: Testanbieter Herrenberg\n", "")
    assert issues_of(mini_dir) == [
        "offers.yml: entry 'kurs-herrenberg' field 'provider': missing required field"
    ]


def test_empty_required_value(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "    provider: Testanbieter Herrenberg\n", "    provider:\n")
    assert issues_of(mini_dir) == [
        "offers.yml: entry 'kurs-herrenberg' field 'provider': has no value"
    ]


def test_typo_in_field_name_suggests_the_right_one(mini_dir, edit, issues_of):
    edit(
        mini_dir / "offers.yml",
        "    title:\n      de: Deutschkurs Herrenberg",
        "    titel:\n      de: Deutschkurs Herrenberg",
    )
    lines = issues_of(mini_dir)
    assert (
        "offers.yml: entry 'kurs-herrenberg' field 'titel': unknown field (did you mean 'title'?)"
        in lines
    )
    assert "offers.yml: entry 'kurs-herrenberg' field 'title': missing required field" in lines


def test_typo_in_nested_contact_field(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "      email: kurs@example.org", "      e-mail: kurs@example.org")
    assert _only(issues_of(mini_dir), "field 'contact.e-mail'") == (
        "offers.yml: entry 'kurs-sindelfingen' field 'contact.e-mail': "
        "unknown field (did you mean 'email'?)"
    )


def test_bad_phone_number(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", '"+49 000 0000000"', "12ab")
    assert issues_of(mini_dir) == [
        "offers.yml: entry 'kurs-sindelfingen' field 'contact.phone': not a phone number ('12ab')"
    ]


def test_phone_number_written_as_a_yaml_number(mini_dir, edit, issues_of):
    edit(mini_dir / "contacts.yml", '"0000 000-0"', "123456789")
    assert _only(issues_of(mini_dir), "field 'contact.phone'").startswith(
        "contacts.yml: entry 'koordination' field 'contact.phone': write the phone number in quotes"
    )


def test_bad_email_and_url_are_both_reported(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "kurs@example.org", "kurs(at)example.org")
    edit(mini_dir / "offers.yml", "https://example.org/kurs", "example.org/kurs")
    lines = issues_of(mini_dir)
    assert (
        "offers.yml: entry 'kurs-sindelfingen' field 'contact.email': "
        "not an e-mail address ('kurs(at)example.org')" in lines
    )
    assert _only(lines, "field 'contact.website'").startswith(
        "offers.yml: entry 'kurs-sindelfingen' field 'contact.website': not a web address"
    )


def test_unknown_municipality(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "municipalities: [Herrenberg]", "municipalities: [Stuttgart]")
    assert _only(issues_of(mini_dir), "Stuttgart") == (
        "offers.yml: entry 'kurs-herrenberg' field 'municipalities': unknown municipality "
        "'Stuttgart' (see municipalities.yml for the 26 names)"
    )


def test_alias_instead_of_official_name_gets_a_hint(mini_dir, edit, issues_of):
    edit(
        mini_dir / "internships.yml", "municipalities: [Böblingen]", "municipalities: [Boeblingen]"
    )
    assert issues_of(mini_dir) == [
        "internships.yml: entry 'pflege-boeblingen' field 'municipalities': unknown municipality "
        "'Boeblingen' (did you mean 'Böblingen'? Use the official name)"
    ]


def test_duplicate_id(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "- id: kurs-herrenberg", "- id: kurs-sindelfingen")
    assert _only(issues_of(mini_dir), "duplicate") == (
        "offers.yml: entry 'kurs-sindelfingen' field 'id': duplicate id (also offers #1)"
    )


def test_duplicate_id_across_mentoring_lists(mini_dir, edit, issues_of):
    edit(mini_dir / "mentoring.yml", "- id: werden", "- id: finden")
    assert _only(issues_of(mini_dir), "duplicate").startswith(
        "mentoring.yml: entry 'finden' field 'id': duplicate id"
    )


def test_min_age_greater_than_max_age(mini_dir, edit, issues_of):
    edit(
        mini_dir / "internships.yml",
        "    min_age: 15\n    max_age: 20",
        "    min_age: 21\n    max_age: 20",
    )
    assert issues_of(mini_dir) == [
        "internships.yml: entry 'pflege-boeblingen' field 'min_age': "
        "min_age (21) is greater than max_age (20)"
    ]


def test_age_must_be_a_number(mini_dir, edit, issues_of):
    edit(mini_dir / "internships.yml", "    min_age: 15\n", '    min_age: "fünfzehn"\n')
    assert issues_of(mini_dir) == [
        "internships.yml: entry 'pflege-boeblingen' field 'min_age': "
        "expected an age in whole years, got text ('fünfzehn')"
    ]


def test_wrong_types(mini_dir, edit, issues_of):
    edit(
        mini_dir / "offers.yml",
        "    verified: true\n\n  - id: kurs-herrenberg",
        '    verified: "ja"\n\n  - id: kurs-herrenberg',
    )
    edit(mini_dir / "offers.yml", "    topics: [counselling]", "    topics: 5")
    edit(mini_dir / "contacts.yml", "    de: Wir helfen.\n    en: We help.", "    - Wir helfen.")
    lines = issues_of(mini_dir)
    assert (
        "offers.yml: entry 'kurs-sindelfingen' field 'verified': expected true or false, "
        "got text ('ja')" in lines
    )
    assert (
        "offers.yml: entry 'beratung-kreisweit' field 'topics': expected a list, got a number (5)"
        in lines
    )
    assert _only(lines, "contacts.yml").startswith(
        "contacts.yml: entry 'koordination' field 'summary': expected texts per language"
    )


def test_unknown_language_code(mini_dir, edit, issues_of):
    edit(
        mini_dir / "offers.yml",
        "      ar: دورة ألمانية زيندلفينغن",
        "      ara: دورة ألمانية زيندلفينغن",
    )
    assert issues_of(mini_dir) == [
        "offers.yml: entry 'kurs-sindelfingen' field 'title.ara': "
        "unknown language code 'ara' (did you mean 'ar'?)"
    ]


def test_missing_german_or_english_text(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "      de: Ein Kurs in Herrenberg.\n", "")
    edit(mini_dir / "welcome_center.yml", "    en: Help for skilled workers.\n", "")
    lines = issues_of(mini_dir)
    assert _only(lines, "'summary.de'").startswith(
        "offers.yml: entry 'kurs-herrenberg' field 'summary.de': missing German text"
    )
    assert _only(lines, "'summary.en'").startswith(
        "welcome_center.yml: entry 'wc' field 'summary.en': missing English text"
    )


def test_unknown_topic_and_field_id(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "topics: [counselling]", "topics: [counseling]")
    edit(mini_dir / "internships.yml", "fields: [pflege]", "fields: [pflegen]")
    lines = issues_of(mini_dir)
    assert (
        "offers.yml: entry 'beratung-kreisweit' field 'topics': "
        "unknown topic 'counseling' (did you mean 'counselling'?)" in lines
    )
    assert (
        "internships.yml: entry 'pflege-boeblingen' field 'fields': "
        "unknown field id 'pflegen' (did you mean 'pflege'?)" in lines
    )


def test_field_keywords_needed_in_all_languages(mini_dir, edit, issues_of):
    edit(mini_dir / "internships.yml", "      fa: [کامپیوتر]\n", "")
    assert _only(issues_of(mini_dir), "keywords.fa").startswith(
        "internships.yml: entry 'it' field 'keywords.fa': missing Persian keywords"
    )


def test_bad_keyword_pattern(mini_dir, edit, issues_of):
    edit(mini_dir / "internships.yml", '"*informatik*"', '"infor*matik"')
    assert _only(issues_of(mini_dir), "keywords.de").startswith(
        "internships.yml: entry 'it' field 'keywords.de': keyword 'infor*matik'"
    )


def test_other_languages_must_be_marked_for_review(mini_dir, edit, issues_of):
    edit(mini_dir / "offers.yml", "review:\n  pending: [ar]\n", "")
    assert _only(issues_of(mini_dir), "'ar'") == (
        "offers.yml: field 'review.pending': texts in 'ar' (Arabic) are not marked: add 'ar' to "
        "review.pending (or to review.reviewed once a native speaker has checked them)"
    )


def test_reviewed_languages_count_as_marked(mini_dir, edit):
    edit(mini_dir / "offers.yml", "review:\n  pending: [ar]\n", "review:\n  reviewed: [ar]\n")
    content = load_content(mini_dir)
    assert content.pending_review_languages("offers") == ()


def test_duplicate_yaml_key_is_reported(mini_dir, edit, issues_of):
    edit(
        mini_dir / "contacts.yml",
        "  organisation: Landratsamt Test\n",
        "  organisation: Landratsamt Test\n  name: Zweiter Name\n",
    )
    assert _only(issues_of(mini_dir), "twice") == (
        "contacts.yml: field 'name': written twice (line 5); remove one of them"
    )


def test_missing_file_and_empty_file(mini_dir, issues_of):
    (mini_dir / "mentoring.yml").unlink()
    (mini_dir / "contacts.yml").write_text("# nothing yet\n", encoding="utf-8")
    lines = issues_of(mini_dir)
    assert _only(lines, "mentoring.yml").startswith("mentoring.yml: file is missing")
    assert "contacts.yml: file is empty" in lines


def test_missing_directory():
    with pytest.raises(ContentError) as caught:
        load_content("/nonexistent/content")
    assert [i.message for i in caught.value.issues] == ["content directory not found"]


def test_ambiguous_alias_in_municipalities(mini_dir, edit, issues_of):
    edit(
        mini_dir / "municipalities.yml",
        "  - name: Herrenberg\n",
        "  - name: Herrenberg\n    aliases: [Boeblingen]\n",
    )
    assert issues_of(mini_dir) == [
        "municipalities.yml: entry 'Herrenberg' field 'aliases': "
        "'Boeblingen' is ambiguous: it also means 'Böblingen'"
    ]


def test_all_problems_in_all_files_are_collected(mini_dir, edit):
    edit(mini_dir / "offers.yml", '"+49 000 0000000"', "12ab")
    edit(mini_dir / "offers.yml", "municipalities: [Herrenberg]", "municipalities: [Stuttgart]")
    edit(
        mini_dir / "internships.yml",
        "    min_age: 15\n    max_age: 20",
        "    min_age: 21\n    max_age: 20",
    )
    edit(mini_dir / "contacts.yml", "  verified: true\n", "  verified: yes please\n")
    edit(mini_dir / "mentoring.yml", "  explanation:", "  explanaton:")
    with pytest.raises(ContentError) as caught:
        load_content(mini_dir)
    issues = caught.value.issues
    assert {i.file for i in issues} == {
        "offers.yml",
        "internships.yml",
        "contacts.yml",
        "mentoring.yml",
    }
    assert len(issues) >= 6
    assert str(caught.value).startswith(f"{len(issues)} problems in the content files:")


def test_broken_municipalities_file_does_not_flood_other_files(mini_dir, edit, issues_of):
    edit(mini_dir / "municipalities.yml", "  - name: Herrenberg\n", "  - nme: Herrenberg\n")
    lines = issues_of(mini_dir)
    assert all(line.startswith("municipalities.yml") for line in lines), lines


def test_issue_text_without_entry_or_field():
    assert (
        str(ContentIssue("offers.yml", None, None, "file is empty")) == "offers.yml: file is empty"
    )
    assert (
        str(ContentIssue("offers.yml", "vhs-kurs", "contact.phone", "not a phone number ('12ab')"))
        == "offers.yml: entry 'vhs-kurs' field 'contact.phone': not a phone number ('12ab')"
    )
