"""Typed town names and internship fields are recognised; nonsense is refused."""

from __future__ import annotations

import pytest

from bot.content.matching import normalize


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sindelfinge", "Sindelfingen"),
        ("Boblingen", "Böblingen"),
        ("boeblingen", "Böblingen"),
        ("BÖBLINGEN", "Böblingen"),
        ("weil der stadt", "Weil der Stadt"),
        ("Weil d. Stadt", "Weil der Stadt"),
        ("weilderstadt", "Weil der Stadt"),
        ("weil im schoenbuch", "Weil im Schönbuch"),
        ("Gaertringen", "Gärtringen"),
        ("gartringen", "Gärtringen"),
        ("herenberg", "Herrenberg"),
        ("Renigen", "Renningen"),
        ("Ich wohne in Leonberg.", "Leonberg"),
        ("in Maichingen", "Sindelfingen"),
        ("Höfingen", "Leonberg"),
        ("Weissach", "Weissach"),
        ("Weißach", "Weissach"),
        ("Зиндельфинген", "Sindelfingen"),
        ("بوبلينغن", "Böblingen"),
    ],
)
def test_match_municipality(real_content, typed, expected):
    assert real_content.match_municipality(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "xyz",
        "pizza",
        "hello",
        "Stuttgart",
        "Berlin",
        "Tübingen",
        "Weil",  # Weil der Stadt or Weil im Schönbuch?
        "ich wohne in der Stadt",
        "ja",
        "17",
    ],
)
def test_match_municipality_refuses_when_unsure(real_content, typed):
    assert real_content.match_municipality(typed) is None


def test_every_canonical_name_matches_itself(real_content):
    for name in real_content.municipality_names:
        assert real_content.match_municipality(name) == name
        assert real_content.match_municipality(name.lower()) == name


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Pflege", "pflege_soziales"),
        ("Ich möchte Krankenpfleger werden", "pflege_soziales"),
        ("Plege", "pflege_soziales"),  # misspelt
        ("nursing", "pflege_soziales"),
        ("ممرضة", "pflege_soziales"),
        ("медсестра", "pflege_soziales"),
        ("hemşire", "pflege_soziales"),
        ("پرستاری", "pflege_soziales"),
        ("IT", "it"),
        ("something with IT", "it"),
        ("information technology", "it"),
        ("програміст", "it"),
        ("برنامه نویسی", "it"),
        ("yazılım", "it"),
        ("Elektriker", "handwerk"),
        ("كهربائي", "handwerk"),
        ("столяр", "handwerk"),
        ("mechanical engineering", "technik"),
        ("Autoindustrie", "technik"),
        ("Einzelhandelskaufmann", "verkauf"),
        ("Büro", "buero"),
        ("Buero", "buero"),
        ("бухгалтер", "buero"),
        ("Koch", "gastronomie"),
        ("хочу быть поваром", "gastronomie"),
        ("aşçı", "gastronomie"),
        ("رستوران", "gastronomie"),
        ("Hotel und Gastronomie", "gastronomie"),  # the label itself
    ],
)
def test_match_internship_field(real_content, typed, expected):
    assert real_content.match_internship_field(typed) == expected


@pytest.mark.parametrize("typed", ["", "keine Ahnung", "I like it", "career", "hallo", "17", "ja"])
def test_match_internship_field_refuses_when_unsure(real_content, typed):
    assert real_content.match_internship_field(typed) is None


def test_normalize_unifies_spellings():
    assert normalize("  Weil d. Stadt! ") == "weil d stadt"
    assert normalize("Gärtringen") == "gartringen"
    assert normalize("ŞİŞLİ") == "sisli"
    assert normalize("كمبيوتر") == normalize("کمبیوتر")  # Arabic vs Persian kaf/yeh
    assert normalize("نرم‌افزار") == "نرمافزار"  # half-space removed
