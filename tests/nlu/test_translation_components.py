"""The decisions around translating a message for the NLU (pure functions)."""

from __future__ import annotations

from bot.nlu.translation import language_to_translate, map_entities_to_original


def understands(*codes):
    return lambda code: code in codes


def test_a_reliable_non_native_language_with_a_model_is_translated():
    detection = {"code": "ro", "reliable": True}
    assert language_to_translate(detection, understands("ro")) == ("ro", False)


def test_native_languages_go_straight_to_the_nlu():
    for code in ("de", "en", "ar", "uk", "tr", "fa", "ru"):
        assert language_to_translate({"code": code, "reliable": True}, understands(code)) == (
            None,
            False,
        )


def test_a_weak_guess_is_never_translated_nor_refused():
    # "ok" or a name: a wrong translation would do more harm than a native reading.
    detection = {"code": "ro", "reliable": False, "confidence": 0.55}
    assert language_to_translate(detection, understands("ro")) == (None, False)
    weak = {"code": "ti", "reliable": False, "confidence": 0.55}
    assert language_to_translate(weak, understands()) == (None, False)


def test_a_short_text_clearly_in_a_translated_language_is_read_in_english():
    # "Mulțumesc": too short to switch the conversation, clear enough to translate.
    detection = {"code": "ro", "reliable": False, "confidence": 0.83}
    assert language_to_translate(detection, understands("ro")) == ("ro", False)
    # Without a model it is not refused either: only reliable texts are.
    assert language_to_translate(detection, understands()) == (None, False)


def test_a_sentence_whose_favourite_is_a_translated_language_is_read_in_english():
    # "Mon fils cherche un Praktikum à Sindelfingen": French leads every native
    # language clearly, with confidence spread over the Romance languages.
    detection = {"code": "fr", "reliable": False, "confidence": 0.65, "letters": 17}
    assert language_to_translate(detection, understands("fr")) == ("fr", False)
    # Without a model it is not refused: only reliable texts are.
    assert language_to_translate(detection, understands()) == (None, False)


def test_a_reliable_language_without_a_model_is_marked_unavailable():
    assert language_to_translate({"code": "ti", "reliable": True}, understands()) == (None, True)
    assert language_to_translate({"code": "pl", "reliable": True}, understands("ro")) == (
        None,
        True,
    )


def test_entities_found_in_the_translation_point_into_the_original_text():
    original = "Caut un curs de germană în Sindelfingen"
    translated = "I am looking for a German course in Sindelfingen"
    start = translated.index("Sindelfingen")
    entities = [
        {"entity": "municipality", "value": "Sindelfingen", "start": start, "end": start + 12},
        {"entity": "topic", "value": "language_course", "start": 19, "end": 33},
    ]
    mapped = map_entities_to_original(entities, translated, original)
    town, topic = mapped
    assert original[town["start"] : town["end"]] == "Sindelfingen"
    assert town["value"] == "Sindelfingen"
    # "German course" is not in the Romanian text: the value stays, the span goes.
    assert topic["value"] == "language_course"
    assert "start" not in topic and topic["translated"] is True


def test_repeated_names_map_to_successive_places():
    original = "Böblingen oder Böblingen"
    translated = "Böblingen or Böblingen"
    entities = [
        {"entity": "municipality", "value": "Böblingen", "start": 0, "end": 9},
        {"entity": "municipality", "value": "Böblingen", "start": 13, "end": 22},
    ]
    first, second = map_entities_to_original(entities, translated, original)
    assert (first["start"], second["start"]) == (0, 15)
