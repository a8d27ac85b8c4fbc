"""Filtering offers and internships the way the dialogue asks for them."""

from __future__ import annotations

import pytest


def _ids(items):
    return [item.id for item in items]


def test_offers_in_a_town_come_first_then_county_wide(mini):
    assert _ids(mini.offers_for("language_course", "Sindelfingen")) == [
        "kurs-sindelfingen",
        "kurs-kreisweit",
    ]


def test_offers_for_other_towns_are_left_out(mini):
    assert _ids(mini.offers_for(None, "Herrenberg")) == [
        "kurs-herrenberg",
        "beratung-kreisweit",
        "kurs-kreisweit",
    ]
    assert _ids(mini.offers_for("counselling", "Böblingen")) == ["beratung-kreisweit"]


def test_offers_without_town_list_county_wide_first(mini):
    assert _ids(mini.offers_for("language_course", None)) == [
        "kurs-kreisweit",
        "kurs-sindelfingen",
        "kurs-herrenberg",
    ]


def test_offers_accept_typed_town_names_and_districts(mini):
    assert _ids(mini.offers_for("language_course", "Maichingen"))[0] == "kurs-sindelfingen"
    assert _ids(mini.offers_for("language_course", "herenberg"))[0] == "kurs-herrenberg"


def test_unknown_town_gets_county_wide_offers_only(mini):
    assert _ids(mini.offers_for("language_course", "Atlantis")) == ["kurs-kreisweit"]


def test_unknown_topic_is_a_programming_error(mini):
    with pytest.raises(ValueError):
        mini.offers_for("cooking", None)


def test_real_language_courses_in_leonberg(real_content):
    ids = _ids(real_content.offers_for("language_course", "Leonberg"))
    assert ids[0] == "vhs-leonberg-deutsch"
    assert "vhs-herrenberg-deutsch" not in ids
    assert "bamf-integrationskurs" in ids


def test_internships_filter_by_age_field_and_town(mini):
    assert _ids(mini.internships_for(16, "pflege", "Böblingen")) == [
        "pflege-boeblingen",
        "alle-bereiche-kreis",
    ]
    assert _ids(mini.internships_for(21, "pflege", "Böblingen")) == ["alle-bereiche-kreis"]
    assert _ids(mini.internships_for(16, "pflege", "Herrenberg")) == ["alle-bereiche-kreis"]


def test_internship_age_limits_are_inclusive_and_open_ended(mini):
    assert _ids(mini.internships_for(13, None, None)) == ["it-kreis"]
    assert _ids(mini.internships_for(17, "it", None)) == ["it-kreis", "alle-bereiche-kreis"]
    assert _ids(mini.internships_for(18, "it", None)) == ["alle-bereiche-kreis"]
    assert _ids(mini.internships_for(99, None, None)) == ["alle-bereiche-kreis"]


def test_internships_without_filters_return_everything(mini):
    assert len(mini.internships_for(None, None, None)) == 3


def test_unknown_internship_field_is_a_programming_error(mini):
    with pytest.raises(ValueError):
        mini.internships_for(16, "astronaut", None)


def test_real_internships_for_a_16_year_old_in_care(real_content):
    items = real_content.internships_for(16, "pflege_soziales", "Sindelfingen")
    ids = _ids(items)
    assert ids.index("freiwilliges-soziales-jahr") < ids.index("jmd-berufsorientierung")
    assert "handwerkskammer-praktikum" not in ids
    assert all(item.fits_age(16) for item in items)


def test_internship_fields_have_labels_with_fallback(mini):
    fields = {f.id: f for f in mini.internship_fields}
    assert list(fields) == ["pflege", "it"]
    assert fields["pflege"].label("uk") == "Догляд"
    assert fields["pflege"].label("ar") == "Care"


def test_pending_review_per_file(mini):
    assert mini.pending_review_languages("offers") == ("ar",)
    assert mini.pending_review_languages("welcome_center.yml") == ("tr",)
    assert mini.pending_review_languages("mentoring") == ()
    # declared as pending but no uk/tr/fa/ru texts besides keywords
    assert mini.pending_review_languages("internships") == ("ar", "uk", "tr", "fa", "ru")
